// Shared helpers for the router and balancer tests: configs from Kong-format YAML (the real
// contract) and a compact request builder.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ravelin/mgmt/config.h"
#include "ravelin/router/path.h"
#include "ravelin/router/router.h"

namespace ravelin::router::test {

struct field {
  std::string_view name;
  std::string_view value;
};

inline std::shared_ptr<const mgmt::config> load_yaml(std::string_view yaml) {
  const std::string text = "_format_version: \"3.0\"\n" + std::string(yaml);
  mgmt::load_result r = mgmt::load_config_text(text, "test.yml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  return r.snapshot;
}

// A router over the YAML's services and routes, with the config kept alive beside it.
struct fixture {
  std::shared_ptr<const mgmt::config> config;
  std::shared_ptr<const router> r;
  match_scratch scratch;
  std::array<char, 4096> target{};
  std::array<char, 4096> normalized{};

  explicit fixture(std::string_view yaml, build_options opts = {}) {
    config = load_yaml(yaml);
    if (!config) return;
    build_result b = router::build(config->kong, opts);
    for (const auto& e : b.errors) ADD_FAILURE() << e;
    r = b.router;
  }
};

// One request; `path` may carry "?query" and is normalized like the proxy would.
struct request {
  std::string method = "GET";
  std::string host;
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string sni;
  scheme proto = scheme::http;
  uint16_t port = 0;
};

struct outcome {
  match_status status = match_status::no_route;
  match_result result;
  std::string route;   // matched route's name
  std::string target;  // upstream target
  std::string host;    // upstream host
};

inline outcome run(fixture& f, const request& rq) {
  std::vector<field> fields;
  for (const auto& [n, v] : rq.headers) fields.push_back({n, v});
  field_list_source<field> headers(fields);
  const size_t q = rq.path.find('?');
  const std::string_view raw_path = std::string_view(rq.path).substr(0, q);
  const auto norm = normalize_path(raw_path, f.normalized);
  match_input in;
  in.method = rq.method;
  in.host = rq.host;
  in.path = norm.value_or("");
  in.query = q == std::string::npos ? std::string_view{} : std::string_view(rq.path).substr(q);
  in.sni = rq.sni;
  in.proto = rq.proto;
  in.port = rq.port;
  in.headers = &headers;
  outcome o;
  o.status = f.r->match(in, f.scratch, f.target, o.result);
  if (o.result.route) o.route = o.result.route->name;
  o.target = std::string(o.result.upstream_target);
  o.host = std::string(o.result.upstream_host);
  return o;
}

// Name of the route `rq` lands on, "" for none.
inline std::string route_of(fixture& f, const request& rq) { return run(f, rq).route; }

}  // namespace ravelin::router::test
