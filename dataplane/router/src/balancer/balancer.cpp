// Per-lcore balancer: following config reloads, passive and forced health, and the helpers
// that format what Kong's balancer sets on the upstream request.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "internal/impl.h"

namespace ravelin::balancer {
namespace detail {
namespace {

std::string slot_key(std::string_view upstream, std::string_view address) {
  std::string key(upstream);
  key.push_back('\0');
  key.append(address);
  return key;
}

}  // namespace

double decayed_ewma(double ewma, uint64_t at_us, double rtt_us, uint64_t now_us) {
  constexpr double k_decay_us = 10e6;
  const double td = now_us > at_us ? static_cast<double>(now_us - at_us) : 0.0;
  const double w = std::exp(-td / k_decay_us);
  return ewma * w + rtt_us * (1.0 - w);
}

uint32_t balancer_impl::allocate_slot(std::string key) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    const uint32_t generation = slots_[slot].generation;
    slots_[slot] = target_state{};
    slots_[slot].generation = generation;
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[slot].key = key;
  by_key_.emplace(std::move(key), slot);
  return slot;
}

// New targets of a latency upstream start at the mean EWMA of the others (latency.lua
// calculate_slow_start_ewma), so that they are not flooded first.
void balancer_impl::slow_start(const std::vector<uint32_t>& fresh, uint64_t now_us) {
  for (size_t u = 0; u < ups_.size(); ++u) {
    if (config_->upstreams()[u].algorithm != mgmt::lb_algorithm::latency) continue;
    double sum = 0;
    size_t n = 0;
    for (uint32_t slot : ups_[u].slots) {
      if (std::find(fresh.begin(), fresh.end(), slot) != fresh.end()) continue;
      if (!is_available(slots_[slot].state)) continue;
      sum += decayed_ewma(slots_[slot].ewma, slots_[slot].ewma_at_us, 0, now_us);
      ++n;
    }
    if (n == 0) continue;
    for (uint32_t slot : ups_[u].slots) {
      if (std::find(fresh.begin(), fresh.end(), slot) == fresh.end()) continue;
      slots_[slot].ewma = sum / static_cast<double>(n);
      slots_[slot].ewma_at_us = now_us;
    }
  }
}

rebind_stats balancer_impl::rebind(std::shared_ptr<const balancer_config> config,
                                   uint64_t now_us) {
  rebind_stats stats;
  std::vector<bool> seen(slots_.size(), false);
  std::vector<uint32_t> fresh;
  std::vector<upstream_state> ups(config->upstreams().size());
  for (const upstream_info& u : config->upstreams()) {
    upstream_state& us = ups[u.index];
    for (uint32_t t = 0; t < u.targets.size(); ++t) {
      std::string key = slot_key(u.spec.name, u.targets[t].address);
      uint32_t slot;
      if (auto it = by_key_.find(key); it != by_key_.end()) {
        slot = it->second;
        ++stats.kept;
      } else {
        slot = allocate_slot(std::move(key));
        fresh.push_back(slot);
        ++stats.added;
      }
      if (slot >= seen.size()) seen.resize(slot + 1, false);
      seen[slot] = true;
      slots_[slot].upstream = u.index;
      slots_[slot].target = t;
      us.slots.push_back(slot);
      if (u.targets[t].weight > 0 && is_available(slots_[slot].state)) {
        us.available_weight += u.targets[t].weight;
      }
      if (slots_[slot].probing) ++us.probes_out;
    }
  }
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    target_state& s = slots_[slot];
    if (s.key.empty() || (slot < seen.size() && seen[slot])) continue;
    by_key_.erase(s.key);
    s.key.clear();
    ++s.generation;
    free_.push_back(slot);
    ++stats.removed;
  }
  config_ = std::move(config);
  ups_ = std::move(ups);
  slow_start(fresh, now_us);
  return stats;
}

target_state* balancer_impl::live_slot(const peer& p) {
  if (p.slot >= slots_.size() || slots_[p.slot].key.empty() ||
      slots_[p.slot].generation != p.generation) {
    counters_.add(counter::balancer_stale_reports);
    return nullptr;
  }
  return &slots_[p.slot];
}

void balancer_impl::set_state(target_state& s, health next) {
  if (next == s.state) return;
  const bool was = is_available(s.state);
  s.state = next;
  if (was == is_available(next)) return;
  s.next_probe_us = 0;  // now probed on the other interval, one interval from now
  const uint16_t weight = config_->upstreams()[s.upstream].targets[s.target].weight;
  upstream_state& us = ups_[s.upstream];
  if (was) {
    us.available_weight -= weight;
    counters_.add(counter::balancer_target_down);
  } else {
    us.available_weight += weight;
    counters_.add(counter::balancer_target_up);
  }
}

