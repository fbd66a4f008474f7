// The router's match allocates nothing (DESIGN.md hot-path contract).
#include "alloc_counter.h"
#include "router_test_util.h"

namespace ravelin::router::test {
namespace {

TEST(RouterAlloc, TheCounterSeesAllocations) {
  ravelin::test::allocation_scope scope;
  std::string s(100, 'x');
  EXPECT_GE(scope.count(), 1u);
  EXPECT_EQ(s.size(), 100u);
}

TEST(RouterAlloc, MatchAllocatesNothing) {
  fixture f(R"y(
services:
- name: s
  url: http://origin.test/base
  routes:
  - {name: exact, hosts: [api.test], paths: ["/v1"]}
  - {name: wild, hosts: ["*.wild.test", "pre.*"], paths: ["~/(?<id>\\d+)/x"]}
  - {name: headers, methods: [GET], headers: {x-a: ["1", "~*^t"]}, paths: ["/h"]}
  - {name: tls, protocols: [https], hosts: [secure.test], snis: [secure.test]}
)y");
  ASSERT_TRUE(f.r);
  const std::vector<request> reqs = {
      {.host = "api.test", .path = "/v1/users?q=1"},
      {.host = "a.b.wild.test", .path = "/42/x/y"},
      {.host = "pre.example", .path = "/7/x"},
      {.path = "/h/a%20b", .headers = {{"X-A", "Two"}}},
      {.host = "secure.test", .path = "/"},
      {.host = "nowhere.test", .path = "/nothing"},
  };
  for (const auto& rq : reqs) run(f, rq);  // warm-up (PCRE2 JIT stack, first touches)
  std::vector<field> fields = {{"X-A", "Two"}};
  field_list_source<field> headers(fields);
  match_result res;
  std::array<char, 512> target{};
  size_t matched = 0;
  ravelin::test::allocation_scope scope;
  for (int round = 0; round < 100; ++round) {
    for (const auto& rq : reqs) {
      match_input in;
      in.method = rq.method;
      in.host = rq.host;
      in.path = std::string_view(rq.path).substr(0, rq.path.find('?'));
      in.headers = &headers;
      matched += f.r->match(in, f.scratch, target, res) == match_status::matched;
    }
  }
  EXPECT_EQ(scope.count(), 0u);
  EXPECT_EQ(matched, 400u);
}

}  // namespace
}  // namespace ravelin::router::test
