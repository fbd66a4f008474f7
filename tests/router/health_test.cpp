// Health checks (kong.md §4, lua-resty-healthcheck): the per-target state machine, passive
// circuit breaking, the active probe schedule, the upstream threshold and state surviving
// config reloads.
#include "balancer_test_util.h"

namespace ravelin::balancer::test {
namespace {

constexpr uint64_t k_s = 1'000'000;  // µs

constexpr std::string_view k_checked = R"(
upstreams:
- name: pool
  healthchecks:
    active:
      timeout: 2
      concurrency: 1
      healthy: {interval: 10, successes: 2}
      unhealthy: {interval: 3, http_failures: 2, tcp_failures: 1, timeouts: 2}
    passive:
      unhealthy: {http_failures: 3, timeouts: 2, http_statuses: [500, 503]}
  targets:
  - {target: "10.0.0.1:80"}
  - {target: "10.0.0.2:80"}
)";

struct HealthChecks : ::testing::Test {
  balancer b;
  std::shared_ptr<const balancer_config> cfg = config_from(k_checked);
  peer a;  // 10.0.0.1
  void SetUp() override {
    b.rebind(cfg, 0);
    a = peer_for(0);
  }
  peer peer_for(uint32_t target) {
    for (int i = 0; i < 10; ++i) {
      request_state rs;
      peer p = must_pick(b, rs);
      b.finish(p, 0, 0);
      if (p.target == target) return p;
    }
    ADD_FAILURE() << "target " << target << " never picked";
    return {};
  }
  health state() { return b.target_health(0, 0); }
};

TEST_F(HealthChecks, PassiveFailuresTripTheBreaker) {
  EXPECT_FALSE(b.report(a, check_result::http(500), 0).changed);
  EXPECT_EQ(state(), health::mostly_healthy);  // still picked
  EXPECT_FALSE(b.report(a, check_result::http(404), 0).changed);  // in neither list: ignored
  EXPECT_FALSE(b.report(a, check_result::http(503), 0).changed);
  const health_change c = b.report(a, check_result::http(500), 0);
  EXPECT_TRUE(c.changed);
  EXPECT_FALSE(c.available);
  EXPECT_EQ(state(), health::unhealthy);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(pick_host(b), "10.0.0.2");
  EXPECT_EQ(b.counters.get(counter::balancer_target_down), 1u);
  // Passive successes are off (successes: 0): traffic alone never brings it back.
  b.report(a, check_result::http(200), 0);
  EXPECT_EQ(state(), health::unhealthy);
}

TEST_F(HealthChecks, SuccessesClearFailureCounters) {
  b.report(a, check_result::http(500), 0);
  b.report(a, check_result::http(500), 0);
  b.report(a, check_result::tcp_ok(), 0);  // passive successes: 0, so a no-op
  // An active success counts (successes: 2) and clears the shared failure counters.
  b.report_probe(a, check_result::http(200), 0);
  b.report(a, check_result::http(500), 0);
  EXPECT_TRUE(is_available(state()));
  b.report(a, check_result::http(500), 0);
  b.report(a, check_result::http(500), 0);
  EXPECT_EQ(state(), health::unhealthy);
}

TEST_F(HealthChecks, ActiveProbesBringATargetBack) {
  b.report(a, check_result::timed_out(), 0);
  b.report(a, check_result::timed_out(), 0);
  ASSERT_EQ(state(), health::unhealthy);
  std::array<probe, 8> due{};
  // The first probe comes one interval after the target's state appears.
  EXPECT_EQ(b.due_probes(1 * k_s, due), 0u);
  ASSERT_EQ(b.due_probes(4 * k_s + 1, due), 1u);
  EXPECT_EQ(due[0].target.host, "10.0.0.1");
  EXPECT_EQ(due[0].upstream->spec.healthchecks.active.http_path, "/");
  EXPECT_EQ(b.due_probes(5 * k_s, due), 0u);  // one out already, concurrency 1
  b.report_probe(due[0].target, check_result::http(200), 5 * k_s);
  EXPECT_EQ(state(), health::mostly_unhealthy);
  ASSERT_EQ(b.due_probes(8 * k_s, due), 1u);
  const health_change c = b.report_probe(due[0].target, check_result::http(302), 8 * k_s);
  EXPECT_TRUE(c.changed && c.available);
  EXPECT_EQ(state(), health::healthy);
  EXPECT_EQ(b.counters.get(counter::balancer_target_up), 1u);
}

TEST_F(HealthChecks, HealthyTargetsAreProbedOnTheirInterval) {
  std::array<probe, 8> due{};
  EXPECT_EQ(b.due_probes(0, due), 0u);
  EXPECT_EQ(b.due_probes(9 * k_s, due), 0u);
  ASSERT_EQ(b.due_probes(10 * k_s, due), 1u);  // concurrency 1: the other waits
  b.report_probe(due[0].target, check_result::tcp_failed(), 10 * k_s);
  EXPECT_EQ(b.target_health(0, due[0].target.target), health::unhealthy);  // tcp_failures: 1
  ASSERT_EQ(b.due_probes(10 * k_s + 1, due), 1u);
  EXPECT_EQ(b.counters.get(counter::balancer_probes_started), 2u);
}

TEST_F(HealthChecks, LostProbesAreRearmed) {
  std::array<probe, 8> due{};
  b.due_probes(0, due);
  ASSERT_EQ(b.due_probes(10 * k_s, due), 1u);
  EXPECT_EQ(b.due_probes(13 * k_s, due), 0u);  // still out (deadline: twice the 2 s timeout)
  b.due_probes(14 * k_s, due);
  EXPECT_EQ(b.counters.get(counter::balancer_probes_lost), 1u);
}

TEST_F(HealthChecks, StateSurvivesReloads) {
  b.report(a, check_result::timed_out(), 0);
  b.report(a, check_result::timed_out(), 0);
  ASSERT_EQ(state(), health::unhealthy);
  // Reload: a new target, a changed weight, a check setting changed; 10.0.0.1 stays down.
  std::string yaml(k_checked);
  yaml.replace(yaml.find("{target: \"10.0.0.2:80\"}"), 23, "{target: \"10.0.0.2:80\", weight: 7}");
  yaml += "  - {target: \"10.0.0.3:80\"}\n";
  const rebind_stats s = b.rebind(config_from(yaml), 1 * k_s);
  EXPECT_EQ(s.kept, 2u);
  EXPECT_EQ(s.added, 1u);
  EXPECT_EQ(b.target_health(0, 0), health::unhealthy);
  EXPECT_EQ(b.health_of(0).available_weight, 107u);
  // The old peer still reports into the same state.
  b.report_probe(a, check_result::http(200), 2 * k_s);
  EXPECT_EQ(b.target_health(0, 0), health::mostly_unhealthy);

  // A reload without 10.0.0.1 drops its state: late reports are ignored and counted; when it
  // comes back it starts healthy, as Kong adds targets.
  std::string without(yaml);
  without.erase(without.find("  - {target: \"10.0.0.1:80\"}\n"), 28);
  EXPECT_EQ(b.rebind(config_from(without), 3 * k_s).removed, 1u);
  b.report(a, check_result::http(500), 3 * k_s);
  EXPECT_EQ(b.counters.get(counter::balancer_stale_reports), 1u);
  b.rebind(config_from(yaml), 4 * k_s);
  EXPECT_EQ(b.target_health(0, 0), health::healthy);
}

TEST(Threshold, UpstreamHealthFollowsTheHealthyWeightShare) {
  balancer b;
  b.rebind(config_from(R"(
upstreams:
- name: pool
  healthchecks: {threshold: 50}
  targets:
  - {target: "10.0.0.1:80", weight: 25}
  - {target: "10.0.0.2:80", weight: 25}
  - {target: "10.0.0.3:80", weight: 25}
  - {target: "10.0.0.4:80", weight: 25}
)"),
           0);
  EXPECT_TRUE(b.health_of(0).healthy);
  b.set_health("pool", "10.0.0.1:80", false, 0);
  b.set_health("pool", "10.0.0.2:80", false, 0);
  EXPECT_TRUE(b.health_of(0).healthy);  // 50 % left: the documented minimum
  EXPECT_NE(pick_host(b), "");
  b.set_health("pool", "10.0.0.3:80", false, 0);
  EXPECT_FALSE(b.health_of(0).healthy);
  request_state rs;
  peer p;
  EXPECT_EQ(b.pick(0, nullptr, rs, p, 0), pick_status::upstream_unhealthy);
  EXPECT_EQ(b.counters.get(counter::balancer_upstream_unhealthy), 1u);
  EXPECT_FALSE(b.set_health("pool", "10.9.9.9:80", true, 0));
}

TEST(Threshold, NoAvailableWeightIsUnhealthyEvenAtZero) {
  balancer b;
  b.rebind(config_from(R"(
upstreams:
- name: pool
  targets: [{target: "10.0.0.1:80"}]
- name: empty
)"),
           0);
  b.set_health("pool", "10.0.0.1:80", false, 0);
  EXPECT_FALSE(b.health_of(0).healthy);
  EXPECT_FALSE(b.health_of(1).healthy);
  request_state rs;
  peer p;
  EXPECT_EQ(b.pick(1, nullptr, rs, p, 0), pick_status::upstream_unhealthy);
}

}  // namespace
}  // namespace ravelin::balancer::test
