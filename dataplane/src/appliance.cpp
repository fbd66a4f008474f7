#include "ravelin/dataplane/appliance.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "eal_session.h"
#include "ports.h"
#include "ravelin/dataplane/lcore_plan.h"
#include "ravelin/dataplane/stats.h"
#include "proxy/reloader.h"
#include "worker.h"

namespace ravelin::dataplane {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true, std::memory_order_relaxed); }
extern "C" void on_reload_signal(int) { proxy::reloader::request_reload(); }

std::vector<tcpstack::interface_addr> interfaces_of(const mgmt::appliance_config& cfg,
                                                    const std::vector<port_state>& ports) {
  std::vector<tcpstack::interface_addr> out;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const auto& pc = cfg.ports[i];
    out.push_back({ports[i].port_id, ports[i].mac, pc.address.address, pc.address.length,
                   pc.gateway.value_or(0)});
  }
  return out;
}

tcpstack::stack_limits limits_of(const mgmt::appliance_config& cfg) {
  constexpr uint64_t k_ns_per_ms = 1'000'000;
  const mgmt::stack_config& s = cfg.stack;
  tcpstack::stack_limits l;
  l.arp_cache_entries = s.arp_cache_entries;
  l.arp_reachable_ns = s.arp_reachable_ms * k_ns_per_ms;
  l.arp_retry_ns = s.arp_retry_ms * k_ns_per_ms;
  l.arp_max_retries = s.arp_max_retries;
  l.tcp_max_connections = s.tcp_max_connections;
  l.tcp_max_half_open = s.tcp_max_half_open;
  l.tcp_listen_backlog = s.tcp_listen_backlog;
  l.tcp_send_buffer = s.tcp_send_buffer;
  l.tcp_recv_buffer = s.tcp_recv_buffer;
  l.tcp_syn_cookies = s.tcp_syn_cookies;
  l.tcp_congestion_control = s.tcp_congestion_control == mgmt::stack_config::congestion::newreno
                                 ? tcpstack::congestion_control::newreno
                                 : tcpstack::congestion_control::cubic;
  // RFC 9293 §3.7.1: the MSS we announce is what the smallest port MTU carries after the
  // IPv4 and TCP headers.
  uint16_t mtu = cfg.ports.empty() ? 1500 : cfg.ports.front().mtu;
  for (const auto& p : cfg.ports) mtu = std::min(mtu, p.mtu);
  l.tcp_mss = static_cast<uint16_t>(mtu - 40);
  return l;
}

// One context per planned lcore, with its stack and queue ownership.
bool build_workers(const mgmt::appliance_config& cfg, const lcore_plan& plan,
                   const std::vector<port_state>& ports,
                   std::vector<std::unique_ptr<worker_context>>& out) {
  const auto interfaces = interfaces_of(cfg, ports);
  uint16_t max_port_id = 0;
  for (const auto& p : ports) max_port_id = std::max(max_port_id, p.port_id);
  for (const auto& a : plan.lcores) {
    if (!rte_lcore_is_enabled(a.lcore)) {
      std::fprintf(stderr, "ravelin: lcore %u is in the config but not enabled in the EAL\n",
                   a.lcore);
      return false;
    }
    auto w = std::make_unique<worker_context>();
    w->lcore = a.lcore;
    w->stop = &g_stop;
    w->tx_queue_of_port.assign(max_port_id + 1, -1);
    for (const auto& q : a.queues) {
      const uint16_t port_id = ports[q.port_index].port_id;
      w->rx.push_back({port_id, q.queue});
      if (w->tx_queue_of_port[port_id] < 0) w->tx_queue_of_port[port_id] = q.queue;
    }
    rte_mempool* pool = a.queues.empty() ? ports.front().pool : ports[a.queues[0].port_index].pool;
    w->stack = std::make_unique<tcpstack::stack>(interfaces, limits_of(cfg), pool);
    for (const auto& p : ports) w->stack->set_port_offloads(p.port_id, p.caps);
    std::string error;
    w->services = start_tcp_services(cfg.services, *w->stack, cfg.stack.tcp_max_connections,
                                     w->counters, error);
    if (w->services == nullptr) {
      std::fprintf(stderr, "ravelin: lcore %u: %s\n", a.lcore, error.c_str());
      return false;
    }
    out.push_back(std::move(w));
  }
  return true;
}

// A session holds a client connection and at most one upstream one; the other half of the
// stack's pool is left for TIME-WAIT, pooled links and the services.
uint32_t proxy_sessions(const mgmt::appliance_config& cfg) {
  return std::max<uint32_t>(cfg.stack.tcp_max_connections / 4, 1);
}

