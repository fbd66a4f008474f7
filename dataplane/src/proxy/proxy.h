// The per-lcore HTTP/1.1 reverse proxy on the lcore's tcp_endpoint: client connections on
// the ravelin.proxy listeners, requests routed with Kong's router, peers picked by the
// balancer, an upstream connection pool, bodies streamed both ways with back-pressure,
// WebSocket tunnels, passive and active health checks, and access-log records handed to a
// writer thread. Every session, link and buffer is allocated when the lcore starts.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ravelin/balancer/balancer.h"
#include "ravelin/dataplane/counters.h"
#include "ravelin/http/parser.h"
#include "ravelin/mgmt/config.h"
#include "ravelin/router/router.h"
#include "ravelin/tcpstack/tcp.h"

#include "access_log.h"
#include "route_stats.h"
#include "waf_plugin.h"

namespace ravelin::dataplane::proxy {

// What every lcore's proxy shares under one snapshot: compiled once, read-only.
struct shared_state {
  std::shared_ptr<const router::router> router;
  std::shared_ptr<const balancer::balancer_config> balancing;
  std::shared_ptr<const waf_binding> waf;  // the waf plugins' engines and where they apply
};

class http_proxy;
struct snapshot;

// A health transition sent between lcores: indices into the balancer_config of the
// sender's snapshot generation.
struct health_event {
  uint32_t upstream;
  uint32_t target;
  uint32_t available;  // 0 or 1; a whole word keeps the ring element a multiple of 4 bytes
  uint32_t generation;
};

inline constexpr uint64_t k_ns_per_ms = 1'000'000;
inline constexpr uint32_t k_scratch_bytes = 2048;  // parser stitching (trailer lines)
inline constexpr uint32_t k_compose_bytes = 8192;  // composed header values; `out` headroom

// Forwards one tcp_handler's events to the proxy; one per kind of connection, so a callback
// knows from its handler whether `opaque` is a session, a link or a probe.
template <int Kind>
class handler_of final : public tcpstack::tcp_handler {
 public:
  explicit handler_of(http_proxy& p) : proxy_(p) {}
  void on_accepted(tcpstack::conn_id c, void* opaque) override;
  void on_connected(tcpstack::conn_id c, void* opaque) override;
  void on_readable(tcpstack::conn_id c, void* opaque, tcpstack::rx_view data) override;
  void on_writable(tcpstack::conn_id c, void* opaque) override;
  void on_peer_closed(tcpstack::conn_id c, void* opaque) override;
  void on_closed(tcpstack::conn_id c, void* opaque, tcpstack::close_reason r) override;

 private:
  http_proxy& proxy_;
};

class http_proxy {
 public:
  // Sessions and upstream links are bounded by `max_sessions` each. `settings` (the
  // ravelin.proxy section) hold for the proxy's life; `ordinal` picks this lcore's parts of
  // every snapshot, starting with `first`.
  http_proxy(tcpstack::tcp_endpoint& tcp, const mgmt::proxy_config& settings,
             const snapshot& first, uint32_t ordinal, uint32_t max_sessions,
             counter_set& counters, access_log_ring* log, uint64_t seed);
  ~http_proxy();
  http_proxy(const http_proxy&) = delete;
  http_proxy& operator=(const http_proxy&) = delete;

  // Listens on every non-TLS listener; false with a message when one cannot be opened.
  bool listen(std::string& error);
  // Timeouts, idle pool expiry and active health probes. Returns the work it did.
  uint32_t poll(uint64_t now_ns);
  void set_now(uint64_t now_ns) { now_ns_ = now_ns; }

  balancer::balancer& balancing() { return balancer_; }

  // Config reloads (reloader.h). The control thread offers the newest snapshot; the lcore
  // adopts it in poll(), and exchanges already running keep theirs. oldest_in_use() is the
  // lowest generation this lcore can still touch (acquire): older ones may be freed.
  void offer(const snapshot* s) { offered_.store(s, std::memory_order_release); }
  uint32_t oldest_in_use() const { return oldest_in_use_.load(std::memory_order_acquire); }

  // Health is kept per lcore; a change one lcore sees is sent to the others (balancer.h),
  // as Kong's workers share lua-resty-healthcheck events. `inbox` is this lcore's ring
  // (multi-producer), `peers` every other lcore's. Call before traffic flows.
  void share_health(rte_ring* inbox, std::vector<rte_ring*> peers);

  enum kind : int { client_kind, upstream_kind, probe_kind };
  struct session;
  struct link;
  struct probe_slot;

  // Client connection events (handler_of<client_kind>).
  void client_accepted(tcpstack::conn_id c, void* listener);
  void client_readable(session& s);
  void client_writable(session& s);
  void client_peer_closed(session& s);
  void client_closed(session& s, tcpstack::close_reason r);
  // Upstream connection events (handler_of<upstream_kind>).
  void upstream_connected(link& l);
  void upstream_readable(link& l);
  void upstream_writable(link& l);
  void upstream_peer_closed(link& l);
  void upstream_closed(link& l, tcpstack::close_reason r);
  // Active probe events (handler_of<probe_kind>).
  void probe_connected(probe_slot& p);
  void probe_readable(probe_slot& p);
  void probe_peer_closed(probe_slot& p);
  void probe_closed(probe_slot& p);

