#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include <rte_ethdev.h>

#include "eal_env.h"
#include "ravelin/hw/cpu.h"
#include "ravelin/hw/hugepages.h"
#include "ravelin/hw/numa.h"
#include "ravelin/hw/port_caps.h"
#include "ravelin/hw/report.h"
#include "ravelin/hw/topology.h"

namespace ravelin::hw {
namespace {

TEST(rss_hash_names, known_and_unknown_bits) {
  EXPECT_EQ(rss_hash_names(RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV6),
            (std::vector<std::string>{"ipv4", "ipv4-tcp", "ipv6"}));
  EXPECT_EQ(rss_hash_names(RTE_ETH_RSS_L3_SRC_ONLY | (uint64_t{1} << 22)),
            (std::vector<std::string>{"l3-src-only", "bit22"}));
  EXPECT_EQ(rss_hash_names(RTE_ETH_RSS_LEVEL_INNERMOST | RTE_ETH_RSS_IPV4),
            (std::vector<std::string>{"level-2", "ipv4"}));
  EXPECT_TRUE(rss_hash_names(0).empty());
}

class port_probe : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ravelin::test::init_eal({"--vdev=net_null0"}); }
};

uint16_t port_named(const char* name) {
  uint16_t port_id = RTE_MAX_ETHPORTS;
  if (rte_eth_dev_get_port_by_name(name, &port_id) != 0) return RTE_MAX_ETHPORTS;
  return port_id;
}

TEST_F(port_probe, net_null_capabilities) {
  const uint16_t port_id = port_named("net_null0");
  ASSERT_NE(port_id, RTE_MAX_ETHPORTS) << "net_null PMD not loaded";
  const port_capabilities caps = probe_port(port_id);
  EXPECT_EQ(caps.error, "");
  EXPECT_EQ(caps.name, "net_null0");
  EXPECT_NE(caps.driver.find("null"), std::string::npos) << caps.driver;
  EXPECT_GE(caps.max_rx_queues, 1);
  EXPECT_GE(caps.max_tx_queues, 1);
  EXPECT_EQ(caps.mac.size(), 17U) << caps.mac;
  EXPECT_FALSE(caps.flow_supported);
  EXPECT_FALSE(caps.flow_detail.empty());
}

TEST_F(port_probe, invalid_port_is_an_error_not_a_crash) {
  const port_capabilities caps = probe_port(RTE_MAX_ETHPORTS - 1);
  EXPECT_NE(caps.error, "");
}

// The whole --probe path on this machine; the report goes to stdout for the log.
TEST_F(port_probe, full_report_with_dpdk_view) {
  cpu_features cpu = detect_cpu_features();
  cpu.dpdk_flags = read_dpdk_cpu_flags();
  EXPECT_FALSE(cpu.dpdk_flags.empty());
  const cpu_topology topo = read_cpu_topology();
  const hugepage_info huge = read_hugepages();
  const std::vector<port_capabilities> ports = probe_all_ports();
  ASSERT_FALSE(ports.empty());
  const std::vector<unsigned> lcores{0};
  const auto warnings = numa_warnings(lcores, topo, ports);
  const std::string text = format_report(cpu, topo, huge, ports, warnings);
  EXPECT_NE(text.find("DPDK view       agrees with cpuid"), std::string::npos) << text;
  EXPECT_NE(text.find("net_null0"), std::string::npos) << text;
  std::cout << text;
}

}  // namespace
}  // namespace ravelin::hw
