// ravelin-loadgen: EAL and ports, one tcpstack on the main lcore, the run-to-completion loop
// that drives the roles, and the report (one JSON object on stdout, progress on stderr).
//
// Busy cycles are counted as in the dataplane's worker: an iteration that received,
// transmitted or started anything adds its TSC cycles; idle polls do not. busy_share is
// busy cycles over all cycles of the measured window: near 1.0 means the generator itself
// was the bottleneck.
#include <csignal>
#include <cstdio>
#include <memory>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "loadgen.h"
#include "ravelin/hw/port_caps.h"
#include "ravelin/tcpstack/stack.h"

namespace ravelin::bench {
namespace {

constexpr uint16_t k_burst = 32;
constexpr uint16_t k_descriptors = 1024;
constexpr uint64_t k_ns = 1'000'000'000ULL;
constexpr uint64_t k_link_wait_ns = 15 * k_ns;
constexpr uint64_t k_drain_ns = 300'000'000ULL;  // closes flow out after the run

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

class tsc_clock {
 public:
  tsc_clock() : mult_((static_cast<unsigned __int128>(k_ns) << 32) / rte_get_tsc_hz()) {}
  uint64_t to_ns(uint64_t tsc) const {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(tsc) * mult_) >> 32);
  }

 private:
  unsigned __int128 mult_;
};

struct port {
  uint16_t port_id = 0;
  hw::port_capabilities caps;
  rte_ether_addr mac{};
};

bool start_port(port& p, rte_mempool* pool) {
  p.caps = hw::probe_port(p.port_id);
  rte_eth_conf conf{};
  conf.txmode.offloads = p.caps.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
  if (p.caps.tx_ipv4_cksum) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
  if (p.caps.tx_tcp_cksum) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
  if (p.caps.rx_ipv4_cksum) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
  if (p.caps.rx_tcp_cksum) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
  p.caps.tso = false;
  p.caps.rx_udp_cksum = p.caps.tx_udp_cksum = false;
  uint16_t rx_desc = k_descriptors, tx_desc = k_descriptors;
  const int socket = rte_eth_dev_socket_id(p.port_id);
  if (rte_eth_dev_configure(p.port_id, 1, 1, &conf) != 0 ||
      rte_eth_dev_adjust_nb_rx_tx_desc(p.port_id, &rx_desc, &tx_desc) != 0 ||
      rte_eth_rx_queue_setup(p.port_id, 0, rx_desc, socket, nullptr, pool) != 0 ||
      rte_eth_tx_queue_setup(p.port_id, 0, tx_desc, socket, nullptr) != 0 ||
      rte_eth_dev_start(p.port_id) != 0) {
    std::fprintf(stderr, "loadgen: cannot start port %u\n", p.port_id);
    return false;
  }
  rte_eth_macaddr_get(p.port_id, &p.mac);
  return true;
}

bool links_up(const std::vector<port>& ports) {
  for (const auto& p : ports) {
    rte_eth_link link{};
    if (rte_eth_link_get_nowait(p.port_id, &link) != 0 || link.link_status == 0) return false;
  }
  return true;
}

// Counters of the stack that say how hard TCP worked in the window.
constexpr tcpstack::counter k_stack_counters[] = {
    tcpstack::counter::tcp_rx_segments,     tcpstack::counter::tcp_tx_segments,
    tcpstack::counter::tcp_tx_retransmits,  tcpstack::counter::tcp_rto_expired,
    tcpstack::counter::tcp_active_opens,    tcpstack::counter::tcp_passive_opens,
    tcpstack::counter::tcp_tx_deferred,     tcpstack::counter::tx_batch_full,
    tcpstack::counter::mbuf_alloc_failed,   tcpstack::counter::tcp_ports_exhausted,
    tcpstack::counter::tcp_conn_table_full, tcpstack::counter::tcp_time_wait_recycled,
};

const char* mode_name(mode m) {
  switch (m) {
    case mode::echo_cps:
      return "echo-cps";
    case mode::echo_stream:
      return "echo-stream";
    case mode::http_client:
      return "http-client";
    case mode::http_origin:
      return "http-origin";
    case mode::pkt_icmp:
      return "pkt-icmp";
    case mode::pkt_syn:
      return "pkt-syn";
  }
  return "?";
}

