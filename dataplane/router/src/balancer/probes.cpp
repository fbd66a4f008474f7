// Active health check schedule (lua-resty-healthcheck checker_callback): targets in a healthy
// state are probed every active.healthy.interval, the others every active.unhealthy.interval,
// the first probe one interval after the target (or its new state) appears, at most
// active.concurrency probes out per upstream. The probe I/O belongs to the dataplane.
#include <algorithm>
#include <charconv>

#include "internal/impl.h"
#include "common/text_writer.h"

namespace ravelin::balancer {
namespace detail {
namespace {

uint64_t seconds_to_us(double s) { return static_cast<uint64_t>(s * 1e6); }

}  // namespace

size_t balancer_impl::due_probes(uint64_t now_us, std::span<probe> out) noexcept {
  size_t n = 0;
  if (!config_) return 0;
  for (const upstream_info& u : config_->upstreams()) {
    if (!u.active_checks()) continue;
    const auto& active = u.spec.healthchecks.active;
    upstream_state& us = ups_[u.index];
    for (uint32_t t = 0; t < u.targets.size(); ++t) {
      if (u.targets[t].weight == 0) continue;
      const uint32_t slot = us.slots[t];
      target_state& s = slots_[slot];
      if (s.probing) {
        if (now_us < s.probe_deadline_us) continue;
        s.probing = false;  // never reported: count it and let it be probed again
        if (us.probes_out > 0) --us.probes_out;
        counters_.add(counter::balancer_probes_lost);
      }
      const double interval =
          is_available(s.state) ? active.healthy.interval : active.unhealthy.interval;
      if (interval <= 0) continue;
      if (s.next_probe_us == 0) s.next_probe_us = now_us + seconds_to_us(interval);
      if (now_us < s.next_probe_us || us.probes_out >= active.concurrency) continue;
      if (n == out.size()) return n;
      out[n++] = probe{peer{u.index, t, slot, s.generation, u.targets[t].host, u.targets[t].port},
                       &u};
      s.probing = true;
      s.probe_deadline_us = now_us + 2 * seconds_to_us(std::max(active.timeout, 1.0));
      s.next_probe_us = now_us + seconds_to_us(interval);
      ++us.probes_out;
      counters_.add(counter::balancer_probes_started);
    }
  }
  return n;
}

}  // namespace detail

namespace {

bool has_port(std::string_view host) {
  if (host.starts_with('[')) return host.find("]:") != std::string_view::npos;
  return std::count(host.begin(), host.end(), ':') == 1;
}

bool default_port(uint16_t port, mgmt::protocol_type scheme) {
  using mgmt::protocol_type;
  if (port == 80) return scheme == protocol_type::http || scheme == protocol_type::grpc;
  if (port == 443) return scheme == protocol_type::https || scheme == protocol_type::grpcs;
  return false;
}

}  // namespace

std::string_view upstream_host_header(const upstream_info& u, const peer& p,
                                      mgmt::protocol_type scheme, std::span<char> out) noexcept {
  ravelin::detail::text_writer w(out);
  if (u.spec.host_header) {
    w.put(*u.spec.host_header);
    if (has_port(*u.spec.host_header)) return w.overflow() ? std::string_view{} : w.view();
  } else if (p.host.find(':') != std::string_view::npos) {
    w.put('[');
    w.put(p.host);
    w.put(']');
  } else {
    w.put(p.host);
  }
  if (!default_port(p.port, scheme)) {
    char digits[8];
    const auto len = std::to_chars(digits, digits + sizeof digits, p.port).ptr - digits;
    w.put(':');
    w.put(std::string_view(digits, static_cast<size_t>(len)));
  }
  return w.overflow() ? std::string_view{} : w.view();
}

std::string_view probe_host_header(const upstream_info& u, const peer& p) noexcept {
  return u.spec.host_header ? std::string_view(*u.spec.host_header) : p.host;
}

std::string_view hash_cookie_header(const upstream_info& u, const request_state& rs,
                                    std::span<char> out) noexcept {
  ravelin::detail::text_writer w(out);
  w.put(u.spec.hash_on_cookie);
  w.put('=');
  w.put(rs.cookie_value());
  w.put("; Path=");
  w.put(u.spec.hash_on_cookie_path);
  w.put("; Same-Site=Lax; HttpOnly");
  return w.overflow() ? std::string_view{} : w.view();
}

}  // namespace ravelin::balancer
