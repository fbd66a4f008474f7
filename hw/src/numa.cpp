// NUMA mismatch warnings between configured lcores and ports.
#include "ravelin/hw/numa.h"

#include <algorithm>

namespace ravelin::hw {

std::vector<std::string> numa_warnings(std::span<const unsigned> lcores,
                                       const cpu_topology& topology,
                                       std::span<const port_capabilities> ports) {
  std::vector<std::string> warnings;
  for (unsigned lcore : lcores) {
    if (!std::binary_search(topology.online.begin(), topology.online.end(), lcore)) {
      warnings.push_back("lcore " + std::to_string(lcore) + " is not an online CPU");
    }
  }
  for (const auto& port : ports) {
    if (port.socket_id < 0) continue;
    std::string remote;
    for (unsigned lcore : lcores) {
      const int node = topology.node_of_cpu(lcore);
      if (node < 0 || node == port.socket_id) continue;
      if (!remote.empty()) remote += ", ";
      remote += std::to_string(lcore) + " (node " + std::to_string(node) + ")";
    }
    if (remote.empty()) continue;
    warnings.push_back("port " + std::to_string(port.port_id) + " (" + port.name +
                       ") is on NUMA node " + std::to_string(port.socket_id) + " but lcores " +
                       remote + " are not; their packets cross the socket interconnect");
  }
  return warnings;
}

}  // namespace ravelin::hw
