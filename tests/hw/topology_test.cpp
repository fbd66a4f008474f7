#include <gtest/gtest.h>

#include "fake_sysfs.h"
#include "ravelin/hw/topology.h"

namespace ravelin::hw {
namespace {

// Two packages, two cores each with two hyperthreads, one node per package, and a
// memory-only node 2. cpu7 is offline: listed by its node but absent from `online`.
void write_two_socket_tree(const test::fake_sysfs& sys) {
  sys.write("devices/system/cpu/online", "0-6\n");
  const int core[] = {0, 1, 0, 1, 0, 1, 0, 1};
  const int package[] = {0, 0, 1, 1, 0, 0, 1, 1};
  for (int cpu = 0; cpu < 8; ++cpu) {
    const std::string dir = "devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    sys.write(dir + "core_id", std::to_string(core[cpu]) + "\n");
    sys.write(dir + "physical_package_id", std::to_string(package[cpu]) + "\n");
  }
  sys.write("devices/system/node/node0/cpulist", "0-1,4-5\n");
  sys.write("devices/system/node/node1/cpulist", "2-3,6-7\n");
  sys.write("devices/system/node/node2/cpulist", "\n");
  sys.write("devices/system/node/online", "0-2\n");  // a file named like no node
}

TEST(topology, reads_cpus_cores_packages_and_nodes) {
  test::fake_sysfs sys;
  write_two_socket_tree(sys);
  const cpu_topology topo = read_cpu_topology(sys.root());
  EXPECT_EQ(topo.error, "");
  EXPECT_EQ(topo.online, (std::vector<unsigned>{0, 1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(topo.cpus.size(), 7U);
  EXPECT_EQ(topo.cpus[3].package_id, 1);
  EXPECT_EQ(topo.cpus[3].core_id, 1);
  EXPECT_EQ(topo.core_count(), 4U);
  EXPECT_EQ(topo.package_count(), 2U);
  ASSERT_EQ(topo.nodes.size(), 3U);
  EXPECT_EQ(topo.nodes[1].cpus, (std::vector<unsigned>{2, 3, 6, 7}));
  EXPECT_TRUE(topo.nodes[2].cpus.empty());
  EXPECT_EQ(topo.node_of_cpu(0), 0);
  EXPECT_EQ(topo.node_of_cpu(5), 0);
  EXPECT_EQ(topo.node_of_cpu(6), 1);
  EXPECT_EQ(topo.node_of_cpu(7), -1);  // offline
  EXPECT_EQ(topo.node_of_cpu(99), -1);
}

TEST(topology, no_numa_sysfs_leaves_nodes_unknown) {
  test::fake_sysfs sys;
  sys.write("devices/system/cpu/online", "0\n");
  sys.write("devices/system/cpu/cpu0/topology/core_id", "0\n");
  sys.write("devices/system/cpu/cpu0/topology/physical_package_id", "0\n");
  const cpu_topology topo = read_cpu_topology(sys.root());
  EXPECT_EQ(topo.error, "");
  EXPECT_TRUE(topo.nodes.empty());
  EXPECT_EQ(topo.node_of_cpu(0), -1);
}

TEST(topology, missing_tree_reports_error_without_throwing) {
  test::fake_sysfs sys;
  const cpu_topology topo = read_cpu_topology(sys.path("nowhere"));
  EXPECT_NE(topo.error.find("cpu/online"), std::string::npos);
  EXPECT_TRUE(topo.cpus.empty());
}

TEST(topology, garbage_online_is_an_error) {
  test::fake_sysfs sys;
  sys.write("devices/system/cpu/online", "zero\n");
  EXPECT_NE(read_cpu_topology(sys.root()).error.find("cannot parse"), std::string::npos);
}

TEST(topology, real_sysfs_has_at_least_one_online_cpu) {
  const cpu_topology topo = read_cpu_topology();
  EXPECT_FALSE(topo.online.empty()) << topo.error;
}

}  // namespace
}  // namespace ravelin::hw
