// Valid configs load with the values written and Kong's defaults for the rest (kong.md §1).
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace ravelin::mgmt {
namespace {

using testing::all_errors;
using testing::load;

// kong.md §1.1's example with a ravelin section in front.
constexpr std::string_view k_reference_example = R"(_format_version: "3.0"
ravelin:
  ports:
    - name: front
      device: "net_af_packet0,iface=rv-front"
      address: 198.18.1.1/24
      gateway: 198.18.1.254
  cores:
    - {lcore: 1, roles: [io, tls, auth]}
services:
- name: orders
  url: http://orders-upstream:8080/v1      # shorthand → protocol/host/port/path
  retries: 3
  routes:
  - name: orders-api
    hosts: [api.example.com]
    paths: ["/orders", "~/orders/(?<id>\\d+)$"]
    methods: [GET, POST]
    strip_path: true
  plugins:
  - name: key-auth
  - name: rate-limiting
    config: {minute: 600, policy: local, limit_by: consumer}
upstreams:
- name: orders-upstream
  algorithm: consistent-hashing
  hash_on: header
  hash_on_header: X-Tenant
  healthchecks:
    active:   {http_path: /healthz, healthy: {interval: 5, successes: 2}, unhealthy: {interval: 5, http_failures: 3, tcp_failures: 2, timeouts: 2}}
    passive:  {unhealthy: {http_failures: 5, tcp_failures: 2, timeouts: 3}}
  targets:
  - {target: 10.0.0.11:8080, weight: 100}
  - {target: 10.0.0.12:8080, weight: 50}
consumers:
- username: alice
  keyauth_credentials: [{key: alice-key}]
  acls: [{group: gold}]
  jwt_secrets: [{key: alice-iss, algorithm: HS256, secret: s3cr3t}]
  basicauth_credentials: [{username: alice, password: pw}]
certificates:
- cert: "-----BEGIN CERTIFICATE-----..."
  key:  "-----BEGIN PRIVATE KEY-----..."
  snis: [{name: api.example.com}, {name: "*.example.com"}]
)";

class reference_example : public ::testing::Test {
 protected:
  void SetUp() override {
    result_ = load(k_reference_example);
    ASSERT_TRUE(result_.ok()) << all_errors(result_);
    kong_ = &result_.snapshot->kong;
  }
  load_result result_;
  const kong_config* kong_ = nullptr;
};

TEST_F(reference_example, service_url_is_split_and_defaults_filled) {
  ASSERT_EQ(kong_->services.size(), 1u);
  const service& s = kong_->services[0];
  EXPECT_EQ(s.name, "orders");
  EXPECT_EQ(s.protocol, protocol_type::http);
  EXPECT_EQ(s.host, "orders-upstream");
  EXPECT_EQ(s.port, 8080);
  EXPECT_EQ(s.path, "/v1");
  EXPECT_EQ(s.retries, 3);
  EXPECT_EQ(s.connect_timeout, 60000u);
  EXPECT_EQ(s.write_timeout, 60000u);
  EXPECT_EQ(s.read_timeout, 60000u);
  EXPECT_TRUE(s.enabled);
  EXPECT_FALSE(s.tls_verify.has_value());
  EXPECT_EQ(s.mark.line, 11u);
}

TEST_F(reference_example, nested_route_gets_its_service_and_defaults) {
  ASSERT_EQ(kong_->routes.size(), 1u);
  const route& r = kong_->routes[0];
  EXPECT_EQ(r.name, "orders-api");
  ASSERT_TRUE(r.service.index.has_value());
  EXPECT_EQ(*r.service.index, 0u);
  EXPECT_EQ(r.protocols, (std::vector{protocol_type::http, protocol_type::https}));
  EXPECT_EQ(r.hosts, std::vector<std::string>{"api.example.com"});
  EXPECT_EQ(r.paths, (std::vector<std::string>{"/orders", "~/orders/(?<id>\\d+)$"}));
  EXPECT_EQ(r.methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_TRUE(r.strip_path);
  EXPECT_FALSE(r.preserve_host);
  EXPECT_EQ(r.regex_priority, 0);
  EXPECT_EQ(r.path_handling, path_handling_type::v0);
  EXPECT_EQ(r.https_redirect_status_code, 426);
  EXPECT_TRUE(r.request_buffering);
  EXPECT_TRUE(r.response_buffering);
}

TEST_F(reference_example, plugins_are_scoped_and_keep_their_config_tree) {
  ASSERT_EQ(kong_->plugins.size(), 2u);
  const plugin& key_auth = kong_->plugins[0];
  EXPECT_EQ(key_auth.name, "key-auth");
  EXPECT_EQ(key_auth.service.index, 0u);
  EXPECT_TRUE(key_auth.route.empty());
  EXPECT_TRUE(key_auth.enabled);
  EXPECT_EQ(key_auth.config.type, config_node::kind::map);
  EXPECT_TRUE(key_auth.config.members.empty());
  EXPECT_EQ(key_auth.protocols.size(), 4u);

  const config_node& c = kong_->plugins[1].config;
  ASSERT_NE(c.find("minute"), nullptr);
  EXPECT_EQ(c.find("minute")->type, config_node::kind::integer);
  EXPECT_EQ(c.find("minute")->integer, 600);
  EXPECT_EQ(c.find("policy")->string, "local");
  EXPECT_EQ(c.find("limit_by")->type, config_node::kind::string);
  EXPECT_EQ(c.find("nope"), nullptr);
}

TEST_F(reference_example, upstream_values_and_healthcheck_defaults) {
  ASSERT_EQ(kong_->upstreams.size(), 1u);
  const upstream& u = kong_->upstreams[0];
  EXPECT_EQ(u.algorithm, lb_algorithm::consistent_hashing);
  EXPECT_EQ(u.hash_on, hash_on_type::header);
  EXPECT_EQ(u.hash_on_header, "X-Tenant");
  EXPECT_EQ(u.hash_fallback, hash_on_type::none);
  EXPECT_EQ(u.hash_on_cookie_path, "/");
  EXPECT_EQ(u.slots, 10000u);
  EXPECT_FALSE(u.use_srv_name);

  const auto& a = u.healthchecks.active;
  EXPECT_EQ(a.type, healthcheck_type::http);
  EXPECT_EQ(a.timeout, 1);
  EXPECT_EQ(a.concurrency, 10u);
  EXPECT_EQ(a.http_path, "/healthz");
  EXPECT_TRUE(a.https_verify_certificate);
  EXPECT_EQ(a.healthy.interval, 5);
  EXPECT_EQ(a.healthy.successes, 2u);
  EXPECT_EQ(a.healthy.http_statuses, (std::vector<uint16_t>{200, 302}));
  EXPECT_EQ(a.unhealthy.interval, 5);
  EXPECT_EQ(a.unhealthy.http_failures, 3u);
  EXPECT_EQ(a.unhealthy.tcp_failures, 2u);
  EXPECT_EQ(a.unhealthy.timeouts, 2u);
  EXPECT_EQ(a.unhealthy.http_statuses,
            (std::vector<uint16_t>{429, 404, 500, 501, 502, 503, 504, 505}));

  const auto& p = u.healthchecks.passive;
  EXPECT_EQ(p.type, healthcheck_type::http);
  EXPECT_EQ(p.healthy.successes, 0u);
  EXPECT_EQ(p.healthy.http_statuses.size(), 19u);
  EXPECT_EQ(p.healthy.http_statuses.front(), 200);
  EXPECT_EQ(p.healthy.http_statuses.back(), 308);
  EXPECT_EQ(p.unhealthy.http_statuses, (std::vector<uint16_t>{429, 500, 503}));
  EXPECT_EQ(p.unhealthy.http_failures, 5u);
  EXPECT_EQ(u.healthchecks.threshold, 0);
}

TEST_F(reference_example, targets_belong_to_their_upstream) {
  ASSERT_EQ(kong_->targets.size(), 2u);
  EXPECT_EQ(kong_->targets[0].upstream.index, 0u);
  EXPECT_EQ(kong_->targets[0].host, "10.0.0.11");
  EXPECT_EQ(kong_->targets[0].port, 8080);
  EXPECT_EQ(kong_->targets[0].weight, 100);
  EXPECT_EQ(kong_->targets[1].weight, 50);
}

TEST_F(reference_example, consumer_credentials_point_at_their_consumer) {
  ASSERT_EQ(kong_->consumers.size(), 1u);
  EXPECT_EQ(kong_->consumers[0].username, "alice");
  ASSERT_EQ(kong_->keyauth_credentials.size(), 1u);
  EXPECT_EQ(kong_->keyauth_credentials[0].key, "alice-key");
  EXPECT_EQ(kong_->keyauth_credentials[0].consumer.index, 0u);
  ASSERT_EQ(kong_->acls.size(), 1u);
  EXPECT_EQ(kong_->acls[0].group, "gold");
  ASSERT_EQ(kong_->jwt_secrets.size(), 1u);
  EXPECT_EQ(kong_->jwt_secrets[0].algorithm, jwt_algorithm::hs256);
  EXPECT_EQ(kong_->jwt_secrets[0].secret, "s3cr3t");
  ASSERT_EQ(kong_->basicauth_credentials.size(), 1u);
  EXPECT_EQ(kong_->basicauth_credentials[0].password, "pw");
}

TEST_F(reference_example, certificate_snis_are_flattened) {
  ASSERT_EQ(kong_->certificates.size(), 1u);
  ASSERT_EQ(kong_->snis.size(), 2u);
  EXPECT_EQ(kong_->snis[1].name, "*.example.com");
  EXPECT_EQ(kong_->snis[1].certificate.index, 0u);
  EXPECT_EQ(kong_->certificates[0].snis,
            (std::vector<std::string>{"api.example.com", "*.example.com"}));
}

TEST_F(reference_example, ravelin_section) {
  const appliance_config& a = result_.snapshot->appliance;
  ASSERT_EQ(a.ports.size(), 1u);
  EXPECT_EQ(a.ports[0].name, "front");
  EXPECT_EQ(a.ports[0].device, "net_af_packet0,iface=rv-front");
  EXPECT_EQ(a.ports[0].address.address, 0xC6120101u);
  EXPECT_EQ(a.ports[0].address.length, 24);
  EXPECT_EQ(a.ports[0].gateway, 0xC61201FEu);
  EXPECT_EQ(a.ports[0].queues, 1);
  EXPECT_EQ(a.ports[0].mtu, 1500);
  ASSERT_EQ(a.cores.size(), 1u);
  EXPECT_EQ(a.cores[0].lcore, 1u);
  EXPECT_TRUE(a.cores[0].has(core_role::io));
  EXPECT_TRUE(a.cores[0].has(core_role::tls));
  EXPECT_TRUE(a.cores[0].has(core_role::auth));
  EXPECT_EQ(a.stack.arp_cache_entries, 1024u);
  EXPECT_EQ(a.stack.mbufs_per_port, 8191u);
}

TEST(config_defaults, target_port_and_weight_default) {
  auto r = load(R"(_format_version: "3.0"
upstreams:
  - name: pool
    targets: [{target: backend.internal}, {target: "[2001:db8::1]"}]
)");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const auto& t = r.snapshot->kong.targets;
  EXPECT_EQ(t[0].port, 8000);
  EXPECT_EQ(t[0].weight, 100);
  EXPECT_EQ(t[0].target, "backend.internal:8000");
  EXPECT_EQ(t[1].host, "2001:db8::1");
  EXPECT_EQ(t[1].target, "[2001:db8::1]:8000");
}

TEST(config_defaults, url_port_follows_the_scheme) {
  auto r = load(R"(_format_version: "3.0"
services:
  - {name: a, url: https://secure.example.com}
  - {name: b, url: "http://plain.example.com/"}
  - {name: c, host: c.internal}
)");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const auto& s = r.snapshot->kong.services;
  EXPECT_EQ(s[0].protocol, protocol_type::https);
  EXPECT_EQ(s[0].port, 443);
  EXPECT_FALSE(s[0].path.has_value());
  EXPECT_EQ(s[1].port, 80);
  EXPECT_EQ(s[1].path, "/");
  EXPECT_EQ(s[2].port, 80);
  EXPECT_EQ(s[2].protocol, protocol_type::http);
  EXPECT_EQ(s[2].retries, 5);
}

TEST(config_defaults, top_level_entities_reference_by_name_or_id) {
  auto r = load(R"(_format_version: "3.0"
services:
  - {id: 0b7c2f7e-9d1a-4c43-8f51-2c1f9e2f0a11, host: a.internal}
  - {name: named, host: b.internal}
routes:
  - {service: 0b7c2f7e-9d1a-4c43-8f51-2c1f9e2f0a11, paths: [/a]}
  - {service: {name: named}, paths: [/b]}
consumers:
  - {custom_id: only-custom}
  - {username: carol}
acls:
  - {consumer: carol, group: g}
plugins:
  - {name: cors, route: {id: 0b7c2f7e-9d1a-4c43-8f51-2c1f9e2f0a11}}
)");
  // The plugin names a route by a service's id: a dangling route reference.
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_NE(r.errors[0].message.find("no route named"), std::string::npos);
  EXPECT_EQ(r.errors[0].line, 14u);
}

TEST(config_defaults, format_2_1_regex_paths_get_the_tilde) {
  auto r = load(R"(_format_version: "2.1"
routes:
  - {paths: ["/users/\\d+$", /plain]}
)");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.snapshot->kong.routes[0].paths,
            (std::vector<std::string>{"~/users/\\d+$", "/plain"}));
}

TEST(config_defaults, pure_kong_file_has_an_empty_appliance_section) {
  auto r = load("_format_version: \"3.0\"\n");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_TRUE(r.snapshot->appliance.ports.empty());
  EXPECT_TRUE(r.snapshot->appliance.cores.empty());
}

TEST(config_examples, both_examples_load) {
  for (const char* name : {"minimal.yml", "kong-full.yml"}) {
    const std::string path = std::string(RAVELIN_MGMT_EXAMPLES) + "/" + name;
    auto r = load_config_file(path);
    EXPECT_TRUE(r.ok()) << path << "\n" << all_errors(r);
    if (r.ok()) {
      EXPECT_EQ(r.snapshot->source, path);
    }
  }
}

TEST(config_examples, minimal_has_one_port_one_core_one_route) {
  auto r = load_config_file(std::string(RAVELIN_MGMT_EXAMPLES) + "/minimal.yml");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const auto& a = r.snapshot->appliance;
  ASSERT_EQ(a.ports.size(), 1u);
  EXPECT_EQ(a.ports[0].device, "net_af_packet0,iface=rv-app0");
  EXPECT_EQ(a.ports[0].address.length, 24);
  ASSERT_EQ(a.cores.size(), 1u);
  EXPECT_EQ(a.cores[0].roles, static_cast<uint8_t>(core_role::io));
  EXPECT_EQ(r.snapshot->kong.services.size(), 1u);
  EXPECT_EQ(r.snapshot->kong.routes.size(), 1u);
}

TEST(config_examples, full_example_resolves_everything) {
  auto r = load_config_file(std::string(RAVELIN_MGMT_EXAMPLES) + "/kong-full.yml");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const kong_config& k = r.snapshot->kong;
  EXPECT_EQ(k.services.size(), 3u);
  EXPECT_EQ(k.routes.size(), 3u);
  for (const auto& rt : k.routes) EXPECT_TRUE(rt.service.index.has_value()) << rt.name;
  for (const auto& t : k.targets) EXPECT_TRUE(t.upstream.index.has_value()) << t.target;
  EXPECT_EQ(k.targets.back().port, 8000);
  EXPECT_EQ(k.services[2].port, 443);  // https url without a port
  EXPECT_EQ(k.routes[1].https_redirect_status_code, 308);
  EXPECT_EQ(k.routes[1].headers.at(0).values, (std::vector<std::string>{"gold", "silver"}));
  EXPECT_EQ(k.certificates[0].snis.size(), 3u);
  EXPECT_EQ(r.snapshot->appliance.eal, (std::vector<std::string>{"--no-huge", "--no-pci"}));
  EXPECT_EQ(r.snapshot->appliance.stack.arp_cache_entries, 4096u);
}

}  // namespace
}  // namespace ravelin::mgmt
