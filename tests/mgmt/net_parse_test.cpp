// Network value syntax used by the loader (mgmt/src/net_parse.h).
#include "net_parse.h"

#include <gtest/gtest.h>

namespace ravelin::mgmt {
namespace {

TEST(net_parse, ipv4_and_cidr) {
  EXPECT_EQ(parse_ipv4("198.18.1.1"), 0xC6120101u);
  EXPECT_EQ(parse_ipv4("0.0.0.0"), 0u);
  EXPECT_FALSE(parse_ipv4("198.18.1.300"));
  EXPECT_FALSE(parse_ipv4("198.18.1"));
  EXPECT_FALSE(parse_ipv4("198.18.1.1.1"));
  EXPECT_FALSE(parse_ipv4("010.0.0.1"));  // octal look-alike
  EXPECT_FALSE(parse_ipv4("1.2.3.-4"));
  EXPECT_FALSE(parse_ipv4(""));
  auto p = parse_ipv4_cidr("10.1.0.1/16");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address, 0x0A010001u);
  EXPECT_EQ(p->length, 16);
  EXPECT_FALSE(parse_ipv4_cidr("10.0.0.1/33"));
  EXPECT_FALSE(parse_ipv4_cidr("10.0.0.1/"));
  EXPECT_FALSE(parse_ipv4_cidr("10.0.0.1"));
  EXPECT_EQ(format_ipv4(0xC6120101u), "198.18.1.1");
}

TEST(net_parse, host_port) {
  auto a = split_host_port("example.com:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "example.com");
  EXPECT_EQ(a->port, 8080);
  auto b = split_host_port("[::1]:443");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 443);
  auto c = split_host_port("2001:db8::1");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->port);
  EXPECT_FALSE(split_host_port("a:b:c"));
  EXPECT_FALSE(split_host_port("host:99999"));
  EXPECT_FALSE(split_host_port(":80"));
}

TEST(net_parse, route_hosts) {
  EXPECT_FALSE(route_host_problem("api.example.com"));
  EXPECT_FALSE(route_host_problem("*.example.com"));
  EXPECT_FALSE(route_host_problem("example.*"));
  EXPECT_FALSE(route_host_problem("example.com:8443"));
  EXPECT_FALSE(route_host_problem("10.0.0.1:80"));
  EXPECT_TRUE(route_host_problem("*.example.*"));
  EXPECT_TRUE(route_host_problem("a.*.com"));
  EXPECT_TRUE(route_host_problem("*example.com"));
  EXPECT_TRUE(route_host_problem("bad host"));
  EXPECT_TRUE(route_host_problem("a..b"));
}

TEST(net_parse, urls) {
  std::string problem;
  auto u = parse_url("http://orders-upstream:8080/v1", problem);
  ASSERT_TRUE(u) << problem;
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "orders-upstream");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/v1");
  auto s = parse_url("https://[2001:db8::2]", problem);
  ASSERT_TRUE(s) << problem;
  EXPECT_EQ(s->host, "2001:db8::2");
  EXPECT_EQ(s->port, 443);
  EXPECT_FALSE(s->path);
  EXPECT_FALSE(parse_url("no-scheme.example.com", problem));
  EXPECT_FALSE(parse_url("http://x/?q=1", problem));
  EXPECT_FALSE(parse_url("http://", problem));
}

}  // namespace
}  // namespace ravelin::mgmt
