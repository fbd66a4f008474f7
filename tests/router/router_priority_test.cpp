// Which route wins: Kong's matching rules (kong.md §2.2) and traditional_compatible order
// (§2.3, transform.lua get_priority), with the cases Kong's proxy guide documents.
#include "router_test_util.h"

namespace ravelin::router::test {
namespace {

TEST(RouterPriority, MoreMatchingFieldsWin) {
  // Proxy guide, "Matching priorities": a route with hosts and methods beats one with hosts.
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: hosts-only, hosts: [example.com]}
  - {name: hosts-and-method, hosts: [example.com], methods: [POST]}
)");
  EXPECT_EQ(route_of(f, {.method = "POST", .host = "example.com"}), "hosts-and-method");
  EXPECT_EQ(route_of(f, {.method = "GET", .host = "example.com"}), "hosts-only");
}

TEST(RouterPriority, LongestPrefixWins) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: root, paths: ["/"]}
  - {name: service, paths: ["/service"]}
  - {name: resource, paths: ["/service/resource"]}
)");
  EXPECT_EQ(route_of(f, {.path = "/service/resource/1"}), "resource");
  EXPECT_EQ(route_of(f, {.path = "/service/other"}), "service");
  EXPECT_EQ(route_of(f, {.path = "/servicex"}), "service");  // prefixes are plain, not segments
  EXPECT_EQ(route_of(f, {.path = "/x"}), "root");
}

TEST(RouterPriority, RegexBeforePrefixByRegexPriority) {
  // Proxy guide, "Evaluation order": regex paths by regex_priority, then prefixes longest
  // first: /version/\d+/status/\d+ (6), /status/\d+ (0), /version/any/, /version.
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: status, paths: ["~/status/\\d+"], regex_priority: 0}
  - {name: version-status, paths: ["~/version/\\d+/status/\\d+"], regex_priority: 6}
  - {name: version, paths: ["/version"]}
  - {name: version-any, paths: ["/version/any/"]}
)");
  EXPECT_EQ(route_of(f, {.path = "/version/1/status/2"}), "version-status");
  EXPECT_EQ(route_of(f, {.path = "/status/7"}), "status");
  EXPECT_EQ(route_of(f, {.path = "/version/any/x"}), "version-any");
  EXPECT_EQ(route_of(f, {.path = "/version/1"}), "version");
  EXPECT_EQ(route_of(f, {.path = "/status/x"}), "");
}

TEST(RouterPriority, RegexIsAnchoredAtStartOnly) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: re, paths: ["~/a/\\d+"]}
)");
  EXPECT_EQ(route_of(f, {.path = "/a/12/more"}), "re");
  EXPECT_EQ(route_of(f, {.path = "/x/a/12"}), "");
}

TEST(RouterPriority, PlainHostBeatsWildcard) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: wild-suffix, hosts: ["*.example.com"]}
  - {name: plain, hosts: [api.example.com]}
  - {name: wild-prefix, hosts: ["example.*"]}
)");
  EXPECT_EQ(route_of(f, {.host = "api.example.com"}), "plain");
  EXPECT_EQ(route_of(f, {.host = "API.Example.COM"}), "plain");
  EXPECT_EQ(route_of(f, {.host = "web.example.com"}), "wild-suffix");
  EXPECT_EQ(route_of(f, {.host = "a.b.example.com"}), "wild-suffix");
  EXPECT_EQ(route_of(f, {.host = "example.com"}), "wild-prefix");
  EXPECT_EQ(route_of(f, {.host = "example.co.uk"}), "wild-prefix");
  EXPECT_EQ(route_of(f, {.host = "notexample.com"}), "");
  EXPECT_EQ(route_of(f, {.host = "web.example.com:8000"}), "wild-suffix");
}

TEST(RouterPriority, HostsWithPorts) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: any-port, hosts: [example.com]}
  - {name: port-8443, hosts: ["example.com:8443"], paths: ["/"]}
)");
  // hosts "name:port" compare the port the request arrived on (net.dst.port).
  EXPECT_EQ(route_of(f, {.host = "example.com", .port = 8443}), "port-8443");
  EXPECT_EQ(route_of(f, {.host = "example.com", .port = 80}), "any-port");
  EXPECT_EQ(route_of(f, {.host = "example.com:8443"}), "port-8443");  // no local port given
}

TEST(RouterPriority, HeaderCountAndHostBit) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: one-header, headers: {x-a: ["1"]}}
  - {name: two-headers, headers: {x-a: ["1"], x-b: ["2", "3"]}}
  - {name: host, hosts: [h.test]}
)");
  EXPECT_EQ(route_of(f, {.headers = {{"X-A", "1"}, {"x-b", "3"}}}), "two-headers");
  EXPECT_EQ(route_of(f, {.headers = {{"x-a", "1"}, {"x-b", "4"}}}), "one-header");
  // Same number of fields: the plain-host bit (60) ranks above the header count (52..59).
  EXPECT_EQ(route_of(f, {.host = "h.test", .headers = {{"x-a", "1"}}}), "host");
  EXPECT_EQ(route_of(f, {.headers = {{"x-a", "2"}}}), "");
}

