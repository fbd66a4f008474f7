#include <gtest/gtest.h>

#include <vector>

#include "ravelin/hw/numa.h"

namespace ravelin::hw {
namespace {

// cpus 0-1 on node 0, 2-3 on node 1.
cpu_topology two_nodes() {
  cpu_topology topo;
  topo.online = {0, 1, 2, 3};
  for (unsigned cpu = 0; cpu < 4; ++cpu) {
    topo.cpus.push_back(
        {.cpu = cpu, .core_id = 0, .package_id = 0, .numa_node = static_cast<int>(cpu / 2)});
  }
  topo.nodes = {{.id = 0, .cpus = {0, 1}}, {.id = 1, .cpus = {2, 3}}};
  return topo;
}

port_capabilities port_on(int socket) {
  port_capabilities port;
  port.port_id = 0;
  port.name = "0000:3b:00.0";
  port.socket_id = socket;
  return port;
}

TEST(numa_warnings, lcores_on_the_ports_node_are_quiet) {
  const std::vector<unsigned> lcores{0, 1};
  const std::vector<port_capabilities> ports{port_on(0)};
  EXPECT_TRUE(numa_warnings(lcores, two_nodes(), ports).empty());
}

TEST(numa_warnings, remote_lcores_are_named_in_one_line_per_port) {
  const std::vector<unsigned> lcores{1, 2, 3};
  const std::vector<port_capabilities> ports{port_on(0)};
  const auto warnings = numa_warnings(lcores, two_nodes(), ports);
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0],
            "port 0 (0000:3b:00.0) is on NUMA node 0 but lcores 2 (node 1), 3 (node 1) are "
            "not; their packets cross the socket interconnect");
}

TEST(numa_warnings, socket_any_is_skipped) {
  const std::vector<unsigned> lcores{2};
  const std::vector<port_capabilities> ports{port_on(-1)};
  EXPECT_TRUE(numa_warnings(lcores, two_nodes(), ports).empty());
}

TEST(numa_warnings, offline_lcore_is_reported) {
  const std::vector<unsigned> lcores{9};
  const auto warnings = numa_warnings(lcores, two_nodes(), {});
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0], "lcore 9 is not an online CPU");
}

}  // namespace
}  // namespace ravelin::hw