void balancer_impl::finish(const peer& p, uint64_t rtt_us, uint64_t now_us) noexcept {
  target_state* s = live_slot(p);
  if (s == nullptr) return;
  if (s->active > 0) --s->active;
  s->ewma = decayed_ewma(s->ewma, s->ewma_at_us, static_cast<double>(rtt_us), now_us);
  s->ewma_at_us = now_us;
}

health_change balancer_impl::report(const peer& p, check_result r, bool active,
                                    uint64_t) noexcept {
  target_state* s = live_slot(p);
  if (s == nullptr) return {};
  const upstream_info& u = config_->upstreams()[s->upstream];
  if (active && s->probing) {
    s->probing = false;
    if (ups_[s->upstream].probes_out > 0) --ups_[s->upstream].probes_out;
  }
  const bool was = is_available(s->state);
  const health_limits lim = active ? active_limits(u) : passive_limits(u);
  set_state(*s, apply_check(s->state, s->counters, lim, r));
  return {was != is_available(s->state), is_available(s->state)};
}

bool balancer_impl::set_health(std::string_view upstream, std::string_view address,
                               bool available) {
  // Keyed like slot_key() but built on the stack: transitions broadcast by other lcores
  // arrive here on the data path.
  std::array<char, 1024> buf;
  if (upstream.size() + 1 + address.size() > buf.size()) return false;
  std::memcpy(buf.data(), upstream.data(), upstream.size());
  buf[upstream.size()] = '\0';
  std::memcpy(buf.data() + upstream.size() + 1, address.data(), address.size());
  const auto it = by_key_.find(std::string_view(buf.data(), upstream.size() + 1 + address.size()));
  if (it == by_key_.end()) return false;
  target_state& s = slots_[it->second];
  s.counters = {};  // healthcheck.lua set_target_status clears the counters
  set_state(s, available ? health::healthy : health::unhealthy);
  return true;
}

// Kong's balancer is healthy when the available share of the weight is above the threshold
// (balancers.lua updateStatus); Kong's docs call threshold the minimum share, so a share equal
// to it counts as healthy here.
upstream_health balancer_impl::health_of(uint32_t upstream) const {
  upstream_health h;
  if (!config_ || upstream >= ups_.size()) return h;
  const upstream_info& u = config_->upstreams()[upstream];
  h.total_weight = u.total_weight;
  h.available_weight = ups_[upstream].available_weight;
  h.healthy = h.available_weight > 0 && static_cast<double>(h.available_weight) * 100.0 >=
                                            u.spec.healthchecks.threshold *
                                                static_cast<double>(h.total_weight);
  return h;
}

}  // namespace detail

bool request_state::was_tried(uint32_t slot) const {
  const size_t n = tries < k_tracked ? tries : k_tracked;
  for (size_t i = 0; i < n; ++i) {
    if (tried[i] == slot) return true;
  }
  return false;
}

balancer::balancer(uint64_t seed) : impl_(std::make_unique<detail::balancer_impl>(seed, counters)) {}
balancer::~balancer() = default;

rebind_stats balancer::rebind(std::shared_ptr<const balancer_config> config, uint64_t now_us) {
  if (!config) config = std::make_shared<balancer_config>();  // no upstreams at all
  return impl_->rebind(std::move(config), now_us);
}
const balancer_config* balancer::config() const { return impl_->config_.get(); }

pick_status balancer::pick(uint32_t upstream, const hash_source* hashing, request_state& rs,
                           peer& out, uint64_t now_us) noexcept {
  return impl_->pick(upstream, hashing, rs, out, now_us);
}
void balancer::finish(const peer& p, uint64_t rtt_us, uint64_t now_us) noexcept {
  impl_->finish(p, rtt_us, now_us);
}
health_change balancer::report(const peer& p, check_result r, uint64_t now_us) noexcept {
  return impl_->report(p, r, false, now_us);
}
size_t balancer::due_probes(uint64_t now_us, std::span<probe> out) noexcept {
  return impl_->due_probes(now_us, out);
}
health_change balancer::report_probe(const peer& p, check_result r, uint64_t now_us) noexcept {
  return impl_->report(p, r, true, now_us);
}
bool balancer::set_health(std::string_view upstream, std::string_view address, bool available,
                          uint64_t) {
  return impl_->set_health(upstream, address, available);
}
upstream_health balancer::health_of(uint32_t upstream) const { return impl_->health_of(upstream); }

health balancer::target_health(uint32_t upstream, uint32_t target) const {
  if (upstream >= impl_->ups_.size() || target >= impl_->ups_[upstream].slots.size()) {
    return health::unhealthy;
  }
  return impl_->slots_[impl_->ups_[upstream].slots[target]].state;
}

uint32_t balancer::active_connections(uint32_t upstream, uint32_t target) const {
  if (upstream >= impl_->ups_.size() || target >= impl_->ups_[upstream].slots.size()) return 0;
  return impl_->slots_[impl_->ups_[upstream].slots[target]].active;
}

}  // namespace ravelin::balancer
