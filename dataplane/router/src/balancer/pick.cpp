// Target selection per algorithm (kong.md §4). Unavailable and zero-weight targets are never
// picked; targets this request already tried are avoided while any other is available.
#include <algorithm>

#include "internal/impl.h"
#include "internal/xxhash32.h"

namespace ravelin::balancer::detail {
namespace {

// Kong's get_value_to_hash for one hash_on kind; `fallback` selects the *_fallback_* names.
std::optional<std::string_view> hash_input(mgmt::hash_on_type on, const mgmt::upstream& u,
                                           bool fallback, const hash_source& src) {
  switch (on) {
    case mgmt::hash_on_type::none:
      return std::nullopt;
    case mgmt::hash_on_type::consumer:
      return src.consumer_id();
    case mgmt::hash_on_type::ip:
      return src.client_ip();
    case mgmt::hash_on_type::header:
      return src.header(fallback ? u.hash_fallback_header : u.hash_on_header);
    case mgmt::hash_on_type::cookie:
      return src.cookie(u.hash_on_cookie);
    case mgmt::hash_on_type::path:
      return src.path();
    case mgmt::hash_on_type::query_arg:
      return src.query_arg(fallback ? u.hash_fallback_query_arg : u.hash_on_query_arg);
    case mgmt::hash_on_type::uri_capture:
      return src.uri_capture(fallback ? u.hash_fallback_uri_capture : u.hash_on_uri_capture);
  }
  return std::nullopt;
}

// A random (version 4) UUID in its 36-character text form, as Kong's utils.uuid().
void make_uuid(std::array<char, 36>& out, uint64_t a, uint64_t b) {
  static constexpr char k_hex[] = "0123456789abcdef";
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(a >> (8 * i));
    bytes[8 + i] = static_cast<unsigned char>(b >> (8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // RFC 9562 §5.4 version
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // variant
  size_t o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = k_hex[bytes[i] >> 4];
    out[o++] = k_hex[bytes[i] & 15];
  }
}

}  // namespace

uint64_t balancer_impl::next_random() {  // xorshift64*
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return rng_ * 0x2545F4914F6CDD1DULL;
}

uint32_t balancer_impl::hash_of(const upstream_info& u, const hash_source* src,
                                request_state& rs) {
  std::optional<std::string_view> value;
  if (src != nullptr) {
    value = hash_input(u.spec.hash_on, u.spec, false, *src);
    if (!value) value = hash_input(u.spec.hash_fallback, u.spec, true, *src);
  }
  if (!value && u.spec.hash_on == mgmt::hash_on_type::cookie) {
    make_uuid(rs.cookie, next_random(), next_random());
    rs.set_cookie = true;
    value = rs.cookie_value();
  }
  return xxhash32(value.value_or(""));  // no value: Kong hashes ""
}

bool balancer_impl::eligible(const upstream_info& u, const upstream_state& us, uint32_t t,
                             const request_state& rs, bool avoid_tried) const {
  const uint32_t slot = us.slots[t];
  return u.targets[t].weight > 0 && is_available(slots_[slot].state) &&
         !(avoid_tried && rs.was_tried(slot));
}

// nginx's smooth weighted round-robin (ngx_http_upstream_get_peer): every candidate gains
// its weight, the largest current weight wins and gives back the sum.
int64_t balancer_impl::round_robin(const upstream_info& u, upstream_state& us,
                                   const request_state& rs, bool avoid_tried) {
  int64_t best = -1;
  int64_t total = 0;
  for (uint32_t t = 0; t < u.targets.size(); ++t) {
    if (!eligible(u, us, t, rs, avoid_tried)) continue;
    target_state& s = slots_[us.slots[t]];
    s.rr_current += u.targets[t].weight;
    total += u.targets[t].weight;
    if (best < 0 || s.rr_current > slots_[us.slots[best]].rr_current) best = t;
  }
  if (best >= 0) slots_[us.slots[best]].rr_current -= total;
  return best;
}

// least_connections.lua: lowest (connections + 1) / weight; ties go round the targets.
int64_t balancer_impl::least_connections(const upstream_info& u, upstream_state& us,
                                         const request_state& rs, bool avoid_tried) {
  const auto n = static_cast<uint32_t>(u.targets.size());
  if (n == 0) return -1;
  const uint32_t start = us.lc_cursor++ % n;
  int64_t best = -1;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t t = (start + i) % n;
    if (!eligible(u, us, t, rs, avoid_tried)) continue;
    if (best < 0) {
      best = t;
      continue;
    }
    const uint64_t load = slots_[us.slots[t]].active + 1ULL;
    const uint64_t best_load = slots_[us.slots[best]].active + 1ULL;
    if (load * u.targets[best].weight < best_load * u.targets[t].weight) best = t;
  }
  return best;
}

// consistent_hashing.lua getPeer: the point the hash falls on, then counter-clockwise to the
// first point whose target is available.
int64_t balancer_impl::consistent_hash(const upstream_info& u, const upstream_state& us,
                                       const request_state& rs, bool avoid_tried) const {
  if (u.ring.empty()) return -1;
  const uint32_t point = rs.hash % u.ring_points;
  auto it = std::upper_bound(u.ring.begin(), u.ring.end(), point,
                             [](uint32_t p, const auto& e) { return p < e.first; });
  const size_t n = u.ring.size();
  size_t i = it == u.ring.begin() ? n - 1 : static_cast<size_t>(it - u.ring.begin()) - 1;
  for (size_t step = 0; step < n; ++step) {
    const uint32_t t = u.ring[i].second;
    if (eligible(u, us, t, rs, avoid_tried)) return t;
    i = i == 0 ? n - 1 : i - 1;
  }
  return -1;
}

// latency.lua: power of two choices on decayed EWMA / weight (Kong takes the first two of an
// unordered table; two random candidates here).
int64_t balancer_impl::lowest_latency(const upstream_info& u, const upstream_state& us,
                                      const request_state& rs, bool avoid_tried,
                                      uint64_t now_us) {
  uint32_t count = 0;
  for (uint32_t t = 0; t < u.targets.size(); ++t) count += eligible(u, us, t, rs, avoid_tried);
  if (count == 0) return -1;
  uint32_t want_a = static_cast<uint32_t>(next_random() % count);
  uint32_t want_b = want_a;
  if (count > 1) {
    want_b = static_cast<uint32_t>(next_random() % (count - 1));
    if (want_b >= want_a) ++want_b;
  }
  int64_t a = -1;
  int64_t b = -1;
  for (uint32_t t = 0, k = 0; t < u.targets.size(); ++t) {
    if (!eligible(u, us, t, rs, avoid_tried)) continue;
    if (k == want_a) a = t;
    if (k == want_b) b = t;
    ++k;
  }
  auto score = [&](int64_t t) {
    const target_state& s = slots_[us.slots[t]];
    return decayed_ewma(s.ewma, s.ewma_at_us, 0, now_us) / u.targets[t].weight;
  };
  return score(b) < score(a) ? b : a;
}

pick_status balancer_impl::pick(uint32_t upstream, const hash_source* hashing,
                                request_state& rs, peer& out, uint64_t now_us) noexcept {
  if (!config_ || upstream >= ups_.size()) {
    counters_.add(counter::balancer_unknown_upstream);
    return pick_status::unknown_upstream;
  }
  const upstream_info& u = config_->upstreams()[upstream];
  upstream_state& us = ups_[upstream];
  if (!health_of(upstream).healthy) {
    counters_.add(counter::balancer_upstream_unhealthy);
    return pick_status::upstream_unhealthy;
  }
  if (u.algorithm == mgmt::lb_algorithm::consistent_hashing && !rs.hashed) {
    rs.hash = hash_of(u, hashing, rs);
    rs.hashed = true;
  }
  int64_t t = -1;
  for (bool avoid_tried : {true, false}) {
    switch (u.algorithm) {
      case mgmt::lb_algorithm::round_robin:
        t = round_robin(u, us, rs, avoid_tried);
        break;
      case mgmt::lb_algorithm::least_connections:
        t = least_connections(u, us, rs, avoid_tried);
        break;
      case mgmt::lb_algorithm::consistent_hashing:
        t = consistent_hash(u, us, rs, avoid_tried);
        break;
      case mgmt::lb_algorithm::latency:
        t = lowest_latency(u, us, rs, avoid_tried, now_us);
        break;
    }
    if (t >= 0 || rs.tries == 0) break;  // every target tried: allow them again
  }
  if (t < 0) {
    counters_.add(counter::balancer_no_peer);
    return pick_status::no_peer;
  }
  const uint32_t slot = us.slots[t];
  const target_info& tg = u.targets[t];
  out = peer{upstream, static_cast<uint32_t>(t), slot, slots_[slot].generation, tg.host, tg.port};
  rs.tried[rs.tries % request_state::k_tracked] = slot;
  if (rs.tries > 0) counters_.add(counter::balancer_retries);
  ++rs.tries;
  ++slots_[slot].active;
  counters_.add(counter::balancer_picks);
  return pick_status::ok;
}

}  // namespace ravelin::balancer::detail
