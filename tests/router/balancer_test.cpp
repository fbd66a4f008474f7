// Target selection (kong.md §4): smooth weighted round-robin, least-connections, consistent
// hashing on Kong's continuum, latency EWMA, retries and the hash inputs.
#include <cmath>
#include <set>
#include <unordered_map>

#include "internal/xxhash32.h"
#include "balancer_test_util.h"

namespace ravelin::balancer::test {
namespace {

constexpr std::string_view k_weighted = R"(
upstreams:
- name: pool
  targets:
  - {target: "a.test:80", weight: 5}
  - {target: "b.test:80", weight: 1}
  - {target: "c.test:80", weight: 1}
)";

TEST(Balancer, Xxhash32KnownValues) {
  // Reference values of XXH32 with seed 0 (xxHash's sanity tests).
  EXPECT_EQ(detail::xxhash32(""), 0x02CC5D05u);
  EXPECT_EQ(detail::xxhash32("a"), 0x550D7456u);
  EXPECT_EQ(detail::xxhash32("abc"), 0x32D153FFu);
  EXPECT_EQ(detail::xxhash32("Nobody inspects the spammish repetition"), 0xE2293B2Fu);
}

TEST(Balancer, SmoothRoundRobinSequence) {
  // nginx's smooth weighted round-robin on weights 5, 1, 1: a a b a c a a, then again.
  balancer b;
  b.rebind(config_from(k_weighted), 0);
  std::string seq;
  for (int i = 0; i < 14; ++i) seq += pick_host(b).substr(0, 1);
  EXPECT_EQ(seq, "aabacaaaabacaa");
}

TEST(Balancer, TargetNamesExpandToTheirAddresses) {
  // Kong gives each A record of a target name its own place with the target's weight; the
  // Host header stays the name. A name without addresses is kept with weight 0.
  const auto cfg = config_from(R"(
upstreams:
- name: pool
  targets:
  - {target: "multi.test:80", weight: 10}
  - {target: "10.0.0.9:80", weight: 10}
  - {target: "gone.test:80", weight: 10}
)",
                               [](std::string_view host) -> std::vector<uint32_t> {
                                 if (host == "multi.test") return {0x0A000001, 0x0A000002};
                                 return {};
                               });
  ASSERT_TRUE(cfg);
  const auto& targets = cfg->upstreams()[0].targets;
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_EQ(targets[0].address, "multi.test:80@10.0.0.1");
  EXPECT_EQ(targets[1].address, "multi.test:80@10.0.0.2");
  EXPECT_EQ(targets[0].host, "multi.test");
  EXPECT_EQ(targets[1].ipv4, 0x0A000002u);
  EXPECT_EQ(targets[2].ipv4, 0x0A000009u);
  EXPECT_EQ(targets[3].weight, 0u);
  EXPECT_EQ(cfg->upstreams()[0].total_weight, 30u);
  balancer b;
  b.rebind(cfg, 0);
  std::map<uint32_t, int> by_ip;
  for (int i = 0; i < 300; ++i) {
    request_state rs;
    peer p;
    ASSERT_EQ(b.pick(0, nullptr, rs, p, 0), pick_status::ok);
    ++by_ip[cfg->upstreams()[0].targets[p.target].ipv4];
  }
  EXPECT_EQ(by_ip, (std::map<uint32_t, int>{{0x0A000001, 100}, {0x0A000002, 100},
                                             {0x0A000009, 100}}));
}

TEST(Balancer, RoundRobinHonoursWeightsWithinOnePercent) {
  balancer b;
  b.rebind(config_from(R"(
upstreams:
- name: pool
  targets:
  - {target: "a.test:80", weight: 100}
  - {target: "b.test:80", weight: 50}
  - {target: "c.test:80", weight: 17}
  - {target: "d.test:80", weight: 0}
)"),
           0);
  std::map<std::string, int> n;
  const int picks = 100000;
  for (int i = 0; i < picks; ++i) ++n[pick_host(b)];
  EXPECT_EQ(n.count("d.test"), 0u);
  const double total = 167;
  EXPECT_NEAR(n["a.test"] / double(picks), 100 / total, 0.01);
  EXPECT_NEAR(n["b.test"] / double(picks), 50 / total, 0.01);
  EXPECT_NEAR(n["c.test"] / double(picks), 17 / total, 0.01);
  EXPECT_EQ(b.counters.get(counter::balancer_picks), uint64_t(picks));
}

