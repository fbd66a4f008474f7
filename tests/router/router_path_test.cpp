// Paths around routing: normalization before matching, strip_path and service path joining
// after it (kong.md §2.5 table, utils.lua get_upstream_uri), captures, Host and https answers.
#include "router_test_util.h"

namespace ravelin::router::test {
namespace {

std::string norm(std::string_view raw) {
  std::array<char, 256> buf{};
  auto out = normalize_path(raw, buf);
  return out ? std::string(*out) : "<overflow>";
}

TEST(RouterPath, NormalizeLikeKong) {
  // kong.tools.uri.normalize(uri, true) cases (spec/01-unit/.../uri_spec style).
  EXPECT_EQ(norm("/"), "/");
  EXPECT_EQ(norm(""), "");
  EXPECT_EQ(norm("/a/./b"), "/a/b");
  EXPECT_EQ(norm("/a/../b"), "/b");
  EXPECT_EQ(norm("/a/b/.."), "/a/");
  EXPECT_EQ(norm("/a/b/."), "/a/b/");
  EXPECT_EQ(norm("/../../a"), "/a");
  EXPECT_EQ(norm("//a///b"), "/a/b");
  EXPECT_EQ(norm("/%41%62%63"), "/Abc");        // unreserved: decoded
  EXPECT_EQ(norm("/a%2fb%3Fc"), "/a%2Fb%3Fc");  // reserved: kept, hex upper-cased
  EXPECT_EQ(norm("/a%20b"), "/a b");            // others: decoded (escaped again upstream)
  EXPECT_EQ(norm("/%2e%2E/x"), "/x");           // %2e. is "..", as Kong intends
  EXPECT_EQ(norm("/bad%zz%4"), "/bad%zz%4");
  std::array<char, 3> small{};
  EXPECT_FALSE(normalize_path("/abcd", small));
}

struct join_case {
  const char* service_path;
  const char* route_path;
  const char* request;
  bool strip;
  mgmt::path_handling_type handling;
  const char* upstream;
};

std::string join(const join_case& c) {
  path_join j;
  j.service_path = c.service_path;
  j.request_path = c.request;
  j.matched = c.route_path;
  j.strip_path = c.strip;
  j.handling = c.handling;
  std::array<char, 256> buf{};
  const auto n = write_upstream_path(j, buf);
  return n ? std::string(buf.data(), *n) : "<overflow>";
}

constexpr auto v0 = mgmt::path_handling_type::v0;
constexpr auto v1 = mgmt::path_handling_type::v1;

TEST(RouterPath, KongPathHandlingTable) {
  // The table of the 3.x Admin API reference (kong.md §2.5), row by row.
  const join_case table[] = {
      {"/s", "/fv0", "/fv0/req", false, v0, "/s/fv0/req"},
      {"/s", "/fv1", "/fv1/req", false, v1, "/sfv1/req"},
      {"/s", "/tv0", "/tv0/req", true, v0, "/s/req"},
      {"/s", "/tv0", "/tv0", true, v0, "/s"},
      {"/s", "/tv0/", "/tv0/", true, v0, "/s/"},
      {"/s", "/tv1/", "/tv1/req", true, v1, "/sreq"},
  };
  for (const auto& c : table) {
    EXPECT_EQ(join(c), c.upstream) << c.service_path << " + " << c.route_path << " + " << c.request;
  }
}

TEST(RouterPath, V0JoinEdges) {
  // utils.lua get_upstream_uri branches: service path with and without a trailing slash.
  const join_case table[] = {
      {"/", "/r", "/r", true, v0, "/"},
      {"/", "/r", "/r/x", true, v0, "/x"},
      {"/", "/r", "/r/x", false, v0, "/r/x"},
      {"/s/", "/r", "/r", true, v0, "/s"},
      {"/s/", "/r", "/r/", true, v0, "/s/"},
      {"/s/", "/r", "/r/x", true, v0, "/s/x"},
      {"/s/", "/r", "/rx", true, v0, "/s/x"},
      {"/s/", "/r", "/r/x", false, v0, "/s/r/x"},
      {"/s", "/r", "/rx", true, v0, "/s/x"},
      {"/s", "", "/", false, v0, "/s"},
      {"/s", "", "/a", true, v0, "/s/a"},
      {"/s", "/r", "/r/../x", true, v0, "/s/../x"},  // callers normalize first; postfix kept
      {"/s", "/r", "/r./x", true, v0, "/s/x"},       // sanitize_uri_postfix drops "./"
      {"/s", "/r", "/r/a b", true, v0, "/s/a%20b"},  // escaped for the wire
  };
  for (const auto& c : table) {
    EXPECT_EQ(join(c), c.upstream) << c.service_path << " + " << c.route_path << " + " << c.request;
  }
}

constexpr std::string_view k_paths = R"y(
services:
- name: svc
  url: http://backend.test:8080/base
  routes:
  - {name: strip, paths: ["/api"], strip_path: true}
  - {name: keep, paths: ["/keep"], strip_path: false}
  - {name: orders, paths: ["~/orders/(?<id>\\d+)"], strip_path: true}
  - {name: v1, paths: ["/v1/"], path_handling: v1}
  - {name: preserve, hosts: [front.test], preserve_host: true}
)y";

TEST(RouterPath, StripPathThroughTheRouter) {
  fixture f(k_paths);
  EXPECT_EQ(run(f, {.path = "/api/users?x=1&y"}).target, "/base/users?x=1&y");
  EXPECT_EQ(run(f, {.path = "/api"}).target, "/base");
  EXPECT_EQ(run(f, {.path = "/keep/a"}).target, "/base/keep/a");
  EXPECT_EQ(run(f, {.path = "/v1/x"}).target, "/basex");
  // A regex strips the whole matched part.
  EXPECT_EQ(run(f, {.path = "/orders/42/items"}).target, "/base/items");
  EXPECT_EQ(run(f, {.path = "/api/./x/../y"}).target, "/base/y");
  fixture v0_only(k_paths, build_options{.ignore_path_handling_v1 = true});
  EXPECT_EQ(run(v0_only, {.path = "/v1/x"}).target, "/base/x");
}

TEST(RouterPath, RegexCaptures) {
  fixture f(k_paths);
  const outcome o = run(f, {.path = "/orders/42/items"});
  ASSERT_EQ(o.route, "orders");
  const captures& c = o.result.uri_captures;
  EXPECT_TRUE(c.any());
  EXPECT_EQ(c.group[0], "/orders/42");
  EXPECT_EQ(c.group[1], "42");
  EXPECT_EQ(c.named("id"), "42");
  EXPECT_FALSE(c.named("nope"));
  EXPECT_EQ(o.result.matched_path, "/orders/42");
  EXPECT_FALSE(run(f, {.path = "/api/x"}).result.uri_captures.any());
}

TEST(RouterPath, UpstreamHost) {
  fixture f(k_paths);
  EXPECT_EQ(run(f, {.host = "whatever.test", .path = "/api"}).host, "backend.test:8080");
  EXPECT_EQ(run(f, {.host = "Front.test:8000", .path = "/zzz"}).host, "Front.test:8000");
  fixture up(R"(
upstreams:
- name: pool
  targets: [{target: "10.0.0.1:80"}]
services:
- name: balanced
  host: pool
  routes: [{name: r, paths: ["/"]}]
- name: tls
  url: https://secure.test
  routes: [{name: t, paths: ["/t"]}]
)");
  const outcome o = run(up, {.path = "/x"});
  ASSERT_NE(o.result.service, nullptr);
  EXPECT_EQ(o.result.service->upstream, 0u);
  EXPECT_EQ(o.host, "");  // the balancer's target decides
  EXPECT_EQ(run(up, {.path = "/t"}).host, "secure.test");  // 443 is https' default
}

TEST(RouterPath, HttpsOnlyRoutes) {
  fixture f(R"(
services:
- name: s
  host: origin.test
  routes:
  - {name: upgrade, protocols: [https], paths: ["/u"]}
  - {name: moved, protocols: [https], paths: ["/m"], https_redirect_status_code: 301}
)");
  outcome o = run(f, {.path = "/u"});
  EXPECT_EQ(o.status, match_status::https_required);
  EXPECT_EQ(o.result.redirect_status, 426);
  o = run(f, {.host = "shop.test:8000", .path = "/m?a=1"});
  EXPECT_EQ(o.status, match_status::https_required);
  EXPECT_EQ(o.result.redirect_status, 301);
  std::array<char, 128> loc{};
  EXPECT_EQ(https_location("shop.test:8000", "/m?a=1", loc), "https://shop.test/m?a=1");
  EXPECT_EQ(run(f, {.path = "/u", .proto = scheme::https}).status, match_status::matched);
  EXPECT_EQ(f.scratch.counters.get(counter::router_https_required), 2u);
}

TEST(RouterPath, TargetBufferTooSmall) {
  fixture f(k_paths);
  std::array<char, 8> tiny{};
  match_input in;
  in.method = "GET";
  in.path = "/api/a-long-path";
  match_result res;
  EXPECT_EQ(f.r->match(in, f.scratch, tiny, res), match_status::target_too_long);
  EXPECT_EQ(f.scratch.counters.get(counter::router_target_too_long), 1u);
}

}  // namespace
}  // namespace ravelin::router::test