TEST(RouterPriority, HeaderValuesCaseInsensitiveAndRegex) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: exact, headers: {x-version: ["V1"]}}
  - {name: regex, headers: {authorization: ["~*^bearer\\s+\\w+$"]}}
)");
  EXPECT_EQ(route_of(f, {.headers = {{"X-Version", "v1"}}}), "exact");
  EXPECT_EQ(route_of(f, {.headers = {{"Authorization", "Bearer abc"}}}), "regex");
  EXPECT_EQ(route_of(f, {.headers = {{"Authorization", "Basic abc"}}}), "");
  // Any of several fields with the same name may match.
  EXPECT_EQ(route_of(f, {.headers = {{"x-version", "v2"}, {"x-version", "v1"}}}), "exact");
}

TEST(RouterPriority, MethodsAndUnknownMethods) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: purge, methods: [PURGE], paths: ["/"]}
  - {name: get, methods: [GET, HEAD], paths: ["/"]}
  - {name: any, paths: ["/"]}
)");
  EXPECT_EQ(route_of(f, {.method = "PURGE"}), "purge");
  EXPECT_EQ(route_of(f, {.method = "HEAD"}), "get");
  EXPECT_EQ(route_of(f, {.method = "POST"}), "any");
  EXPECT_EQ(route_of(f, {.method = "get"}), "any");  // methods are case-sensitive tokens
}

TEST(RouterPriority, SnisOnlyBindHttps) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: sni, protocols: [http, https], snis: [secure.test], paths: ["/"]}
  - {name: other, paths: ["/"]}
)");
  EXPECT_EQ(route_of(f, {.sni = "secure.test", .proto = scheme::https}), "sni");
  EXPECT_EQ(route_of(f, {.sni = "else.test", .proto = scheme::https}), "other");
  // transform.lua: "net.protocol != https || tls.sni == ..." — plain http ignores snis.
  EXPECT_EQ(route_of(f, {.proto = scheme::http}), "sni");
}

TEST(RouterPriority, SplitPathsKeepTheirOwnPriority) {
  // One route, paths of two lengths and a regex: Kong splits it into three matchers.
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: mixed, paths: ["/a", "/abcdef", "~/r/\\d+"]}
  - {name: mid, paths: ["/abc"]}
)");
  EXPECT_EQ(f.r->matcher_count(), 4u);
  EXPECT_EQ(route_of(f, {.path = "/abcdefg"}), "mixed");
  EXPECT_EQ(route_of(f, {.path = "/abcd"}), "mid");
  EXPECT_EQ(route_of(f, {.path = "/ab"}), "mixed");
  EXPECT_EQ(route_of(f, {.path = "/r/5"}), "mixed");
}

TEST(RouterPriority, EqualPriorityEarlierRouteWins) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: first, paths: ["/same"]}
  - {name: second, paths: ["/same"]}
)");
  EXPECT_EQ(route_of(f, {.path = "/same"}), "first");
}

TEST(RouterPriority, DisabledServicesAndStreamRoutesAreLeftOut) {
  fixture f(R"(
services:
- name: off
  host: origin.test
  enabled: false
  routes:
  - {name: off-route, paths: ["/"]}
- name: tcp
  protocol: tcp
  host: origin.test
  port: 9000
  routes:
  - {name: stream, protocols: [tcp], destinations: [{port: 9000}]}
)");
  EXPECT_EQ(f.r->routes().size(), 0u);
  EXPECT_EQ(run(f, {}).status, match_status::no_route);
  EXPECT_EQ(f.scratch.counters.get(counter::router_no_route), 1u);
}

TEST(RouterPriority, DeepPrefixChainsBeyondCandidateSlots) {
  // 80 nested prefixes on one path: more candidate lists than the matcher keeps sorted.
  std::string yaml = "services:\n- name: s\n  host: origin.test\n  routes:\n";
  std::string p;
  for (int i = 0; i < 80; ++i) {
    p += "/x";
    yaml += "  - {name: r" + std::to_string(i) + ", paths: [\"" + p + "\"]}\n";
  }
  fixture f(yaml);
  EXPECT_EQ(route_of(f, {.path = p + "/tail"}), "r79");
  EXPECT_EQ(route_of(f, {.path = "/x/x/x"}), "r2");
}

TEST(RouterPriority, BadRegexIsABuildError) {
  auto config = load_yaml(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: broken, paths: ["~/a(b"]}
)");
  ASSERT_TRUE(config);
  build_result b = router::build(config->kong);
  EXPECT_FALSE(b.ok());
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_NE(b.errors[0].find("route \"broken\""), std::string::npos) << b.errors[0];
  EXPECT_NE(b.errors[0].find("line 7"), std::string::npos) << b.errors[0];
}

}  // namespace
}  // namespace ravelin::router::test
