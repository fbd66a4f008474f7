// The balancer's per-lcore counters (kept in each lcore's balancer).
#pragma once

#include "ravelin/router/counter_block.h"

namespace ravelin::balancer {

#define RAVELIN_BALANCER_COUNTERS(X)                                                          \
  X(balancer_picks, "targets picked for a try")                                             \
  X(balancer_retries, "picks for a second or later try of the same request")               \
  X(balancer_no_peer, "picks refused: no target available (503)")                           \
  X(balancer_upstream_unhealthy, "picks refused: healthy weight under the threshold (503)") \
  X(balancer_unknown_upstream, "picks for an upstream index not in the running config")     \
  X(balancer_stale_reports, "reports or finishes for a target no longer configured, ignored") \
  X(balancer_target_down, "targets that became unavailable (unhealthy)")                    \
  X(balancer_target_up, "targets that became available again (healthy)")                    \
  X(balancer_probes_started, "active health probes handed to the dataplane")                \
  X(balancer_probes_lost, "active probes never reported within twice their timeout, rearmed")

RAVELIN_PLAIN_COUNTERS(RAVELIN_BALANCER_COUNTERS);

}  // namespace ravelin::balancer