// What snapshots need of each lcore: its id, audit ring and counters.
proxy::snapshot_env snapshot_env_of(const mgmt::appliance_config& cfg,
                                    std::vector<std::unique_ptr<worker_context>>& workers,
                                    proxy::waf_audit_log& audit) {
  proxy::snapshot_env env;
  env.settings = cfg.proxy;
  env.max_sessions = proxy_sessions(cfg);
  env.audit = &audit;
  for (size_t i = 0; i < workers.size(); ++i) {
    env.sites.push_back({static_cast<uint16_t>(workers[i]->lcore),
                         audit.ring(static_cast<unsigned>(i)), &workers[i]->counters});
  }
  return env;
}

// The reloader with the first snapshot compiled; null (with the reason printed) when the
// config cannot be compiled.
std::unique_ptr<proxy::reloader> make_reloader(
    const std::shared_ptr<const mgmt::config>& cfg,
    std::vector<std::unique_ptr<worker_context>>& workers, proxy::waf_audit_log& audit) {
  auto r = std::make_unique<proxy::reloader>(cfg->source,
                                             snapshot_env_of(cfg->appliance, workers, audit));
  std::string error;
  if (!r->start_with(cfg, error)) {
    std::fprintf(stderr, "ravelin: the proxy configuration cannot be compiled: %s\n",
                 error.c_str());
    return nullptr;
  }
  return r;
}

// The proxy on every lcore, under the reloader's first snapshot.
bool start_proxies(const mgmt::appliance_config& cfg,
                   std::vector<std::unique_ptr<worker_context>>& workers,
                   const proxy::reloader& reload, proxy::access_log* log) {
  mgmt::proxy_config settings = cfg.proxy;
  // A held response body waits in the origin connection's receive buffer, head included.
  settings.waf_response_hold = std::min(settings.waf_response_hold, cfg.stack.tcp_recv_buffer / 2);
  for (size_t i = 0; i < workers.size(); ++i) {
    worker_context& w = *workers[i];
    const auto ordinal = static_cast<uint32_t>(i);
    w.proxy = std::make_unique<proxy::http_proxy>(
        w.stack->tcp(), settings, reload.current(), ordinal, proxy_sessions(cfg), w.counters,
        log != nullptr ? log->ring(ordinal) : nullptr, w.lcore + 1);
    std::string error;
    if (!w.proxy->listen(error)) {
      std::fprintf(stderr, "ravelin: lcore %u: %s\n", w.lcore, error.c_str());
      return false;
    }
  }
  return true;
}

// Several io lcores: give each an inbox ring and the shared steering table (dispatch.h).
bool connect_dispatch(std::vector<std::unique_ptr<worker_context>>& workers,
                      const std::vector<port_state>& ports) {
  std::vector<worker_context*> io;
  for (auto& w : workers) {
    if (!w->rx.empty()) io.push_back(w.get());
  }
  if (io.size() < 2) return true;
  constexpr unsigned k_inbox_size = 4096;
  std::vector<rte_ring*> inboxes;
  for (auto* w : io) {
    const std::string name = "rv_inbox_" + std::to_string(w->lcore);
    rte_ring* r = rte_ring_create(name.c_str(), k_inbox_size, rte_lcore_to_socket_id(w->lcore),
                                  RING_F_SC_DEQ);
    if (r == nullptr) {
      std::fprintf(stderr, "ravelin: cannot create ring %s: %s\n", name.c_str(),
                   rte_strerror(rte_errno));
      return false;
    }
    w->dispatch.inbox = r;
    inboxes.push_back(r);
  }
  const auto reta = worker_reta(static_cast<uint16_t>(io.size()));
  for (uint16_t i = 0; i < io.size(); ++i) {
    dispatcher& d = io[i]->dispatch;
    d.steering.key.assign(tcpstack::k_default_rss_key.begin(), tcpstack::k_default_rss_key.end());
    d.steering.reta = reta;
    d.steering.queue = i;
    d.peers = inboxes;
    d.copy_pool = ports[0].pool;
    for (const auto& p : ports) io[i]->stack->tcp().set_rss(p.port_id, d.steering);
  }
  return true;
}

// A health ring per lcore: every other lcore's proxy sends it the transitions it sees.
bool connect_health(std::vector<std::unique_ptr<worker_context>>& workers,
                    std::vector<rte_ring*>& rings) {
  if (workers.size() < 2) return true;
  constexpr unsigned k_health_events = 1024;
  for (auto& w : workers) {
    const std::string name = "rv_hlth_" + std::to_string(w->lcore);
    rte_ring* r = rte_ring_create_elem(name.c_str(), sizeof(proxy::health_event), k_health_events,
                                       rte_lcore_to_socket_id(w->lcore), RING_F_SC_DEQ);
    if (r == nullptr) {
      std::fprintf(stderr, "ravelin: cannot create ring %s: %s\n", name.c_str(),
                   rte_strerror(rte_errno));
      return false;
    }
    rings.push_back(r);
  }
  for (size_t i = 0; i < workers.size(); ++i) {
    std::vector<rte_ring*> peers;
    for (size_t j = 0; j < rings.size(); ++j) {
      if (j != i) peers.push_back(rings[j]);
    }
    workers[i]->proxy->share_health(rings[i], std::move(peers));
  }
  return true;
}

