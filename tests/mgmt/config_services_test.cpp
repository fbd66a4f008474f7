// `ravelin.services`: built-in TCP test services and forwarders.
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace ravelin::mgmt {
namespace {

using testing::all_errors;
using testing::has_error;
using testing::load;

constexpr std::string_view k_head = R"(_format_version: "3.0"
ravelin:
  ports: [{name: front, device: "net_af_packet0,iface=x", address: 198.18.1.1/24}]
  cores: [{lcore: 1, roles: [io]}]
)";

load_result load_services(std::string_view services) {
  return load(std::string(k_head) + "  services:\n" + std::string(services));
}

TEST(config_services, off_unless_configured) {
  auto r = load(k_head);
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const services_config& s = r.snapshot->appliance.services;
  EXPECT_FALSE(s.echo || s.discard || s.chargen);
  EXPECT_TRUE(s.forward.empty());
}

TEST(config_services, all_services_load) {
  auto r = load_services(
      "    echo: {port: 7}\n"
      "    discard: {port: 9}\n"
      "    chargen: {port: 19}\n"
      "    forward:\n"
      "      - {listen: 8081, to: \"198.18.2.10:9000\"}\n"
      "      - {listen: 8082, to: \"198.18.2.11:80\"}\n");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const services_config& s = r.snapshot->appliance.services;
  EXPECT_EQ(s.echo, 7);
  EXPECT_EQ(s.discard, 9);
  EXPECT_EQ(s.chargen, 19);
  ASSERT_EQ(s.forward.size(), 2u);
  EXPECT_EQ(s.forward[0].listen, 8081);
  EXPECT_EQ(s.forward[0].to_address, 0xC612020Au);
  EXPECT_EQ(s.forward[0].to_port, 9000);
  EXPECT_EQ(s.forward[1].to_address, 0xC612020Bu);
}

TEST(config_services, port_clash_names_both_services) {
  auto r = load_services(
      "    echo: {port: 7}\n"
      "    forward: [{listen: 7, to: \"198.18.2.10:9000\"}]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r, 7, 24, "port 7 is already used by ravelin.services.echo.port"));
}

TEST(config_services, bad_values_are_reported_in_place) {
  auto r = load_services(
      "    echo: {port: 70000}\n"
      "    discard: {}\n"
      "    chargen: {prot: 19}\n"
      "    forward:\n"
      "      - {listen: 8081, to: \"backend:9000\"}\n"
      "      - {listen: 8082, to: \"198.18.2.10\"}\n"
      "      - {to: \"198.18.2.10:1\"}\n"
      "    telnet: {port: 23}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r, 6, 18, "out of range 1..65535")) << all_errors(r);
  EXPECT_TRUE(has_error(r, 7, 14, "missing required field \"port\""));
  EXPECT_TRUE(has_error(r, 8, 15, "unknown key \"prot\""));
  EXPECT_TRUE(has_error(r, 10, 28, "not an IPv4 address with a port"));
  EXPECT_TRUE(has_error(r, 11, 28, "not an IPv4 address with a port"));
  EXPECT_TRUE(has_error(r, 12, 9, "missing required field \"listen\""));
  EXPECT_TRUE(has_error(r, 13, 5, "unknown key \"telnet\""));
}

TEST(config_proxy, defaults_follow_kong_proxy_listen) {
  auto r = load(k_head);
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const proxy_config& p = r.snapshot->appliance.proxy;
  ASSERT_EQ(p.listen.size(), 2u);
  EXPECT_EQ(p.listen[0].port, 80);
  EXPECT_FALSE(p.listen[0].tls);
  EXPECT_EQ(p.listen[1].port, 443);
  EXPECT_TRUE(p.listen[1].tls);
  EXPECT_EQ(p.max_request_line, 8192u);
  EXPECT_TRUE(p.access_log.empty());
}

TEST(config_proxy, listeners_and_limits) {
  auto r = load(std::string(k_head) +
                "  proxy:\n"
                "    listen: [{port: 8000, backlog: 128}]\n"
                "    max_headers: 64\n"
                "    access_log: /var/log/ravelin/access.log\n");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const proxy_config& p = r.snapshot->appliance.proxy;
  ASSERT_EQ(p.listen.size(), 1u);
  EXPECT_EQ(p.listen[0].port, 8000);
  EXPECT_EQ(p.listen[0].backlog, 128u);
  EXPECT_EQ(p.max_headers, 64u);
  EXPECT_EQ(p.access_log, "/var/log/ravelin/access.log");
}

TEST(config_proxy, clashing_ports_are_refused) {
  auto r = load(std::string(k_head) +
                "  services: {echo: {port: 7}}\n"
                "  proxy:\n"
                "    listen: [{port: 80}, {port: 80}, {port: 7}, {tls: true}]\n"
                "    max_request_line: 10\n");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r, 7, 33, "port 80 is listed twice")) << all_errors(r);
  EXPECT_TRUE(has_error(r, 7, 45, "used by a ravelin.services entry"));
  EXPECT_TRUE(has_error(r, 7, 49, "missing required field \"port\""));
  EXPECT_TRUE(has_error(r, 8, 23, "out of range"));
}

}  // namespace
}  // namespace ravelin::mgmt
