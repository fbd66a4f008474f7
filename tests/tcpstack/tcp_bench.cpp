// Cost of the TCP engine per segment and per connection, two stacks back to back in one
// process: each one's tx batch is handed straight to the other's input (no copy, no
// link model), on a clock advanced by 1 µs per round. Run by hand, not by ctest:
//   build/<dir>/tests/tcpstack/tcp_bench --benchmark_min_time=2
// BM_bulk/0: ns per data segment of a one-way transfer (the sender's output, the
// receiver's input and ACK, the sender's ACK processing), reported as ns_per_segment, with
// software checksums; BM_bulk/1 the same with checksums offloaded as a NIC would.
// BM_open_close: a whole connection per iteration: handshake, one request each way, FINs,
// TIME-WAIT expiry on the timer wheel.
#include <benchmark/benchmark.h>

#include <memory>

#include <rte_mbuf.h>

#include "eal_env.h"
#include "pair_harness.h"
#include "ravelin/hw/port_caps.h"

namespace {

using namespace ravelin::test;

// A pool with a per-lcore cache, as the dataplane's: recently freed mbufs come back first
// and stay in cache (the tests' pair_pool has none, for exact in-use counts).
rte_mempool* bench_pool() {
  static rte_mempool* pool = [] {
    ravelin::test::init_eal();
    return rte_pktmbuf_pool_create("tcp_bench", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                   SOCKET_ID_ANY);
  }();
  return pool;
}

struct bench_pair {
  std::unique_ptr<ts::stack> a, b;
  uint64_t now = 1'000'000'000;
  uint64_t rx_flags = 0;

