// One lcore's balancer state. Target state lives in slots keyed by (upstream name, target
// address): a config reload maps the new targets onto the slots of the old ones, so health,
// counters, connection counts and EWMAs survive it (kong.md §9: #7835, #7566).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "internal/health.h"
#include "ravelin/balancer/balancer.h"

namespace ravelin::balancer::detail {

struct target_state {
  std::string key;  // upstream name, '\0', target address; empty when the slot is free
  uint32_t generation = 0;
  uint32_t upstream = 0;  // where the running config has this target
  uint32_t target = 0;
  health state = health::healthy;  // Kong adds targets healthy
  health_counters counters;
  int64_t rr_current = 0;  // smooth weighted round-robin current weight
  uint32_t active = 0;     // tries picked and not finished (least-connections)
  double ewma = 0;         // latency, µs (balancer/latency.lua)
  uint64_t ewma_at_us = 0;
  uint64_t next_probe_us = 0;  // 0: set one interval ahead at the next due_probes
  uint64_t probe_deadline_us = 0;
  bool probing = false;
};

struct upstream_state {
  std::vector<uint32_t> slots;  // by target index
  uint64_t available_weight = 0;
  uint32_t probes_out = 0;
  uint32_t lc_cursor = 0;  // rotates least-connections ties
};

struct key_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class balancer_impl {
 public:
  balancer_impl(uint64_t seed, counter_set& counters) : rng_(seed | 1), counters_(counters) {}

  rebind_stats rebind(std::shared_ptr<const balancer_config> config, uint64_t now_us);
  pick_status pick(uint32_t upstream, const hash_source* hashing, request_state& rs, peer& out,
                   uint64_t now_us) noexcept;
  void finish(const peer& p, uint64_t rtt_us, uint64_t now_us) noexcept;
  health_change report(const peer& p, check_result r, bool active, uint64_t now_us) noexcept;
  size_t due_probes(uint64_t now_us, std::span<probe> out) noexcept;
  bool set_health(std::string_view upstream, std::string_view address, bool available);
  upstream_health health_of(uint32_t upstream) const;

  std::shared_ptr<const balancer_config> config_;
  std::vector<target_state> slots_;
  std::vector<upstream_state> ups_;

 private:
  // Picks per algorithm: target index or -1. `avoid_tried` skips targets rs already tried.
  int64_t round_robin(const upstream_info& u, upstream_state& us, const request_state& rs,
                      bool avoid_tried);
  int64_t least_connections(const upstream_info& u, upstream_state& us, const request_state& rs,
                            bool avoid_tried);
  int64_t consistent_hash(const upstream_info& u, const upstream_state& us,
                          const request_state& rs, bool avoid_tried) const;
  int64_t lowest_latency(const upstream_info& u, const upstream_state& us,
                         const request_state& rs, bool avoid_tried, uint64_t now_us);
  bool eligible(const upstream_info& u, const upstream_state& us, uint32_t t,
                const request_state& rs, bool avoid_tried) const;
  uint32_t hash_of(const upstream_info& u, const hash_source* src, request_state& rs);
  uint64_t next_random();

  target_state* live_slot(const peer& p);
  void set_state(target_state& s, health next);
  uint32_t allocate_slot(std::string key);
  void slow_start(const std::vector<uint32_t>& fresh, uint64_t now_us);

  std::vector<uint32_t> free_;
  std::unordered_map<std::string, uint32_t, key_hash, std::equal_to<>> by_key_;
  uint64_t rng_;
  counter_set& counters_;
};

// Latency EWMA decayed to `now` (balancer/latency.lua decay_ewma, 10 s decay time).
double decayed_ewma(double ewma, uint64_t at_us, double rtt_us, uint64_t now_us);

}  // namespace ravelin::balancer::detail