TEST(Balancer, LeastConnectionsFollowsOpenTriesAndWeights) {
  balancer b;
  b.rebind(config_from(R"(
upstreams:
- name: pool
  algorithm: least-connections
  targets:
  - {target: "a.test:80", weight: 200}
  - {target: "b.test:80", weight: 100}
)"),
           0);
  std::vector<peer> open;
  std::map<std::string, int> n;
  for (int i = 0; i < 3000; ++i) {
    request_state rs;
    open.push_back(must_pick(b, rs));
    ++n[std::string(open.back().host)];
  }
  // Nothing finished: connections end up proportional to weights (score (c + 1) / w).
  EXPECT_NEAR(n["a.test"], 2000, 1);
  EXPECT_EQ(b.active_connections(0, 0) + b.active_connections(0, 1), 3000u);
  // Finish every try on b: b is now far less loaded and takes the next picks.
  for (const peer& p : open) {
    if (p.host == "b.test") b.finish(p, 1000, 0);
  }
  EXPECT_EQ(b.active_connections(0, 1), 0u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(pick_host(b), "b.test");
}

constexpr std::string_view k_hashed = R"(
upstreams:
- name: pool
  hash_on: header
  hash_on_header: x-tenant
  hash_fallback: ip
  targets:
  - {target: "10.0.0.1:80"}
  - {target: "10.0.0.2:80"}
  - {target: "10.0.0.3:80"}
  - {target: "10.0.0.4:80"}
)";

std::map<int, std::string> map_keys(balancer& b, int keys) {
  std::map<int, std::string> out;
  fake_request rq;
  for (int k = 0; k < keys; ++k) {
    rq.headers["x-tenant"] = "tenant-" + std::to_string(k);
    out[k] = pick_host(b, &rq);
  }
  return out;
}

TEST(Balancer, ConsistentHashingIsStableAndSpread) {
  balancer b;
  b.rebind(config_from(k_hashed), 0);
  const auto first = map_keys(b, 20000);
  EXPECT_EQ(first, map_keys(b, 20000));  // same key, same target
  std::map<std::string, int> n;
  for (const auto& [k, host] : first) ++n[host];
  ASSERT_EQ(n.size(), 4u);
  for (const auto& [host, count] : n) EXPECT_NEAR(count / 20000.0, 0.25, 0.05) << host;
}

TEST(Balancer, ConsistentHashingMovesOnlyTheLeavingTargetsKeys) {
  balancer b;
  b.rebind(config_from(k_hashed), 0);
  const auto before = map_keys(b, 20000);
  std::string yaml(k_hashed);
  yaml.erase(yaml.find("  - {target: \"10.0.0.4:80\"}\n"));
  b.rebind(config_from(yaml), 0);
  const auto after = map_keys(b, 20000);
  int moved = 0;
  int stayed_elsewhere_moved = 0;
  for (const auto& [k, host] : before) {
    if (after.at(k) == host) continue;
    ++moved;
    if (host != "10.0.0.4") ++stayed_elsewhere_moved;
  }
  EXPECT_NEAR(moved / 20000.0, 0.25, 0.05);  // ~1/n of the keys
  EXPECT_EQ(stayed_elsewhere_moved, 0);       // equal weights: other targets keep their points
}

TEST(Balancer, ConsistentHashingSkipsUnavailableTargets) {
  balancer b;
  b.rebind(config_from(k_hashed), 0);
  const auto before = map_keys(b, 5000);
  ASSERT_TRUE(b.set_health("pool", "10.0.0.2:80", false, 0));
  const auto during = map_keys(b, 5000);
  for (const auto& [k, host] : during) {
    EXPECT_NE(host, "10.0.0.2");
    if (before.at(k) != "10.0.0.2") {
      EXPECT_EQ(host, before.at(k));
    }
  }
  ASSERT_TRUE(b.set_health("pool", "10.0.0.2:80", true, 0));
  EXPECT_EQ(map_keys(b, 5000), before);
}

