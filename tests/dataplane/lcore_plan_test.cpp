#include "ravelin/dataplane/lcore_plan.h"

#include <gtest/gtest.h>

namespace ravelin::dataplane {
namespace {

constexpr uint8_t k_io = static_cast<uint8_t>(mgmt::core_role::io);
constexpr uint8_t k_auth = static_cast<uint8_t>(mgmt::core_role::auth);

TEST(lcore_plan, spreads_queues_round_robin_over_io_lcores_only) {
  mgmt::appliance_config cfg;
  cfg.ports.push_back({.name = "a", .device = "net_null0", .queues = 3});
  cfg.ports.push_back({.name = "b", .device = "net_null1", .queues = 1});
  cfg.cores = {
      {.lcore = 1, .roles = k_io}, {.lcore = 2, .roles = k_auth}, {.lcore = 3, .roles = k_io}};
  auto plan = plan_lcores(cfg);
  ASSERT_EQ(plan.lcores.size(), 3U);
  ASSERT_EQ(plan.lcores[0].queues.size(), 2U);  // a/0, a/2
  EXPECT_EQ(plan.lcores[0].queues[1].queue, 2);
  EXPECT_TRUE(plan.lcores[1].queues.empty());   // auth only
  ASSERT_EQ(plan.lcores[2].queues.size(), 2U);  // a/1, b/0
  EXPECT_EQ(plan.lcores[2].queues[1].port_index, 1);
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(lcore_plan, warns_about_idle_io_lcores_and_missing_io_role) {
  mgmt::appliance_config cfg;
  cfg.ports.push_back({.name = "a", .device = "net_null0", .queues = 1});
  cfg.cores = {{.lcore = 1, .roles = k_io}, {.lcore = 2, .roles = k_io}};
  auto plan = plan_lcores(cfg);
  ASSERT_EQ(plan.warnings.size(), 1U);
  EXPECT_NE(plan.warnings[0].find("io lcore 2 has no queue"), std::string::npos);

  cfg.cores = {{.lcore = 1, .roles = k_auth}};
  EXPECT_EQ(plan_lcores(cfg).warnings.size(), 1U);
}

}  // namespace
}  // namespace ravelin::dataplane
