// Picks, reports, finishes, probes and forced health changes allocate nothing once the
// balancer has been bound to its config (DESIGN.md hot-path contract).
#include "alloc_counter.h"
#include "balancer_test_util.h"

namespace ravelin::balancer::test {
namespace {

TEST(BalancerAlloc, HotPathAllocatesNothing) {
  balancer b;
  b.rebind(config_from(R"(
upstreams:
- name: rr
  healthchecks:
    active: {healthy: {interval: 1, successes: 1}, unhealthy: {interval: 1, http_failures: 1}}
    passive: {unhealthy: {http_failures: 1}}
  targets: [{target: "10.0.0.1:80"}, {target: "10.0.0.2:80"}]
- name: lc
  algorithm: least-connections
  targets: [{target: "10.0.1.1:80"}, {target: "10.0.1.2:80"}]
- name: ch
  hash_on: cookie
  hash_on_cookie: srv
  targets: [{target: "10.0.2.1:80"}, {target: "10.0.2.2:80"}]
- name: lat
  algorithm: latency
  targets: [{target: "10.0.3.1:80"}, {target: "10.0.3.2:80"}]
)"),
           0);
  fake_request rq;
  std::array<probe, 8> due{};
  ravelin::test::allocation_scope scope;
  uint64_t now = 0;
  for (int i = 0; i < 200; ++i, now += 100'000) {
    for (uint32_t u = 0; u < 4; ++u) {
      request_state rs;
      peer p;
      if (b.pick(u, &rq, rs, p, now) != pick_status::ok) continue;
      b.report(p, check_result::http(i % 7 == 0 ? 500 : 200), now);
      b.finish(p, 1000, now);
    }
    const size_t n = b.due_probes(now, due);
    for (size_t k = 0; k < n; ++k) b.report_probe(due[k].target, check_result::http(200), now);
    b.set_health("rr", "10.0.0.2:80", i % 2 == 0, now);
  }
  EXPECT_EQ(scope.count(), 0u);
  EXPECT_GT(b.counters.get(counter::balancer_probes_started), 0u);
}

}  // namespace
}  // namespace ravelin::balancer::test
