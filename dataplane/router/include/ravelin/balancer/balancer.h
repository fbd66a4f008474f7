// Upstream load balancing and health checking (kong.md §4, kong/runloop/balancer/*.lua,
// lua-resty-healthcheck). Two halves:
//   balancer_config — immutable, built once per snapshot, shared by all lcores: upstreams,
//                     targets, consistent-hashing rings, compiled health-check settings.
//   balancer        — one per lcore, no locks: health state machines, connection counts,
//                     latency EWMAs, round-robin weights and the active-probe schedule. It
//                     follows config reloads with rebind(), keeping the state of every target
//                     whose (upstream name, target address) is still configured.
//
// Proxy use: pick() per try → connect to peer.host:peer.port → report() the outcome (passive
// checks) → finish() when the request is over. Active checks: the dataplane polls
// due_probes(), does the probe I/O and feeds report_probe() — on one lcore only, or every
// lcore probes every target. Health is per lcore: when a report returns changed, send
// (upstream name, target address, available) to the other lcores over rte_ring; they apply
// it with set_health(), as Kong's workers share lua-resty-healthcheck events.
#pragma once

#include <bitset>
#include <functional>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/balancer/balancer_types.h"
#include "ravelin/balancer/counters.h"
#include "ravelin/mgmt/kong_entities.h"

namespace ravelin::balancer {

struct target_info {
  // Kong's `target` field, "host:port" ("[v6]:port"); a name's addresses each get an entry
  // "name:port@address", as Kong gives every A record its own place in the balancer.
  std::string address;
  std::string host;   // as configured: the Host header for a balanced try
  uint32_t ipv4 = 0;  // where to connect (host byte order); 0: no address
  uint16_t port = 8000;
  uint16_t weight = 100;  // 0: configured but never picked nor probed
};

// A host name's IPv4 addresses, in answer order (the caller's resolver).
using host_lookup = std::function<std::vector<uint32_t>(std::string_view host)>;

// HTTP status codes as a set (healthchecks.*.http_statuses).
struct status_set {
  std::bitset<1000> bits;
  bool has(uint16_t s) const { return s < bits.size() && bits.test(s); }
};

struct upstream_info {
  uint32_t index = 0;  // in kong_config::upstreams
  mgmt::upstream spec;  // as configured (algorithm, hash_on..., healthchecks, host_header)
  mgmt::lb_algorithm algorithm = mgmt::lb_algorithm::round_robin;  // hash_on forces hashing
  std::vector<target_info> targets;  // one per address (a later duplicate replaces the first)
  uint64_t total_weight = 0;
  // Consistent-hashing continuum: (point, target) sorted by point over [0, ring_points).
  uint32_t ring_points = 0;
  std::vector<std::pair<uint32_t, uint32_t>> ring;
  status_set active_healthy, active_unhealthy, passive_healthy, passive_unhealthy;
  bool active_checks() const;  // some active interval is set
};

class balancer_config {
 public:
  // Never fails: the loader already validated upstreams and targets. With `lookup`, a
  // target named by host name becomes one entry per address, each with the target's weight;
  // a name without addresses stays with weight 0. Without it, names have no address.
  static std::shared_ptr<const balancer_config> build(const mgmt::kong_config& config,
                                                      const host_lookup& lookup = nullptr);

  std::span<const upstream_info> upstreams() const { return upstreams_; }
  // By name, as a service's host names its upstream; nullptr if none. Linear: control path
  // (the proxy takes the index from router::service_info::upstream).
  const upstream_info* find(std::string_view name) const;

 private:
  std::vector<upstream_info> upstreams_;
};

// What rebind() did with the targets of the new config.
struct rebind_stats {
  uint32_t kept = 0;     // state carried over from the previous config
  uint32_t added = 0;    // new targets, starting healthy
  uint32_t removed = 0;  // state dropped
};

struct upstream_health {
  uint64_t total_weight = 0;
  uint64_t available_weight = 0;
  bool healthy = false;  // available weight > 0 and its share ≥ healthchecks.threshold %
};

// An active health check to run: connect to target.host:target.port and, for http/https,
// GET upstream->spec.healthchecks.active.http_path with probe_host_header(); then report the
// result (or a timeout after active.timeout seconds) through report_probe().
struct probe {
  peer target;
  const upstream_info* upstream = nullptr;
};

namespace detail {
class balancer_impl;
}

class balancer {
 public:
  explicit balancer(uint64_t seed = 1);  // seed: this lcore's PRNG (latency, cookies)
  ~balancer();
  balancer(const balancer&) = delete;
  balancer& operator=(const balancer&) = delete;

  // Switches to `config` at a quiescent point. Allocates: control path only.
  rebind_stats rebind(std::shared_ptr<const balancer_config> config, uint64_t now_us);
  const balancer_config* config() const;

  // Chooses a target for the next try of `rs` (excluding targets it already tried while
  // others are available). `hashing` may be null unless the upstream hashes on something.
  [[nodiscard]] pick_status pick(uint32_t upstream, const hash_source* hashing, request_state& rs,
                                 peer& out, uint64_t now_us) noexcept;
  // The try is over: releases its connection count and, with rtt_us (connect + response
  // time), feeds the latency EWMA.
  void finish(const peer& p, uint64_t rtt_us, uint64_t now_us) noexcept;
  // Passive check (circuit breaker) from proxied traffic.
  health_change report(const peer& p, check_result r, uint64_t now_us) noexcept;

  // Active checks due now (at most out.size(); the rest stay due). Call every ~100 ms.
  size_t due_probes(uint64_t now_us, std::span<probe> out) noexcept;
  health_change report_probe(const peer& p, check_result r, uint64_t now_us) noexcept;

  // Forces a target's state and clears its counters: Admin API .../healthy|unhealthy, or a
  // transition another lcore broadcast. false if no such target is configured.
  bool set_health(std::string_view upstream, std::string_view address, bool available,
                  uint64_t now_us);

  upstream_health health_of(uint32_t upstream) const;
  health target_health(uint32_t upstream, uint32_t target) const;
  uint32_t active_connections(uint32_t upstream, uint32_t target) const;

  counter_set counters;

 private:
  std::unique_ptr<detail::balancer_impl> impl_;
};

// Host header for a balanced try (balancer/init.lua set_host_header): upstream.host_header or
// the target host, plus ":port" unless it is `scheme`'s default. Empty if `out` is too small.
std::string_view upstream_host_header(const upstream_info& u, const peer& p,
                                      mgmt::protocol_type scheme, std::span<char> out) noexcept;
// Host header for an active probe: upstream.host_header, else the target host.
std::string_view probe_host_header(const upstream_info& u, const peer& p) noexcept;
// Set-Cookie value for a cookie made up by hash_on=cookie (balancer/init.lua set_cookie).
std::string_view hash_cookie_header(const upstream_info& u, const request_state& rs,
                                    std::span<char> out) noexcept;

}  // namespace ravelin::balancer
