// The per-target health state machine of lua-resty-healthcheck (incr_counter): one success
// counter and three failure counters shared by active and passive checks, each with the limit
// of the check that reports.
#pragma once

#include <cstdint>

#include "ravelin/balancer/balancer.h"

namespace ravelin::balancer::detail {

struct health_counters {
  uint8_t successes = 0;
  uint8_t http_failures = 0;
  uint8_t tcp_failures = 0;
  uint8_t timeouts = 0;
  bool any_failure() const { return http_failures + tcp_failures + timeouts > 0; }
};

// Thresholds of one check (active or passive); 0 turns that counter off.
struct health_limits {
  uint32_t successes = 0;
  uint32_t http_failures = 0;
  uint32_t tcp_failures = 0;
  uint32_t timeouts = 0;
  bool tcp_only = false;  // check type tcp: an HTTP answer is just a working connection
  const status_set* healthy_statuses = nullptr;
  const status_set* unhealthy_statuses = nullptr;
};

health_limits active_limits(const upstream_info& u);
health_limits passive_limits(const upstream_info& u);

// Applies one observation; returns the new state (counters updated in place).
health apply_check(health state, health_counters& c, const health_limits& lim, check_result r);

}  // namespace ravelin::balancer::detail
