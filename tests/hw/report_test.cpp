#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ravelin/hw/report.h"

namespace ravelin::hw {
namespace {

struct sample {
  cpu_features cpu;
  cpu_topology topo;
  hugepage_info huge;
  std::vector<port_capabilities> ports;
  std::vector<std::string> warnings;

  sample() {
    cpu.vendor = "GenuineIntel";
    cpu.openssl_version = "OpenSSL 3.0.test";
    cpu.os_avx = true;
    cpu.sse4_2 = cpu.ssse3 = cpu.aes_ni = cpu.avx2 = true;
    topo.online = {0, 1, 2, 3};
    for (unsigned c = 0; c < 4; ++c)
      topo.cpus.push_back({.cpu = c, .core_id = int(c / 2), .package_id = 0, .numa_node = 0});
    topo.nodes = {{.id = 0, .cpus = {0, 1, 2, 3}}};
    huge.pools = {{.page_size_kb = 2048, .numa_node = -1, .total = 512, .free = 256}};
    huge.per_node = {{.page_size_kb = 2048, .numa_node = 0, .total = 512, .free = 256}};
    huge.mounts = {{.path = "/dev/hugepages", .page_size_kb = 2048}};
    port_capabilities port;
    port.port_id = 0;
    port.name = "net_null0";
    port.driver = "net_null";
    port.max_rx_queues = 1024;
    port.max_tx_queues = 1024;
    port.rx_offloads = {"IPV4_CKSUM", "TCP_CKSUM"};
    port.rx_ipv4_cksum = port.rx_tcp_cksum = true;
    port.rss_hash_functions = {"ipv4", "ipv4-tcp"};
    port.rss_key_size = 40;
    port.reta_size = 128;
    port.flow_detail = "Function not implemented";
    ports.push_back(port);
  }

  [[nodiscard]] std::string text() const { return format_report(cpu, topo, huge, ports, warnings); }
};

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(report, sections_in_order) {
  const std::string text = sample().text();
  const size_t cpu = text.find("CPU\n");
  const size_t topo = text.find("Topology / NUMA\n");
  const size_t huge = text.find("Hugepages\n");
  const size_t ports = text.find("Ports\n");
  const size_t warnings = text.find("Warnings\n");
  ASSERT_EQ(cpu, 0U);
  EXPECT_LT(cpu, topo);
  EXPECT_LT(topo, huge);
  EXPECT_LT(huge, ports);
  EXPECT_LT(ports, warnings);
}

TEST(report, expected_lines) {
  const std::string text = sample().text();
  EXPECT_TRUE(has_line(text, "  vendor          GenuineIntel")) << text;
  EXPECT_TRUE(has_line(text, "  features        sse4_2 ssse3 aes avx2")) << text;
  EXPECT_TRUE(has_line(text, "  DPDK view       not read (EAL not started)")) << text;
  EXPECT_TRUE(has_line(text, "  online cpus     0-3 (4 cpus, 2 cores, 1 package)")) << text;
  EXPECT_TRUE(has_line(text, "  node 0          cpus 0-3")) << text;
  EXPECT_TRUE(has_line(text, "  2 MB pages      total 512, free 256")) << text;
  EXPECT_TRUE(has_line(text, "    node 0        total 512, free 256")) << text;
  EXPECT_TRUE(has_line(text, "  hugetlbfs       /dev/hugepages (2 MB pages)")) << text;
  EXPECT_TRUE(has_line(text, "  port 0          net_null0, driver net_null, NUMA socket any"))
      << text;
  EXPECT_TRUE(has_line(text, "    rx offloads   IPV4_CKSUM TCP_CKSUM")) << text;
  EXPECT_TRUE(
      has_line(text, "    rss           key 40 bytes, reta 128 entries, hash ipv4 ipv4-tcp"))
      << text;
  EXPECT_TRUE(has_line(text, "    rte_flow      not supported: Function not implemented")) << text;
  EXPECT_TRUE(has_line(text, "  none")) << text;  // no warnings
}

TEST(report, dpdk_disagreement_and_warnings_are_shown) {
  sample s;
  s.cpu.dpdk_flags = {{"avx2", false}, {"aes", true}};
  s.warnings = {"lcore 9 is not an online CPU"};
  s.huge.mounts.clear();
  const std::string text = s.text();
  EXPECT_TRUE(has_line(text, "  DPDK view       differs: avx2 (dpdk no)")) << text;
  EXPECT_TRUE(has_line(text, "  hugetlbfs       not mounted")) << text;
  EXPECT_TRUE(has_line(text, "  ! lcore 9 is not an online CPU")) << text;
}

TEST(report, port_error_replaces_details) {
  sample s;
  s.ports[0].error = "no port 0";
  const std::string text = s.text();
  EXPECT_TRUE(has_line(text, "    error         no port 0")) << text;
  EXPECT_EQ(text.find("rte_flow"), std::string::npos);
}

}  // namespace
}  // namespace ravelin::hw
