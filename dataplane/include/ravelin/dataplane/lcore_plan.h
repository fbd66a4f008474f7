// Which lcore polls which (port, queue): decided once from the config, before any lcore runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ravelin/mgmt/config.h"

namespace ravelin::dataplane {

struct queue_ref {
  uint16_t port_index = 0;  // index into appliance_config::ports
  uint16_t queue = 0;       // rx queue polled and tx queue used for replies
};

struct lcore_assignment {
  unsigned lcore = 0;
  uint8_t roles = 0;
  std::vector<queue_ref> queues;
};

struct lcore_plan {
  std::vector<lcore_assignment> lcores;  // in config order
  std::vector<std::string> warnings;     // e.g. an io lcore that got no queue
};

// Spreads every port's queues over the io lcores round-robin, so each queue has exactly
// one owner and each owner transmits on the queue it polls (no tx locks).
lcore_plan plan_lcores(const mgmt::appliance_config& cfg);

}  // namespace ravelin::dataplane