void release_dispatch(std::vector<std::unique_ptr<worker_context>>& workers) {
  for (auto& w : workers) {
    if (w->dispatch.inbox == nullptr) continue;
    void* m = nullptr;
    while (rte_ring_dequeue(w->dispatch.inbox, &m) == 0)
      rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    rte_ring_free(w->dispatch.inbox);
    w->dispatch.inbox = nullptr;
  }
}

int run_workers(std::vector<std::unique_ptr<worker_context>>& workers) {
  const unsigned main_lcore = rte_get_main_lcore();
  worker_context* on_main = nullptr;
  for (auto& w : workers) {
    if (w->lcore == main_lcore) {
      on_main = w.get();
    } else if (rte_eal_remote_launch(worker_main, w.get(), w->lcore) != 0) {
      std::fprintf(stderr, "ravelin: cannot launch lcore %u\n", w->lcore);
      g_stop.store(true);
    }
  }
  if (on_main != nullptr) {
    worker_main(on_main);
  } else {
    while (!g_stop.load(std::memory_order_relaxed)) rte_delay_us_sleep(10'000);
  }
  rte_eal_mp_wait_lcore();
  return 0;
}

}  // namespace

int run_appliance(std::shared_ptr<const mgmt::config> config, const std::string& program) {
  const mgmt::config& cfg = *config;
  const auto& ac = cfg.appliance;
  if (ac.ports.empty() || ac.cores.empty()) {
    std::fprintf(stderr, "%s: the ravelin section needs at least one port and one core\n",
                 cfg.source.c_str());
    return 1;
  }
  eal_session eal;
  if (!eal.start(ac, program)) return 1;

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGHUP, on_reload_signal);
  std::signal(SIGPIPE, SIG_IGN);

  stats_registry registry;
  register_telemetry(&registry);
  proxy::register_route_telemetry();

  const lcore_plan plan = plan_lcores(ac);
  for (const auto& w : plan.warnings) std::fprintf(stderr, "ravelin: warning: %s\n", w.c_str());

  std::vector<port_state> ports;
  std::string error;
  std::vector<std::unique_ptr<worker_context>> workers;
  proxy::access_log log;
  proxy::waf_audit_log audit;
  std::unique_ptr<proxy::reloader> reload;
  std::vector<rte_ring*> health_rings;
  const bool logging = !ac.proxy.access_log.empty();
  int rc = 1;
  if (!start_ports(ac, ports, error)) {
    std::fprintf(stderr, "ravelin: %s\n", error.c_str());
  } else if (logging && !log.open(ac.proxy.access_log, plan.lcores.size(), error)) {
    std::fprintf(stderr, "ravelin: %s\n", error.c_str());
  } else if (!audit.open(plan.lcores.size(), error)) {
    std::fprintf(stderr, "ravelin: %s\n", error.c_str());
  } else if (build_workers(ac, plan, ports, workers) &&
             (reload = make_reloader(config, workers, audit)) != nullptr &&
             start_proxies(ac, workers, *reload, logging ? &log : nullptr) &&
             connect_dispatch(workers, ports) && connect_health(workers, health_rings)) {
    if (logging) log.start();
    audit.start();
    std::vector<proxy::http_proxy*> proxies;
    for (const auto& w : workers) {
      proxies.push_back(w->proxy.get());
      registry.attach(w->lcore, &w->counters, &w->stack->counters(),
                      &w->proxy->balancing().counters);
    }
    reload->start(std::move(proxies), logging ? &log : nullptr, &audit);
    for (std::size_t i = 0; i < ports.size(); ++i) {
      const auto& m = ports[i].mac.addr_bytes;
      std::printf("ravelin: port %s (id %u) %02x:%02x:%02x:%02x:%02x:%02x up\n",
                  ports[i].name.c_str(), ports[i].port_id, m[0], m[1], m[2], m[3], m[4], m[5]);
    }
    std::printf("ravelin: ready, %zu lcore(s) running\n", workers.size());
    std::fflush(stdout);
    rc = run_workers(workers);
    reload->stop();
    std::printf("ravelin: stopping; counters:\n%s",
                format_stats(registry.snapshot(), false).c_str());
    std::fflush(stdout);
  }
  unregister_telemetry();
  proxy::unregister_route_telemetry();
  if (reload) reload->stop();
  release_dispatch(workers);
  workers.clear();
  // The writers' last records name routes and rules of the snapshots: they drain first.
  log.stop();
  audit.stop();
  reload.reset();  // snapshots after the proxies and writers that used them
  for (rte_ring* r : health_rings) rte_ring_free(r);
  stop_ports(ports);
  return rc;
}

}  // namespace ravelin::dataplane
