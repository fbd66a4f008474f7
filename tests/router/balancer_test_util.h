// Builds balancer configs from Kong-format YAML and drives picks in the tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ravelin/balancer/balancer.h"
#include "ravelin/mgmt/config.h"

namespace ravelin::balancer::test {

inline std::shared_ptr<const balancer_config> config_from(std::string_view yaml,
                                                          const host_lookup& lookup = nullptr) {
  const std::string text = "_format_version: \"3.0\"\n" + std::string(yaml);
  mgmt::load_result r = mgmt::load_config_text(text, "test.yml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  if (!r.snapshot) return nullptr;
  return balancer_config::build(r.snapshot->kong, lookup);
}

// A hash_source with fixed answers; absent values stay nullopt.
struct fake_request final : hash_source {
  std::optional<std::string> consumer, ip, path_value;
  std::map<std::string, std::string> headers, cookies, args, captures;

  static std::optional<std::string_view> find(const std::map<std::string, std::string>& m,
                                              std::string_view k) {
    auto it = m.find(std::string(k));
    if (it == m.end()) return std::nullopt;
    return std::string_view(it->second);
  }
  static std::optional<std::string_view> view(const std::optional<std::string>& s) {
    if (!s) return std::nullopt;
    return std::string_view(*s);
  }
  std::optional<std::string_view> consumer_id() const override { return view(consumer); }
  std::optional<std::string_view> client_ip() const override { return view(ip); }
  std::optional<std::string_view> header(std::string_view n) const override { return find(headers, n); }
  std::optional<std::string_view> cookie(std::string_view n) const override { return find(cookies, n); }
  std::optional<std::string_view> path() const override { return view(path_value); }
  std::optional<std::string_view> query_arg(std::string_view n) const override { return find(args, n); }
  std::optional<std::string_view> uri_capture(std::string_view n) const override {
    return find(captures, n);
  }
};

// One fresh request: picks once and returns the target's host ("" when refused).
inline std::string pick_host(balancer& b, const hash_source* src = nullptr, uint64_t now_us = 0,
                             uint32_t upstream = 0) {
  request_state rs;
  peer p;
  if (b.pick(upstream, src, rs, p, now_us) != pick_status::ok) return "";
  return std::string(p.host);
}

inline peer must_pick(balancer& b, request_state& rs, uint64_t now_us = 0, uint32_t upstream = 0) {
  peer p;
  EXPECT_EQ(b.pick(upstream, nullptr, rs, p, now_us), pick_status::ok);
  return p;
}

}  // namespace ravelin::balancer::test
