#include "ravelin/dataplane/stats.h"

#include <set>

#include <gtest/gtest.h>

namespace ravelin::dataplane {
namespace {

uint64_t value_of(const std::vector<stat_value>& stats, const std::string& name) {
  for (const auto& s : stats) {
    if (name == s.name) return s.value;
  }
  ADD_FAILURE() << "no counter " << name;
  return 0;
}

TEST(stats, sums_each_counter_over_attached_lcores) {
  stats_registry registry;
  counter_set dp1, dp2;
  tcpstack::counter_set st1, st2;
  dp1.add(counter::port_rx_packets, 5);
  dp2.add(counter::port_rx_packets, 7);
  st2.add(tcpstack::counter::ipv4_rx_bad_checksum);
  balancer::counter_set b4;
  b4.add(balancer::counter::balancer_target_down, 2);
  registry.attach(1, &dp1, &st1);
  registry.attach(4, &dp2, &st2, &b4);
  auto snap = registry.snapshot();
  EXPECT_EQ(snap.size(), k_counter_count + tcpstack::k_counter_count + balancer::k_counter_count);
  EXPECT_EQ(value_of(snap, "balancer_target_down"), 2U);
  EXPECT_EQ(value_of(snap, "port_rx_packets"), 12U);
  EXPECT_EQ(value_of(snap, "ipv4_rx_bad_checksum"), 1U);
  EXPECT_EQ(value_of(snap, "icmp_tx_echo_replies"), 0U);
}

TEST(stats, every_counter_has_a_unique_name_and_a_description) {
  stats_registry registry;
  std::set<std::string> names;
  for (const auto& s : registry.snapshot()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_GT(std::string(s.description).size(), 10U) << s.name;
  }
}

TEST(stats, report_skips_zero_counters_unless_asked) {
  std::vector<stat_value> v = {{"a_counter", "d", 0}, {"b_counter", "d", 3}};
  EXPECT_EQ(format_stats(v, false), "  b_counter" + std::string(19, ' ') + "3\n");
  EXPECT_NE(format_stats(v, true).find("a_counter"), std::string::npos);
}

}  // namespace
}  // namespace ravelin::dataplane