// One role's figures as JSON members (no braces), over `seconds`.
void print_measurement(const measurement& m, double seconds) {
  const auto& h = m.latency_ns;
  auto ms = [](uint64_t ns) { return static_cast<double>(ns) / 1e6; };
  std::printf(
      " \"completed\": %llu, \"per_second\": %.1f, \"connections_opened\": %llu, "
      "\"connections_per_second\": %.1f,\n",
      static_cast<unsigned long long>(m.completed), m.completed / seconds,
      static_cast<unsigned long long>(m.connections), m.connections / seconds);
  std::printf(
      " \"bytes_rx\": %llu, \"bytes_tx\": %llu, \"rx_bytes_per_second\": %.0f, "
      "\"tx_bytes_per_second\": %.0f,\n",
      static_cast<unsigned long long>(m.bytes_rx), static_cast<unsigned long long>(m.bytes_tx),
      m.bytes_rx / seconds, m.bytes_tx / seconds);
  std::printf(
      " \"latency_ms\": {\"count\": %llu, \"mean\": %.4f, \"p50\": %.4f, \"p90\": %.4f, "
      "\"p99\": %.4f, \"p99.9\": %.4f, \"max\": %.4f},\n",
      static_cast<unsigned long long>(h.count()), h.mean() / 1e6, ms(h.value_at(50)),
      ms(h.value_at(90)), ms(h.value_at(99)), ms(h.value_at(99.9)), ms(h.max()));
  std::printf(" \"errors_total\": %llu, \"errors\": {",
              static_cast<unsigned long long>(m.total_errors()));
  bool first = true;
  for (size_t i = 0; i < m.errors.size(); ++i) {
    if (m.errors[i] == 0) continue;
    std::printf("%s\"%s\": %llu", first ? "" : ", ", name_of(static_cast<error_kind>(i)),
                static_cast<unsigned long long>(m.errors[i]));
    first = false;
  }
  std::printf("}");
}

// The first role's figures at the top level (the usual single-role run), every role's
// under "roles", then the generator's own cost and the stack's counters.
void print_report(const options& opt, const std::vector<measurement>& ms, double seconds,
                  uint64_t busy, uint64_t cycles, const tcpstack::counter_set& before,
                  const tcpstack::counter_set& after) {
  std::printf("{\"tool\": \"ravelin-loadgen\", \"mode\": \"");
  for (size_t i = 0; i < opt.modes.size(); ++i) {
    std::printf("%s%s", i ? "," : "", mode_name(opt.modes[i]));
  }
  std::printf("\", \"connections\": %u, \"seconds\": %.3f,\n", opt.connections, seconds);
  print_measurement(ms[0], seconds);
  std::printf(",\n \"roles\": {");
  for (size_t i = 0; i < ms.size(); ++i) {
    std::printf("%s\"%s\": {\n", i ? ",\n  " : "", mode_name(opt.modes[i]));
    print_measurement(ms[i], seconds);
    std::printf("}");
  }
  std::printf(
      "},\n \"busy_cycles\": %llu, \"cycles\": %llu, \"busy_share\": %.4f, "
      "\"tsc_hz\": %llu,\n \"stack\": {",
      static_cast<unsigned long long>(busy), static_cast<unsigned long long>(cycles),
      cycles ? static_cast<double>(busy) / static_cast<double>(cycles) : 0.0,
      static_cast<unsigned long long>(rte_get_tsc_hz()));
  bool first = true;
  for (tcpstack::counter c : k_stack_counters) {
    const auto i = static_cast<size_t>(c);
    std::printf("%s\"%s\": %llu", first ? "" : ", ", tcpstack::k_counter_table[i].name,
                static_cast<unsigned long long>(after.values[i] - before.values[i]));
    first = false;
  }
  std::printf("}}\n");
  std::fflush(stdout);
}