  explicit bench_pair(const ts::stack_limits& l) {
    const ts::interface_addr ia[] = {{0, {{2, 0, 0, 0, 0xa, 1}}, k_ip_a, 24, 0}};
    const ts::interface_addr ib[] = {{0, {{2, 0, 0, 0, 0xb, 1}}, k_ip_b, 24, 0}};
    a = std::make_unique<ts::stack>(ia, l, bench_pool());
    b = std::make_unique<ts::stack>(ib, l, bench_pool());
  }
  ~bench_pair() {
    for (ts::stack* s : {a.get(), b.get()}) {
      ts::tx_batch& t = s->output(0);
      rte_pktmbuf_free_bulk(t.pkts, t.count);
      t.clear();
    }
  }
  // As a NIC with checksum offload would: tx checksums left to it, rx ones verified by it.
  void offload_checksums() {
    ravelin::hw::port_capabilities caps;
    caps.tx_ipv4_cksum = caps.tx_tcp_cksum = true;
    a->set_port_offloads(0, caps);
    b->set_port_offloads(0, caps);
    rx_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  }
  uint16_t move(ts::stack& from, ts::stack& to) {
    ts::tx_batch& t = from.output(0);
    const uint16_t n = t.count;
    if (n != 0) {
      rte_mbuf* pkts[ts::tx_batch::k_capacity];
      std::copy(t.pkts, t.pkts + n, pkts);
      t.clear();
      for (uint16_t i = 0; i < n; ++i) pkts[i]->ol_flags = rx_flags;
      to.input(0, pkts, n, now);
    }
    return n;
  }
  // One round: both directions, then timers. Returns frames moved.
  uint32_t round() {
    now += 1000;
    uint32_t n = move(*a, *b);
    n += move(*b, *a);
    a->poll(now);
    b->poll(now);
    return n;
  }
};

// Keeps the send buffer full with 8 KiB mbuf chains of unfilled payload (the application's
// own cost is not the point) and drops what arrives.
struct blaster : ts::tcp_handler {
  explicit blaster(ts::stack& s) : stack(s) {}
  void on_connected(ts::conn_id c, void*) override {
    conn = c;
    fill();
  }
  void on_writable(ts::conn_id, void*) override { fill(); }
  void fill() {
    while (stack.tcp().send_space(conn) >= 8192) {
      rte_mbuf* m = rte_pktmbuf_alloc(bench_pool());
      for (int i = 0; i < 4 && m != nullptr; ++i) {
        rte_mbuf* s = i == 0 ? m : rte_pktmbuf_alloc(bench_pool());
        if (s == nullptr) break;
        rte_pktmbuf_append(s, 2048);
        if (i != 0) rte_pktmbuf_chain(m, s);
      }
      if (m == nullptr || stack.tcp().send(conn, m) != ts::send_status::accepted) {
        rte_pktmbuf_free(m);
        break;
      }
    }
  }
  ts::stack& stack;
  ts::conn_id conn{};
};

struct drain_sink : ts::tcp_handler {
  explicit drain_sink(ts::stack& s) : stack(s) {}
  void on_readable(ts::conn_id c, void*, ts::rx_view v) override {
    bytes += v.length;
    stack.tcp().consume(c, v.length);
  }
  void on_peer_closed(ts::conn_id c, void*) override { stack.tcp().close(c); }
  ts::stack& stack;
  uint64_t bytes = 0;
};

// state.range(0): 1 = checksums offloaded (as on a NIC), 0 = computed in software.
void BM_bulk(benchmark::State& state) {
  ravelin::test::init_eal();
  ts::stack_limits l;
  l.tcp_secret = 1;
  l.tcp_congestion_control = ts::congestion_control::cubic;
  bench_pair p(l);
  if (state.range(0) != 0) p.offload_checksums();
  drain_sink sink(*p.b);
  p.b->tcp().listen(5001, &sink);
  blaster src(*p.a);
  p.a->tcp().connect(k_ip_b, 5001, &src, nullptr);
  for (int i = 0; i < 1000; ++i) p.round();  // handshake and slow start
  const uint64_t seg0 = p.a->counters().get(ts::counter::tcp_tx_segments);
  const uint64_t bytes0 = sink.bytes;
  for (auto _ : state) p.round();
  const uint64_t segs = p.a->counters().get(ts::counter::tcp_tx_segments) - seg0;
  state.counters["segments"] = static_cast<double>(segs);
  state.counters["ns_per_segment"] = benchmark::Counter(
      static_cast<double>(segs), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetBytesProcessed(static_cast<int64_t>(sink.bytes - bytes0));
}
BENCHMARK(BM_bulk)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

struct request_client : ts::tcp_handler {
  explicit request_client(ts::stack& s) : stack(s) {}
  void on_connected(ts::conn_id c, void*) override {
    stack.tcp().send_copy(c, "GET / HTTP/1.1\r\n\r\n", 18);
    stack.tcp().close(c);
  }
  void on_readable(ts::conn_id c, void*, ts::rx_view v) override {
    stack.tcp().consume(c, v.length);
  }
  void on_closed(ts::conn_id, void*, ts::close_reason) override { ++closed; }
  ts::stack& stack;
  uint64_t closed = 0;
};

struct reply_server : ts::tcp_handler {
  explicit reply_server(ts::stack& s) : stack(s) {}
  void on_readable(ts::conn_id c, void*, ts::rx_view v) override {
    stack.tcp().consume(c, v.length);
    stack.tcp().send_copy(c, "HTTP/1.1 204 No Content\r\n\r\n", 27);
  }
  void on_peer_closed(ts::conn_id c, void*) override { stack.tcp().close(c); }
  ts::stack& stack;
};

void BM_open_close(benchmark::State& state) {
  ravelin::test::init_eal();
  ts::stack_limits l;
  l.tcp_secret = 1;
  l.tcp_time_wait_ns = 50'000;  // 50 µs: TIME-WAIT ends through the wheel within the loop
  l.tcp_timer_tick_ns = 10'000;
  bench_pair p(l);
  reply_server server(*p.b);
  p.b->tcp().listen(80, &server);
  request_client client(*p.a);
  for (auto _ : state) {
    const uint64_t want = client.closed + 1;
    p.a->tcp().connect(k_ip_b, 80, &client, nullptr);
    while (client.closed < want) p.round();
  }
  for (int i = 0; i < 200; ++i) p.round();
  state.counters["left_open"] = p.a->tcp().connections() + p.b->tcp().connections();
}
BENCHMARK(BM_open_close)->Unit(benchmark::kNanosecond);

}  // namespace

BENCHMARK_MAIN();