 private:
  // Room for an upstream request-target: percent-escaping may triple the path.
  uint32_t target_bytes() const { return settings_.max_request_line * 3 + 1024; }
  // A session's `out` buffer and the per-lcore scratch for composed header values.
  std::span<char> out_span(session& s);
  std::span<char> compose_span() { return {compose_buf_.get(), k_compose_bytes}; }
  // Client side (proxy.cpp).
  session* take_session();
  void release_session(session& s);
  void read_request_head(session& s);
  void start_request(session& s);
  bool route_request(session& s);
  // The waf plugin (waf_plugin.h): false when the request was answered (blocked).
  bool waf_check_head(session& s);
  // The response head is in: true when it may go to the client now; false while its body
  // is held back for phase 4 (waf_resume_response) or when the answer was refused.
  bool waf_check_response(session& s);
  // More of a held body (or the origin's end) arrived: true once the response may go on.
  bool waf_resume_response(session& s);
  bool waf_judge_response(session& s);
  void answer_blocked(session& s, const waf_decision& d, bool body_unread);
  void waf_abandon(session& s);
  void pump_request_body(session& s);
  void finish_exchange(session& s);
  void next_request(session& s);
  void answer_error(session& s, uint16_t status, std::string_view body, bool close);
  void close_client(session& s);
  bool flush_out(session& s);
  void expire(session& s);

  // Upstream side (upstream.cpp).
  bool pick_peer(session& s);
  void start_try(session& s);
  bool send_request_head(session& s);
  void fail_try(session& s, balancer::check_result outcome, bool retryable);
  void read_response_head(session& s);
  void start_response(session& s);
  void send_response_head(session& s);
  void pump_response_body(session& s);
  void start_tunnel(session& s);
  void pump_tunnel(session& s);
  link* take_idle_link(uint32_t ip, uint16_t port);
  link* connect_link(session& s);
  enum class link_end : uint8_t { keep, close, abort };  // to the pool, FIN, or RST
  void release_link(session& s, link_end how);
  void drop_link(link& l);
  void unlink_idle(link& l);
  void expire_idle_links();

  // Active health checks (probes.cpp).
  void start_probes();
  void end_probe(probe_slot& p, balancer::check_result r);
  void expire_probes();

  // Health reports, shared with the other lcores when availability flips (probes.cpp).
  void report(const balancer::peer& p, balancer::check_result r);
  void report_probe(const balancer::peer& p, balancer::check_result r);
  void broadcast(const balancer::peer& p, balancer::health_change c);
  uint32_t apply_peer_health();

  // Access log and traffic figures (proxy.cpp).
  void log_exchange(session& s);

  // Snapshots (proxy.cpp): adopting an offered one, and counting the exchanges that still
  // run under older ones.
  void adopt(const snapshot* next);
  void hold_snapshot(session& s);
  void drop_snapshot(session& s);
  void publish_oldest();
  waf_lane* lane_of(const snapshot* s) const;

  tcpstack::tcp_endpoint& tcp_;
  const mgmt::proxy_config settings_;
  const uint32_t ordinal_;
  counter_set& counters_;
  access_log_ring* log_;
  balancer::balancer balancer_;
  router::match_scratch match_scratch_;
  router::captures last_captures_;  // the last routed request's regex groups (uri_capture)
  uint32_t dns_turn_ = 0;           // round robin over a service host's addresses
  // The snapshot new exchanges start under, and older ones exchanges still run under with
  // how many do. A reload while every entry is taken waits until one frees.
  struct held_snapshot {
    const snapshot* snap = nullptr;
    uint32_t users = 0;
  };
  const snapshot* cur_;
  uint32_t cur_users_ = 0;
  std::array<held_snapshot, 8> held_{};
  uint32_t held_count_ = 0;
  std::atomic<const snapshot*> offered_;
  std::atomic<uint32_t> oldest_in_use_;
  handler_of<client_kind> client_handler_{*this};
  handler_of<upstream_kind> upstream_handler_{*this};
  handler_of<probe_kind> probe_handler_{*this};

  std::vector<session> sessions_;
  std::vector<session*> free_sessions_;
  std::vector<link> links_;
  std::vector<link*> free_links_;
  link* idle_head_ = nullptr;  // idle links, most recently used first
  std::vector<probe_slot> probes_;
  std::vector<mgmt::listen_config> listeners_;

  // Per-lcore scratch for work that finishes within one call: path normalization, the
  // upstream target, composed header values, probe lists.
  std::unique_ptr<char[]> path_buf_, target_buf_, compose_buf_;
  rte_ring* health_inbox_ = nullptr;
  std::vector<rte_ring*> health_peers_;
  uint64_t now_ns_ = 0;
  uint32_t depth_ = 0;  // nesting of next_request() through synchronous answers
  uint64_t next_sweep_ns_ = 0;
  uint64_t next_probe_ns_ = 0;
  http::limits request_limits_;
  http::limits response_limits_;
};

}  // namespace ravelin::dataplane::proxy
