// Per-lcore counters summed on read. Each lcore registers the counter sets it owns once,
// before it starts; readers (telemetry thread, exit report, tests) only sum.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <rte_lcore.h>

#include "ravelin/balancer/counters.h"
#include "ravelin/dataplane/counters.h"
#include "ravelin/tcpstack/counters.h"

namespace ravelin::dataplane {

struct stat_value {
  const char* name;
  const char* description;
  uint64_t value;
};

class stats_registry {
 public:
  // Called before the lcores are launched; the sets must outlive the registry's readers.
  void attach(unsigned lcore, const counter_set* dataplane, const tcpstack::counter_set* stack,
              const balancer::counter_set* balancing = nullptr);

  // Sum over lcores, every counter of every module, in table order.
  std::vector<stat_value> snapshot() const;

 private:
  struct slot {
    const counter_set* dataplane = nullptr;
    const tcpstack::counter_set* stack = nullptr;
    const balancer::counter_set* balancing = nullptr;  // the proxy's balancer, if any
  };
  slot slots_[RTE_MAX_LCORE];
};

// Registers `/ravelin/stats` (every counter, summed) and `/ravelin/counters` (names and
// descriptions) on the DPDK telemetry socket. Call unregister_telemetry before `registry`
// or the counter sets it points to go away.
void register_telemetry(const stats_registry* registry);

// Detaches the registry; returns once no telemetry callback can still be reading it.
void unregister_telemetry();

// "name value" lines, skipping zero values unless `all`; for the exit report.
std::string format_stats(const std::vector<stat_value>& stats, bool all);

}  // namespace ravelin::dataplane
