// lua-resty-healthcheck semantics (lib/resty/healthcheck.lua): report_http_status classifies a
// status by the check's lists (unknown statuses are ignored, a missing one is a failure);
// incr_counter counts towards the opposite state, a success clears every failure counter and
// a failure clears the success counter; reaching the limit switches state, a first step
// towards it gives mostly_healthy / mostly_unhealthy.
#include "internal/health.h"

#include <algorithm>

namespace ravelin::balancer::detail {
namespace {

enum class counter_kind : uint8_t { success, http, tcp, timeout };

health incr_counter(health state, health_counters& c, uint32_t limit, counter_kind kind) {
  const bool towards_healthy = kind == counter_kind::success;
  if (limit == 0) return state;  // that check is off
  if (towards_healthy ? state == health::healthy : state == health::unhealthy) return state;
  auto bump = [](uint8_t& v) { v = static_cast<uint8_t>(std::min(255, v + 1)); };
  uint8_t value = 0;
  switch (kind) {
    case counter_kind::success:
      bump(c.successes);
      c.http_failures = c.tcp_failures = c.timeouts = 0;
      value = c.successes;
      break;
    case counter_kind::http:
      bump(c.http_failures);
      value = c.http_failures;
      break;
    case counter_kind::tcp:
      bump(c.tcp_failures);
      value = c.tcp_failures;
      break;
    case counter_kind::timeout:
      bump(c.timeouts);
      value = c.timeouts;
      break;
  }
  if (!towards_healthy) c.successes = 0;
  if (value >= limit) return towards_healthy ? health::healthy : health::unhealthy;
  if (state == health::healthy && c.any_failure()) return health::mostly_healthy;
  if (state == health::unhealthy && c.successes > 0) return health::mostly_unhealthy;
  return state;
}

health_limits limits_of(uint32_t successes, const mgmt::active_unhealthy* au,
                        const mgmt::passive_unhealthy* pu, bool tcp_only) {
  health_limits l;
  l.successes = successes;
  l.http_failures = au ? au->http_failures : pu->http_failures;
  l.tcp_failures = au ? au->tcp_failures : pu->tcp_failures;
  l.timeouts = au ? au->timeouts : pu->timeouts;
  l.tcp_only = tcp_only;
  return l;
}

}  // namespace

health_limits active_limits(const upstream_info& u) {
  const auto& a = u.spec.healthchecks.active;
  health_limits l = limits_of(a.healthy.successes, &a.unhealthy, nullptr,
                              a.type == mgmt::healthcheck_type::tcp);
  l.healthy_statuses = &u.active_healthy;
  l.unhealthy_statuses = &u.active_unhealthy;
  return l;
}

health_limits passive_limits(const upstream_info& u) {
  const auto& p = u.spec.healthchecks.passive;
  health_limits l = limits_of(p.healthy.successes, nullptr, &p.unhealthy,
                              p.type == mgmt::healthcheck_type::tcp);
  l.healthy_statuses = &u.passive_healthy;
  l.unhealthy_statuses = &u.passive_unhealthy;
  return l;
}

health apply_check(health state, health_counters& c, const health_limits& lim, check_result r) {
  switch (r.what) {
    case check_result::kind::tcp_success:
      return incr_counter(state, c, lim.successes, counter_kind::success);
    case check_result::kind::tcp_failure:
      return incr_counter(state, c, lim.tcp_failures, counter_kind::tcp);
    case check_result::kind::timeout:
      return incr_counter(state, c, lim.timeouts, counter_kind::timeout);
    case check_result::kind::http_status:
      break;
  }
  if (lim.tcp_only) return incr_counter(state, c, lim.successes, counter_kind::success);
  if (lim.healthy_statuses->has(r.status)) {
    return incr_counter(state, c, lim.successes, counter_kind::success);
  }
  if (r.status == 0 || lim.unhealthy_statuses->has(r.status)) {
    return incr_counter(state, c, lim.http_failures, counter_kind::http);
  }
  return state;  // neither list: ignored
}

}  // namespace ravelin::balancer::detail
