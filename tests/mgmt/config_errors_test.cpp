// Each class of config error is reported at the offending node with an actionable message;
// all errors of a file come back together, in file order.
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace ravelin::mgmt {
namespace {

using testing::all_errors;
using testing::has_error;
using testing::load;

TEST(config_errors, syntax_error_has_its_position) {
  auto r = load("_format_version: \"3.0\"\nservices:\n  - name: [a\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.snapshot, nullptr);
  EXPECT_EQ(r.errors[0].line, 4u);
  EXPECT_NE(r.errors[0].message.find("YAML syntax error"), std::string::npos);
  EXPECT_EQ(r.errors[0].to_string().rfind("t.yml:4:", 0), 0u);
}

TEST(config_errors, unknown_keys_at_every_level_with_suggestions) {
  auto r = load(R"(_format_version: "3.0"
servics: []
routes:
  - prots: [http]
    paths: [/]
upstreams:
  - name: u
    healthchecks:
      active:
        unhealthy: {http_failure: 1}
)");
  EXPECT_TRUE(has_error(r, 2, 1, "unknown top-level key \"servics\" (did you mean \"services\"?)"));
  EXPECT_TRUE(has_error(r, 4, 5, "unknown key \"prots\" in route (did you mean \"protocols\"?)"));
  EXPECT_TRUE(has_error(r, 10, 21,
                        "unknown key \"http_failure\" in active.unhealthy (did you "
                        "mean \"http_failures\"?)"));
  EXPECT_EQ(r.errors.size(), 3u) << all_errors(r);
}

TEST(config_errors, wrong_types) {
  auto r = load(R"(_format_version: "3.0"
services:
  - name: 123
    host: h
    retries: "5"
    enabled: maybe
    tags: oops
)");
  EXPECT_TRUE(has_error(r, 3, 11, "expected a string, got integer 123"));
  EXPECT_TRUE(has_error(r, 5, 14, "services[0].retries: expected an integer, got string \"5\""));
  EXPECT_TRUE(has_error(r, 6, 14, "expected true or false"));
  EXPECT_TRUE(has_error(r, 7, 11, "expected a list"));
}

TEST(config_errors, numbers_out_of_range) {
  auto r = load(R"(_format_version: "3.0"
services:
  - host: h
    port: 70000
    connect_timeout: 0
upstreams:
  - name: u
    slots: 5
    healthchecks: {threshold: 101}
)");
  EXPECT_TRUE(has_error(r, 4, 11, "70000 is out of range 0..65535"));
  EXPECT_TRUE(has_error(r, 5, 22, "0 is out of range 1..2147483646"));
  EXPECT_TRUE(has_error(r, 8, 12, "5 is out of range 10..65536"));
  EXPECT_TRUE(has_error(r, 9, 31, "101 is out of range 0..100"));
}

TEST(config_errors, bad_enum_values) {
  auto r = load(R"(_format_version: "3.0"
routes:
  - paths: [/]
    protocols: [http, htps]
    path_handling: v2
    https_redirect_status_code: 303
upstreams:
  - {name: u, algorithm: round_robin, hash_on: cookies}
consumers:
  - username: c
    jwt_secrets: [{key: k, secret: s, algorithm: HS257}]
)");
  EXPECT_TRUE(has_error(r, 4, 23, "\"htps\" is not a valid protocol (did you mean \"https\"?)"));
  EXPECT_TRUE(has_error(r, 5, 20, "\"v2\" is not a valid path_handling"));
  EXPECT_TRUE(has_error(r, 6, 33, "303 is not one of 426, 301, 302, 307, 308"));
  EXPECT_TRUE(has_error(r, 8, 26,
                        "\"round_robin\" is not a valid algorithm (did you mean "
                        "\"round-robin\"?)"));
  EXPECT_TRUE(has_error(r, 8, 48, "\"cookies\" is not a valid hash_on (did you mean \"cookie\"?)"));
  EXPECT_TRUE(has_error(r, 11, 50, "\"HS257\" is not a valid jwt algorithm"));
}

TEST(config_errors, missing_required_fields) {
  auto r = load(R"(_format_version: "3.0"
services:
  - name: no-host
upstreams:
  - slots: 100
    targets: [{weight: 5}]
consumers:
  - tags: [x]
certificates:
  - cert: "-----BEGIN CERTIFICATE-----"
    snis: [{tags: [y]}]
routes:
  - name: matches-nothing
)");
  EXPECT_TRUE(has_error(r, 3, 5, "missing required field \"host\" (or \"url\") in service"));
  EXPECT_TRUE(has_error(r, 5, 5, "missing required field \"name\" in upstream"));
  EXPECT_TRUE(has_error(r, 6, 15, "missing required field \"target\" in target"));
  EXPECT_TRUE(has_error(r, 8, 5, "a consumer needs \"username\" or \"custom_id\""));
  EXPECT_TRUE(has_error(r, 10, 5, "missing required field \"key\" in certificate"));
  EXPECT_TRUE(has_error(r, 11, 12, "missing required field \"name\" in sni"));
  EXPECT_TRUE(has_error(r, 13, 5,
                        "a route for http/https needs at least one of methods, hosts, "
                        "headers, paths"));
}

TEST(config_errors, dangling_references) {
  auto r = load(R"(_format_version: "3.0"
services:
  - {name: orders, host: o.internal}
routes:
  - {service: ordres, paths: [/]}
plugins:
  - {name: cors, service: nope, consumer: nobody}
snis:
  - {name: a.example.com, certificate: 11111111-2222-3333-4444-555555555555}
keyauth_credentials:
  - {consumer: ghost, key: k}
targets:
  - {upstream: missing, target: t.internal}
)");
  EXPECT_TRUE(has_error(r, 5, 15, "routes[0].service: no service named \"ordres\""));
  EXPECT_TRUE(has_error(r, 7, 27, "plugins[0].service: no service named \"nope\""));
  EXPECT_TRUE(has_error(r, 7, 43, "plugins[0].consumer: no consumer named \"nobody\""));
  EXPECT_TRUE(
      has_error(r, 9, 40, "no certificate with id \"11111111-2222-3333-4444-555555555555\""));
  EXPECT_TRUE(has_error(r, 11, 16, "keyauth_credentials[0].consumer: no consumer named \"ghost\""));
  EXPECT_TRUE(has_error(r, 13, 16, "targets[0].upstream: no upstream named \"missing\""));
  EXPECT_EQ(r.errors.size(), 6u) << all_errors(r);
}

TEST(config_errors, duplicate_names_and_keys) {
  auto r = load(R"(_format_version: "3.0"
services:
  - {name: a, host: h}
  - {name: a, host: h}
routes:
  - {name: r, paths: [/x]}
  - {name: r, paths: [/y]}
upstreams:
  - {name: u}
  - {name: u}
consumers:
  - username: c
    keyauth_credentials: [{key: k}]
  - username: c
    keyauth_credentials: [{key: k}]
certificates:
  - cert: "-----BEGIN CERTIFICATE-----"
    key: "-----BEGIN PRIVATE KEY-----"
    snis: [x.example.com, x.example.com]
)");
  EXPECT_TRUE(has_error(r, 4, 12, "duplicate service name \"a\" (first defined at line 3)"));
  EXPECT_TRUE(has_error(r, 7, 12, "duplicate route name \"r\""));
  EXPECT_TRUE(has_error(r, 10, 12, "duplicate upstream name \"u\""));
  EXPECT_TRUE(has_error(r, 14, 15, "duplicate consumer username \"c\""));
  EXPECT_TRUE(has_error(r, 15, 33, "duplicate keyauth credential key \"k\""));
  EXPECT_TRUE(has_error(r, 19, 27, "duplicate sni name \"x.example.com\""));
}

TEST(config_errors, duplicate_yaml_key_in_one_map) {
  auto r = load("_format_version: \"3.0\"\nservices:\n  - host: a\n    host: b\n");
  EXPECT_TRUE(has_error(r, 4, 5, "duplicate key \"host\""));
}

TEST(config_errors, format_version) {
  auto missing = load("services: []\n");
  EXPECT_TRUE(has_error(missing, 1, 1, "missing _format_version"));
  auto unquoted = load("_format_version: 3.0\n");
  EXPECT_TRUE(has_error(unquoted, 1, 18, "must be a string"));
  auto unknown = load("_format_version: \"4.0\"\n");
  EXPECT_TRUE(has_error(unknown, 1, 18, "\"4.0\" is not a valid format version"));
  auto empty = load("");
  EXPECT_TRUE(has_error(empty, 1, 1, "the file is empty"));
  auto list = load("- a\n- b\n");
  EXPECT_TRUE(has_error(list, 1, 1, "expected a map"));
}

TEST(config_errors, route_paths_and_hosts) {
  auto r = load(R"(_format_version: "3.0"
routes:
  - paths: [orders, "/a//b", "~/ok"]
  - hosts: ["*.a.*", "a.*.com", "ok.example.com:8443", "*.example.com", "bad host"]
  - {methods: [get], paths: [/]}
  - {headers: {Host: [a.com]}}
)");
  EXPECT_TRUE(has_error(r, 3, 13, "\"orders\" must start with \"/\" (prefix) or \"~\" (regex)"));
  EXPECT_TRUE(has_error(r, 3, 21, "has an empty segment"));
  EXPECT_TRUE(has_error(r, 4, 13, "has more than one wildcard"));
  EXPECT_TRUE(has_error(r, 4, 22, "wildcard that is not the whole leftmost or rightmost label"));
  EXPECT_TRUE(has_error(r, 4, 73, "\"bad host\" is not a valid host name"));
  EXPECT_TRUE(has_error(r, 5, 16, "\"get\" is not an upper-case HTTP method"));
  EXPECT_TRUE(has_error(r, 6, 15, "match the Host header with \"hosts\""));
  EXPECT_EQ(r.errors.size(), 7u) << all_errors(r);
}

TEST(config_errors, route_protocol_rules) {
  auto r = load(R"(_format_version: "3.0"
routes:
  - {protocols: [http, tcp], paths: [/]}
  - {protocols: [tcp]}
  - {protocols: [http], paths: [/], snis: [a.com]}
  - {protocols: [tls_passthrough], paths: [/]}
)");
  EXPECT_TRUE(has_error(r, 3, 17, "\"http\" and \"tcp\" cannot be mixed"));
  EXPECT_TRUE(has_error(r, 4, 5, "a stream route needs at least one of sources, destinations"));
  EXPECT_TRUE(has_error(r, 5, 43, "snis: only valid with https"));
  EXPECT_TRUE(has_error(r, 6, 5, "a tls_passthrough route needs snis"));
}

TEST(config_errors, service_url_problems) {
  auto r = load(R"(_format_version: "3.0"
services:
  - {url: "orders.internal"}
  - {url: "ftp://x.internal"}
  - {url: "http://x.internal", host: y}
  - {host: "bad host!"}
  - {protocol: tcp, host: t, path: /x}
)");
  EXPECT_TRUE(has_error(r, 3, 11, "has no scheme"));
  EXPECT_TRUE(has_error(r, 4, 11, "\"ftp\" is not a valid protocol"));
  EXPECT_TRUE(has_error(r, 5, 11, "cannot be combined with \"host\""));
  EXPECT_TRUE(has_error(r, 6, 12, "\"bad host!\" is not a host name or IP address"));
  EXPECT_TRUE(has_error(r, 7, 36, "only http and https services have a path"));
}

TEST(config_errors, upstream_hashing_rules) {
  auto r = load(R"(_format_version: "3.0"
upstreams:
  - {name: a, hash_on: header}
  - {name: b, hash_on: ip, hash_fallback: ip}
  - {name: "10.0.0.1"}
  - {name: c, targets: [{target: "a:b:c"}]}
)");
  EXPECT_TRUE(has_error(r, 3, 24, "\"header\" needs \"hash_on_header\""));
  EXPECT_TRUE(has_error(r, 4, 43, "must differ from hash_on"));
  EXPECT_TRUE(has_error(r, 5, 12, "must be a host name (no IP address, no port)"));
  EXPECT_TRUE(has_error(r, 6, 34, "\"a:b:c\" is not host[:port]"));
}

TEST(config_errors, credentials_need_their_secrets) {
  auto r = load(R"(_format_version: "3.0"
consumers:
  - username: c
    jwt_secrets: [{key: rs, algorithm: RS256}, {key: hs}]
    basicauth_credentials: [{username: u}]
    keyauth_credentials: [{}]
)");
  EXPECT_TRUE(has_error(r, 4, 19, "missing required field \"rsa_public_key\""));
  EXPECT_TRUE(has_error(r, 4, 48, "missing required field \"secret\""));
  EXPECT_TRUE(has_error(r, 5, 29, "missing required field \"password\""));
  EXPECT_TRUE(has_error(r, 6, 27, "missing required field \"key\""));
}

TEST(config_errors, nested_entity_naming_its_parent_again) {
  auto r = load(R"(_format_version: "3.0"
services:
  - name: s
    host: h
    routes:
      - {service: s, paths: [/]}
)");
  EXPECT_TRUE(has_error(r, 6, 19, "remove this key"));
}

TEST(config_errors, plugin_twice_in_one_scope) {
  auto r = load(R"(_format_version: "3.0"
services:
  - name: s
    host: h
    plugins: [{name: cors}]
plugins:
  - {name: cors, service: s}
  - {name: cors}
  - {name: cors, instance_name: second-global}
)");
  EXPECT_TRUE(has_error(r, 7, 5, "plugin \"cors\" is already configured for this scope"));
  EXPECT_TRUE(has_error(r, 9, 5, "plugin \"cors\" is already configured for this scope"));
  EXPECT_EQ(r.errors.size(), 2u) << all_errors(r);
}

TEST(config_errors, bad_ids) {
  auto r = load("_format_version: \"3.0\"\nservices:\n  - {id: not-a-uuid, host: h}\n");
  EXPECT_TRUE(has_error(r, 3, 10, "\"not-a-uuid\" is not a UUID"));
}

TEST(config_errors, many_errors_all_reported_in_file_order) {
  auto r = load(R"(_format_version: "3.0"
services:
  - {name: a, host: h, retries: -1}
  - {name: a}
routes:
  - {service: b, paths: [x]}
upstreams:
  - {name: u, slots: 1}
ravelin:
  ports: [{name: p, device: d, address: 1.2.3.4/99}]
  cores: [{lcore: 0, roles: [io]}]
)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.snapshot, nullptr);
  EXPECT_EQ(r.errors.size(), 7u) << all_errors(r);
  for (size_t i = 1; i < r.errors.size(); ++i) {
    const auto& a = r.errors[i - 1];
    const auto& b = r.errors[i];
    EXPECT_TRUE(a.line < b.line || (a.line == b.line && a.column <= b.column)) << all_errors(r);
  }
  EXPECT_EQ(r.errors.front().line, 3u);
  EXPECT_EQ(r.errors.back().line, 10u);
}

TEST(config_errors, diagnostic_format) {
  diagnostic d{"kong.yml", 12, 7, "routes[0].service: no service named \"orders\""};
  EXPECT_EQ(d.to_string(), "kong.yml:12:7: routes[0].service: no service named \"orders\"");
  diagnostic whole_file{"x.yml", 0, 0, "cannot open the file"};
  EXPECT_EQ(whole_file.to_string(), "x.yml: cannot open the file");
}

TEST(config_errors, unreadable_file) {
  auto r = load_config_file("/nonexistent/ravelin.yml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("cannot open"), std::string::npos);
}

TEST(config_errors, alias_bomb_in_plugin_config_is_bounded) {
  std::string text = "_format_version: \"3.0\"\nplugins:\n  - name: x\n    config:\n";
  text += "      a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
  for (int i = 1; i < 12; ++i) {
    text += "      a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  auto r = load(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(all_errors(r).find("too large or too deeply nested"), std::string::npos)
      << all_errors(r);
}

}  // namespace
}  // namespace ravelin::mgmt