int run(const options& opt) {
  const uint16_t nports = rte_eth_dev_count_avail();
  if (nports < opt.addresses.size()) {
    std::fprintf(stderr, "loadgen: %zu --address given, %u DPDK ports (add --vdev)\n",
                 opt.addresses.size(), nports);
    return 1;
  }
  rte_mempool* pool = rte_pktmbuf_pool_create("lg_pool", opt.mbufs, 256, 0,
                                              RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
  if (pool == nullptr) {
    std::fprintf(stderr, "loadgen: cannot create %u mbufs (raise -m)\n", opt.mbufs);
    return 1;
  }
  std::vector<port> ports(opt.addresses.size());
  std::vector<tcpstack::interface_addr> interfaces;
  for (uint16_t i = 0; i < ports.size(); ++i) {
    ports[i].port_id = i;
    if (!start_port(ports[i], pool)) return 1;
    interfaces.push_back({i, ports[i].mac, opt.addresses[i].first, opt.addresses[i].second, 0});
  }
  if (opt.modes[0] == mode::pkt_icmp || opt.modes[0] == mode::pkt_syn) {
    // Raw frames, no stack: the blaster owns port 0.
    const int rc = run_blaster(opt, ports[0].port_id, ports[0].mac, pool);
    for (const auto& p : ports) {
      rte_eth_dev_stop(p.port_id);
      rte_eth_dev_close(p.port_id);
    }
    rte_mempool_free(pool);
    return rc;
  }
  tcpstack::stack_limits limits;
  limits.tcp_max_connections = opt.max_connections;
  limits.tcp_max_half_open = opt.max_connections;
  limits.tcp_listen_backlog = 4096;
  // A generator closes first and so holds TIME-WAIT; on a point-to-point memif link no old
  // duplicate can arrive late, so a short TIME-WAIT keeps local ports from running out.
  limits.tcp_time_wait_ns = opt.time_wait_ms * 1'000'000ULL;
  auto stack = std::make_unique<tcpstack::stack>(interfaces, limits, pool);
  for (const auto& p : ports) stack->set_port_offloads(p.port_id, p.caps);

  const tsc_clock clock;
  uint64_t now_ns = clock.to_ns(rte_rdtsc());
  // One measurement per role; measurement::reset() keeps them allocation-free later.
  std::vector<measurement> ms(opt.modes.size());
  measurement& m = ms[0];  // the port's drops are charged to the first role
  std::vector<std::unique_ptr<role>> roles;
  for (size_t i = 0; i < opt.modes.size(); ++i) {
    const mode md = opt.modes[i];
    measurement& mm = ms[i];
    switch (md) {
      case mode::echo_cps:
      case mode::echo_stream:
        roles.push_back(make_echo_client(stack->tcp(), opt, mm, now_ns, md == mode::echo_stream));
        break;
      case mode::http_client:
        roles.push_back(make_http_client(stack->tcp(), opt, mm, now_ns));
        break;
      case mode::http_origin:
        roles.push_back(make_http_origin(stack->tcp(), opt, mm, now_ns));
        break;
      case mode::pkt_icmp:
      case mode::pkt_syn:
        break;  // handled above
    }
  }

  // The peer (a memif server) may come up after us.
  const uint64_t link_deadline = now_ns + k_link_wait_ns;
  while (!links_up(ports) && !g_stop) {
    if (clock.to_ns(rte_rdtsc()) > link_deadline) {
      std::fprintf(stderr, "loadgen: link down after %llu s\n",
                   static_cast<unsigned long long>(k_link_wait_ns / k_ns));
      return 1;
    }
    rte_delay_us_sleep(10'000);
  }
  now_ns = clock.to_ns(rte_rdtsc());
  for (auto& r : roles) {
    if (!r->start()) return 1;
  }
  std::fprintf(stderr, "loadgen: ready\n");

  const uint64_t t0 = now_ns;
  const uint64_t measure_at = t0 + static_cast<uint64_t>(opt.warmup_s * 1e9);
  const uint64_t end_at = measure_at + static_cast<uint64_t>(opt.duration_s * 1e9);
  bool measuring = false, stopping = false;
  uint64_t busy = 0, busy_at_start = 0, busy_window = 0, tsc_start = 0, tsc_end = 0, stop_at = 0;
  uint64_t next_progress = t0 + k_ns;
  uint64_t last_completed = 0;
  tcpstack::counter_set before{}, after{};
  std::vector<measurement> reported;
  reported.reserve(ms.size());
  rte_mbuf* pkts[k_burst];

  for (;;) {
    const uint64_t start = rte_rdtsc();
    now_ns = clock.to_ns(start);
    uint32_t handled = 0;
    for (const auto& p : ports) {
      const uint16_t n = rte_eth_rx_burst(p.port_id, 0, pkts, k_burst);
      if (n != 0) stack->input(p.port_id, pkts, n, now_ns);
      handled += n;
    }
    stack->poll(now_ns);
    for (auto& r : roles) handled += r->tick();
    for (const auto& p : ports) {
      tcpstack::tx_batch& b = stack->output(p.port_id);
      if (b.count == 0) continue;
      const uint16_t sent = rte_eth_tx_burst(p.port_id, 0, b.pkts, b.count);
      if (sent < b.count) {
        rte_pktmbuf_free_bulk(b.pkts + sent, b.count - sent);
        for (uint16_t i = sent; i < b.count; ++i) m.error(error_kind::port_tx_dropped);
      }
      handled += b.count;
      b.clear();
    }
    if (handled != 0) busy += rte_rdtsc() - start;

    if (!measuring && !stopping && now_ns >= measure_at) {
      measuring = true;
      for (auto& x : ms) x.reset();
      busy_at_start = busy;
      tsc_start = rte_rdtsc();
      before = stack->counters();
    }
    if (!stopping && (now_ns >= end_at || g_stop)) {
      stopping = true;
      tsc_end = rte_rdtsc();
      after = stack->counters();
      if (!measuring) {  // stopped during the warm-up: an empty window
        before = after;
        tsc_start = tsc_end;
        busy_at_start = busy;
      }
      busy_window = busy - busy_at_start;
      // The window ends here: what the drain sees (closes, resets) is not reported.
      reported = ms;
      for (auto& r : roles) r->stop();
      stop_at = now_ns;
    }
    if (stopping && now_ns >= stop_at + k_drain_ns) break;
    if (opt.progress && !stopping && now_ns >= next_progress) {
      next_progress += k_ns;
      // The counts restart when the warm-up ends.
      const uint64_t done =
          m.completed >= last_completed ? m.completed - last_completed : m.completed;
      last_completed = m.completed;
      std::fprintf(stderr, "loadgen: %4.0fs %s %9llu/s  p99 %.3f ms  conns %llu  errors %llu\n",
                   static_cast<double>(now_ns - t0) / 1e9, measuring ? "measuring" : "warm-up  ",
                   static_cast<unsigned long long>(done), m.latency_ns.value_at(99) / 1e6,
                   static_cast<unsigned long long>(m.connections),
                   static_cast<unsigned long long>(m.total_errors()));
    }
  }
  const uint64_t cycles = tsc_end - tsc_start;
  print_report(opt, reported, static_cast<double>(cycles) / static_cast<double>(rte_get_tsc_hz()),
               busy_window, cycles, before, after);

  roles.clear();
  stack.reset();
  for (const auto& p : ports) {
    rte_eth_dev_stop(p.port_id);
    rte_eth_dev_close(p.port_id);
  }
  rte_mempool_free(pool);
  return 0;
}

}  // namespace

bool stop_requested() { return g_stop != 0; }

}  // namespace ravelin::bench

int main(int argc, char** argv) {
  const int eal_args = rte_eal_init(argc, argv);
  if (eal_args < 0) {
    std::fprintf(stderr, "loadgen: EAL initialisation failed\n%s", ravelin::bench::usage());
    return 1;
  }
  ravelin::bench::options opt;
  std::string error;
  // rte_eal_init consumed argv[1..eal_args-1]; what follows `--` is ours.
  if (!ravelin::bench::parse_options(argc - eal_args - 1, argv + eal_args + 1, opt, error)) {
    if (error == "help") {
      std::fputs(ravelin::bench::usage(), stdout);
      rte_eal_cleanup();
      return 0;
    }
    std::fprintf(stderr, "loadgen: %s\n%s", error.c_str(), ravelin::bench::usage());
    rte_eal_cleanup();
    return 2;
  }
  std::signal(SIGINT, ravelin::bench::on_signal);
  std::signal(SIGTERM, ravelin::bench::on_signal);
  const int rc = ravelin::bench::run(opt);
  rte_eal_cleanup();
  return rc;
}
