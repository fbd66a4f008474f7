// NUMA placement checks: an lcore polling a port on another socket pays a cross-socket
// hop for every descriptor and packet buffer, which --probe and start-up should say aloud.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "ravelin/hw/port_caps.h"
#include "ravelin/hw/topology.h"

namespace ravelin::hw {

// One line per port that has configured lcores on another NUMA node, and one per lcore
// that is not an online CPU. `lcores` are CPU numbers as given to the EAL with -l (lcore
// id == CPU id). Ports with socket_id -1 (SOCKET_ID_ANY: virtual devices, single-node
// machines) and lcores whose node is unknown are skipped. Pure: no EAL needed.
std::vector<std::string> numa_warnings(std::span<const unsigned> lcores,
                                       const cpu_topology& topology,
                                       std::span<const port_capabilities> ports);

}  // namespace ravelin::hw
