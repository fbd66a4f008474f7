#include "ravelin/dataplane/eal_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ravelin::dataplane {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

mgmt::appliance_config two_port_config() {
  mgmt::appliance_config cfg;
  cfg.ports.push_back({.name = "front", .device = "net_af_packet0,iface=rv-front"});
  cfg.ports.push_back({.name = "back", .device = "net_tap1,iface=rv-back"});
  cfg.cores.push_back({.lcore = 3, .roles = 1});
  cfg.cores.push_back({.lcore = 1, .roles = 1});
  return cfg;
}

TEST(eal_args, derives_lcores_devices_prefix_and_no_pci) {
  auto args = build_eal_args(two_port_config(), "ravelin");
  EXPECT_THAT(args, ElementsAre("ravelin", "-l", "1,3", "--file-prefix=ravelin",
                                "--vdev=net_af_packet0,iface=rv-front",
                                "--vdev=net_tap1,iface=rv-back", "--no-pci"));
}

TEST(eal_args, user_arguments_come_last_and_replace_derived_ones) {
  auto cfg = two_port_config();
  cfg.eal = {"--lcores=0@0,1@1", "--file-prefix=mine", "--no-huge"};
  auto args = build_eal_args(cfg, "ravelin");
  EXPECT_THAT(args, Not(Contains("-l")));
  EXPECT_THAT(args, Not(Contains("--file-prefix=ravelin")));
  EXPECT_EQ(args.back(), "--no-huge");
  EXPECT_EQ(args[args.size() - 3], "--lcores=0@0,1@1");
}

TEST(eal_args, pci_devices_are_allowed_explicitly) {
  mgmt::appliance_config cfg;
  cfg.ports.push_back({.name = "nic", .device = "0000:3b:00.0"});
  cfg.cores.push_back({.lcore = 2, .roles = 1});
  auto args = build_eal_args(cfg, "ravelin");
  EXPECT_THAT(args,
              ElementsAre("ravelin", "-l", "2", "--file-prefix=ravelin", "-a", "0000:3b:00.0"));
}

TEST(eal_args, port_name_is_the_part_before_devargs) {
  EXPECT_EQ(device_port_name("net_af_packet0,iface=x,qpairs=2"), "net_af_packet0");
  EXPECT_EQ(device_port_name("0000:3b:00.0"), "0000:3b:00.0");
  EXPECT_TRUE(is_vdev("net_memif0"));
  EXPECT_FALSE(is_vdev("0000:3b:00.0"));
}

}  // namespace
}  // namespace ravelin::dataplane