TEST(Balancer, HashFallbackAndMadeUpCookie) {
  balancer b;
  b.rebind(config_from(k_hashed), 0);
  fake_request by_ip;
  by_ip.ip = "198.18.0.7";
  fake_request by_header = by_ip;
  by_header.headers["x-tenant"] = "198.18.0.7";
  // The header is absent: the fallback (ip) is hashed, the same string gives the same target.
  EXPECT_EQ(pick_host(b, &by_ip), pick_host(b, &by_header));

  balancer c;
  auto cfg = config_from(R"(
upstreams:
- name: sticky
  hash_on: cookie
  hash_on_cookie: srv
  hash_on_cookie_path: /app
  targets: [{target: "10.0.0.1:80"}, {target: "10.0.0.2:80"}]
)");
  c.rebind(cfg, 0);
  request_state rs;
  peer p;
  fake_request none;
  ASSERT_EQ(c.pick(0, &none, rs, p, 0), pick_status::ok);
  ASSERT_TRUE(rs.set_cookie);
  std::array<char, 128> buf{};
  const std::string header(hash_cookie_header(cfg->upstreams()[0], rs, buf));
  EXPECT_EQ(header.substr(0, 4), "srv=");
  EXPECT_EQ(header.substr(40), "; Path=/app; Same-Site=Lax; HttpOnly");
  EXPECT_EQ(header[4 + 14], '4');  // UUID version 4
  // The client sends the cookie back: same target.
  fake_request back;
  back.cookies["srv"] = std::string(rs.cookie_value());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(pick_host(c, &back), std::string(p.host));
}

TEST(Balancer, RetriesAvoidTriedTargets) {
  balancer b;
  b.rebind(config_from(k_weighted), 0);
  request_state rs;
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) seen.insert(std::string(must_pick(b, rs).host));
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_FALSE(must_pick(b, rs).host.empty());  // all tried: any available target again
  EXPECT_EQ(b.counters.get(counter::balancer_retries), 3u);

  balancer h;
  h.rebind(config_from(k_hashed), 0);
  fake_request rq;
  rq.headers["x-tenant"] = "t1";
  request_state hs;
  peer first;
  ASSERT_EQ(h.pick(0, &rq, hs, first, 0), pick_status::ok);
  peer second;
  ASSERT_EQ(h.pick(0, &rq, hs, second, 0), pick_status::ok);
  EXPECT_NE(first.host, second.host);  // the next point of the ring
}

TEST(Balancer, LatencyPrefersTheFasterTarget) {
  balancer b(42);
  b.rebind(config_from(R"(
upstreams:
- name: pool
  algorithm: latency
  targets: [{target: "fast.test:80"}, {target: "slow.test:80"}, {target: "mid.test:80"}]
)"),
           0);
  std::map<std::string, int> n;
  uint64_t now = 1'000'000;
  for (int i = 0; i < 3000; ++i) {
    request_state rs;
    const peer p = must_pick(b, rs, now);
    ++n[std::string(p.host)];
    const uint64_t rtt = p.host == "fast.test" ? 1000 : (p.host == "mid.test" ? 5000 : 50000);
    b.finish(p, rtt, now);
    now += 1000;
  }
  EXPECT_GT(n["fast.test"], n["mid.test"]);
  EXPECT_GT(n["mid.test"], n["slow.test"]);
}

TEST(Balancer, HostHeaderForBalancedTries) {
  auto cfg = config_from(R"(
upstreams:
- name: pool
  targets: [{target: "10.0.0.1:8080"}]
- name: named
  host_header: api.internal
  targets: [{target: "10.0.0.2:80"}]
)");
  balancer b;
  b.rebind(cfg, 0);
  std::array<char, 64> buf{};
  request_state rs;
  peer p = must_pick(b, rs, 0, 0);
  EXPECT_EQ(upstream_host_header(cfg->upstreams()[0], p, mgmt::protocol_type::http, buf),
            "10.0.0.1:8080");
  request_state rs2;
  p = must_pick(b, rs2, 0, 1);
  EXPECT_EQ(upstream_host_header(cfg->upstreams()[1], p, mgmt::protocol_type::http, buf),
            "api.internal");
  EXPECT_EQ(upstream_host_header(cfg->upstreams()[1], p, mgmt::protocol_type::https, buf),
            "api.internal:80");
  EXPECT_EQ(probe_host_header(cfg->upstreams()[1], p), "api.internal");
}

TEST(Balancer, UnknownUpstreamIsCounted) {
  balancer b;
  EXPECT_EQ(pick_host(b), "");
  EXPECT_EQ(b.counters.get(counter::balancer_unknown_upstream), 1u);
}

}  // namespace
}  // namespace ravelin::balancer::test
