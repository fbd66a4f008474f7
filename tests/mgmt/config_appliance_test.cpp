// The `ravelin:` section: ports, cores and stack bounds, and their validation.
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace ravelin::mgmt {
namespace {

using testing::all_errors;
using testing::has_error;
using testing::load;

TEST(config_appliance, full_section_loads) {
  auto r = load(R"(_format_version: "3.0"
ravelin:
  eal: ["--no-huge", "--no-pci"]
  ports:
    - name: front
      device: "net_af_packet0,iface=rv-front"
      address: 198.18.1.1/24
      gateway: 198.18.1.254
      queues: 4
      rx_descriptors: 2048
      tx_descriptors: 512
      mtu: 9000
    - {name: back, device: "0000:03:00.0", address: 10.1.0.1/16}
  cores:
    - {lcore: 1, roles: [io]}
    - {lcore: 2, roles: [tls, auth]}
  stack: {arp_cache_entries: 2048, arp_reachable_ms: 30000, arp_retry_ms: 500,
          arp_max_retries: 5, mbufs_per_port: 16383, tcp_max_connections: 100000,
          tcp_max_half_open: 64, tcp_listen_backlog: 32, tcp_send_buffer: 65536,
          tcp_recv_buffer: 131072, tcp_syn_cookies: false, tcp_congestion_control: newreno}
)");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const appliance_config& a = r.snapshot->appliance;
  EXPECT_EQ(a.eal, (std::vector<std::string>{"--no-huge", "--no-pci"}));
  ASSERT_EQ(a.ports.size(), 2u);
  EXPECT_EQ(a.ports[0].queues, 4);
  EXPECT_EQ(a.ports[0].rx_descriptors, 2048);
  EXPECT_EQ(a.ports[0].tx_descriptors, 512);
  EXPECT_EQ(a.ports[0].mtu, 9000);
  EXPECT_EQ(a.ports[1].address.address, 0x0A010001u);
  EXPECT_EQ(a.ports[1].address.length, 16);
  EXPECT_FALSE(a.ports[1].gateway.has_value());
  EXPECT_EQ(a.ports[1].rx_descriptors, 1024);
  EXPECT_FALSE(a.cores[1].has(core_role::io));
  EXPECT_TRUE(a.cores[1].has(core_role::tls));
  EXPECT_TRUE(a.cores[1].has(core_role::auth));
  EXPECT_EQ(a.stack.arp_cache_entries, 2048u);
  EXPECT_EQ(a.stack.arp_reachable_ms, 30000u);
  EXPECT_EQ(a.stack.arp_retry_ms, 500u);
  EXPECT_EQ(a.stack.arp_max_retries, 5u);
  EXPECT_EQ(a.stack.mbufs_per_port, 16383u);
  EXPECT_EQ(a.stack.tcp_max_connections, 100000u);
  EXPECT_EQ(a.stack.tcp_max_half_open, 64u);
  EXPECT_EQ(a.stack.tcp_listen_backlog, 32u);
  EXPECT_EQ(a.stack.tcp_send_buffer, 65536u);
  EXPECT_EQ(a.stack.tcp_recv_buffer, 131072u);
  EXPECT_FALSE(a.stack.tcp_syn_cookies);
  EXPECT_EQ(a.stack.tcp_congestion_control, stack_config::congestion::newreno);
}

TEST(config_appliance, tcp_defaults_and_bad_values) {
  auto r = load(R"(_format_version: "3.0"
ravelin:
  ports: [{name: a, device: d0, address: 198.18.1.1/24}]
  cores: [{lcore: 1, roles: [io]}]
)");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.snapshot->appliance.stack.tcp_max_connections, 4096u);
  EXPECT_TRUE(r.snapshot->appliance.stack.tcp_syn_cookies);
  EXPECT_EQ(r.snapshot->appliance.stack.tcp_congestion_control, stack_config::congestion::cubic);
  r = load(R"(_format_version: "3.0"
ravelin:
  ports: [{name: a, device: d0, address: 198.18.1.1/24}]
  cores: [{lcore: 1, roles: [io]}]
  stack: {tcp_congestion_control: bbr, tcp_send_buffer: 10}
)");
  EXPECT_TRUE(has_error(r, 5, 35, "\"bbr\" is not a valid congestion control"));
  EXPECT_TRUE(has_error(r, 5, 57, "out of range"));
}

TEST(config_appliance, bad_addresses) {
  auto r = load(R"(_format_version: "3.0"
ravelin:
  ports:
    - {name: a, device: d0, address: 198.18.1.300/24}
    - {name: b, device: d1, address: 10.0.0.1/33}
    - {name: c, device: d2, address: 10.0.0.1}
    - {name: d, device: d3, address: 10.0.0.1/24, gateway: 10.0.1.1}
    - {name: e, device: d4, address: 10.0.2.1/24, gateway: 10.0.2.1}
    - {name: f, device: d5, address: 10.0.3.1/24, gateway: 10.0.3}
  cores: [{lcore: 1, roles: [io]}]
)");
  EXPECT_TRUE(has_error(r, 4, 38, "address: \"198.18.1.300/24\" is not an IPv4 CIDR"));
  EXPECT_TRUE(has_error(r, 5, 38, "\"10.0.0.1/33\" is not an IPv4 CIDR"));
  EXPECT_TRUE(has_error(r, 6, 38, "\"10.0.0.1\" is not an IPv4 CIDR"));
  EXPECT_TRUE(has_error(r, 7, 60, "10.0.1.1 is not inside the port's subnet 10.0.0.0/24"));
  EXPECT_TRUE(has_error(r, 8, 60, "is the port's own address"));
  EXPECT_TRUE(has_error(r, 9, 60, "\"10.0.3\" is not an IPv4 address"));
  EXPECT_EQ(r.errors.size(), 6u) << all_errors(r);
}

TEST(config_appliance, ports_rules) {
  auto r = load(R"(_format_version: "3.0"
ravelin:
  ports:
    - {name: a, device: "", address: 10.0.0.1/24, queues: 65}
    - {name: a, device: d, address: 10.0.1.1/24}
    - {name: b, device: d, address: 10.0.2.1/24, mtu: 20000}
    - {device: e}
  cores: [{lcore: 1, roles: [io]}]
)");
  EXPECT_TRUE(has_error(r, 4, 25, "device: must not be empty"));
  EXPECT_TRUE(has_error(r, 4, 59, "65 is out of range 1..64"));
  EXPECT_TRUE(has_error(r, 5, 14, "duplicate port name \"a\""));
  EXPECT_TRUE(has_error(r, 6, 25, "\"d\" is used by another port"));
  EXPECT_TRUE(has_error(r, 6, 55, "20000 is out of range 68..9600"));
  EXPECT_TRUE(has_error(r, 7, 7, "missing required field \"name\" in port"));
  EXPECT_TRUE(has_error(r, 7, 7, "missing required field \"address\" in port"));
}

TEST(config_appliance, no_ports_and_no_io_core) {
  auto r = load(R"(_format_version: "3.0"
ravelin:
  ports: []
  cores: [{lcore: 1, roles: [tls]}]
)");
  EXPECT_TRUE(has_error(r, 3, 10, "at least one port is needed"));
  EXPECT_TRUE(has_error(r, 4, 10, "at least one core needs the io role"));
}

TEST(config_appliance, cores_rules) {
  auto r = load(R"(_format_version: "3.0"
ravelin:
  ports: [{name: p, device: d, address: 10.0.0.1/24}]
  cores:
    - {lcore: 1, roles: [io, web]}
    - {lcore: 1, roles: [auth]}
    - {lcore: 128, roles: [io]}
    - {lcore: 3, roles: []}
    - {roles: [io]}
  stack: {arp_retry_ms: 0, arp_cache: 5}
)");
  EXPECT_TRUE(has_error(r, 5, 30, "\"web\" is not a valid core role"));
  EXPECT_TRUE(has_error(r, 6, 15, "lcore 1 is listed twice"));
  EXPECT_TRUE(has_error(r, 7, 15, "128 is out of range 0..127"));
  EXPECT_TRUE(has_error(r, 8, 25, "must name at least one of io, tls, auth"));
  EXPECT_TRUE(has_error(r, 9, 7, "missing required field \"lcore\" in core"));
  EXPECT_TRUE(has_error(r, 10, 25, "0 is out of range 10..60000"));
  EXPECT_TRUE(has_error(r, 10, 28,
                        "unknown key \"arp_cache\" in stack (did you mean "
                        "\"arp_cache_entries\"?)"));
}

TEST(config_appliance, unknown_keys_in_the_section) {
  auto r = load(R"(_format_version: "3.0"
ravelin:
  port: []
  ports: [{name: p, device: d, address: 10.0.0.1/24, adress: x}]
  cores: [{lcore: 1, roles: [io]}]
)");
  EXPECT_TRUE(
      has_error(r, 3, 3, "unknown key \"port\" in ravelin section (did you mean \"ports\"?)"));
  EXPECT_TRUE(has_error(r, 4, 54, "unknown key \"adress\" in port (did you mean \"address\"?)"));
}

}  // namespace
}  // namespace ravelin::mgmt
