// Upstreams and targets of a snapshot (kong.md §1.4, §1.5) compiled for balancing: merged
// targets, status sets and the consistent-hashing continuum.
#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "internal/xxhash32.h"
#include "ravelin/balancer/balancer.h"

namespace ravelin::balancer {
namespace {

// consistent_hashing.lua constants.
constexpr uint32_t k_min_continuum = 1000;  // smaller `slots` fall back to this
constexpr uint32_t k_server_points = 160;   // points per target at equal weights

std::string ipv4_text(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

// A dotted quad as inet_pton(AF_INET) reads it.
bool parse_ipv4_text(const std::string& text, uint32_t& out) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) return false;
  out = ntohl(a.s_addr);
  return true;
}

status_set to_set(const std::vector<uint16_t>& codes) {
  status_set s;
  for (uint16_t c : codes) {
    if (c < s.bits.size()) s.bits.set(c);
  }
  return s;
}

// Ketama continuum as consistent_hashing.lua afterHostUpdate builds it: targets in (host,
// port) order, floor(weight share × targets × 160) points each (at least one), point i of a
// target at xxhash32("<ip>::<port> <i>") mod points (Kong's string, double colon included);
// a point already taken pushes that target's count one further.
void build_ring(upstream_info& u) {
  u.ring_points = u.spec.slots >= k_min_continuum ? u.spec.slots : k_min_continuum;
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < u.targets.size(); ++i) {
    if (u.targets[i].weight > 0) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const target_info& x = u.targets[a];
    const target_info& y = u.targets[b];
    return std::tie(x.host, x.port, x.ipv4) < std::tie(y.host, y.port, y.ipv4);
  });
  constexpr uint32_t k_free = 0xFFFFFFFF;
  std::vector<uint32_t> owner(u.ring_points, k_free);
  uint64_t placed_total = 0;
  for (uint32_t t : order) {
    const target_info& tg = u.targets[t];
    const double share = static_cast<double>(tg.weight) / static_cast<double>(u.total_weight);
    uint64_t entries = static_cast<uint64_t>(std::floor(share * order.size() * k_server_points));
    if (entries == 0) entries = 1;
    const std::string ip = tg.ipv4 != 0 ? ipv4_text(tg.ipv4) : tg.host;
    const std::string base = ip + "::" + std::to_string(tg.port) + " ";
    for (uint64_t i = 1; i <= entries && placed_total < u.ring_points; ++i) {
      if (i > u.ring_points) break;  // Kong logs "please increase the wheel size" here
      const uint32_t point = detail::xxhash32(base + std::to_string(i)) % u.ring_points;
      if (owner[point] == k_free) {
        owner[point] = t;
        ++placed_total;
      } else {
        ++entries;
      }
    }
  }
  for (uint32_t p = 0; p < u.ring_points; ++p) {
    if (owner[p] != k_free) u.ring.emplace_back(p, owner[p]);
  }
}

// Adds or (for a later duplicate address) replaces an entry.
void put_target(upstream_info& u, target_info t) {
  auto same = std::find_if(u.targets.begin(), u.targets.end(),
                           [&](const target_info& x) { return x.address == t.address; });
  if (same != u.targets.end()) {
    *same = std::move(t);
  } else {
    u.targets.push_back(std::move(t));
  }
}

void add_target(upstream_info& u, const mgmt::target& t, const host_lookup& lookup) {
  target_info out;
  out.address = t.target;
  out.host = t.host;
  out.port = t.port;
  out.weight = t.weight;
  if (parse_ipv4_text(t.host, out.ipv4) || !lookup) {
    put_target(u, std::move(out));
    return;
  }
  const std::vector<uint32_t> ips = lookup(t.host);
  if (ips.empty()) {
    out.weight = 0;  // Kong: a name that does not resolve has no address to balance on
    put_target(u, std::move(out));
    return;
  }
  for (uint32_t ip : ips) {
    target_info a = out;
    a.ipv4 = ip;
    a.address = t.target + "@" + ipv4_text(ip);
    put_target(u, std::move(a));
  }
}

upstream_info compile(const mgmt::kong_config& k, size_t index, const host_lookup& lookup) {
  upstream_info u;
  u.index = static_cast<uint32_t>(index);
  u.spec = k.upstreams[index];
  u.algorithm = u.spec.hash_on != mgmt::hash_on_type::none ? mgmt::lb_algorithm::consistent_hashing
                                                           : u.spec.algorithm;
  for (const mgmt::target& t : k.targets) {
    if (t.upstream.index && *t.upstream.index == index) add_target(u, t, lookup);
  }
  for (const target_info& t : u.targets) u.total_weight += t.weight;
  const auto& hc = u.spec.healthchecks;
  u.active_healthy = to_set(hc.active.healthy.http_statuses);
  u.active_unhealthy = to_set(hc.active.unhealthy.http_statuses);
  u.passive_healthy = to_set(hc.passive.healthy.http_statuses);
  u.passive_unhealthy = to_set(hc.passive.unhealthy.http_statuses);
  if (u.algorithm == mgmt::lb_algorithm::consistent_hashing && u.total_weight > 0) build_ring(u);
  return u;
}

}  // namespace

bool upstream_info::active_checks() const {
  const auto& a = spec.healthchecks.active;
  return a.healthy.interval > 0 || a.unhealthy.interval > 0;
}

std::shared_ptr<const balancer_config> balancer_config::build(const mgmt::kong_config& config,
                                                              const host_lookup& lookup) {
  auto out = std::make_shared<balancer_config>();
  out->upstreams_.reserve(config.upstreams.size());
  for (size_t i = 0; i < config.upstreams.size(); ++i) {
    out->upstreams_.push_back(compile(config, i, lookup));
  }
  return out;
}

const upstream_info* balancer_config::find(std::string_view name) const {
  for (const upstream_info& u : upstreams_) {
    if (u.spec.name == name) return &u;
  }
  return nullptr;
}

}  // namespace ravelin::balancer
