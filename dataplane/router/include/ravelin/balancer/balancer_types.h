// Values exchanged between the proxy and the balancer for one request or one health probe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ravelin::balancer {

enum class pick_status : uint8_t {
  ok,
  upstream_unhealthy,  // healthy weight below healthchecks.threshold: 503 (kong.md §4)
  no_peer,             // no target available: 503 "failure to get a peer from the ring-balancer"
  unknown_upstream,    // index not in the running config
};

// lua-resty-healthcheck's internal states. The mostly_* ones keep the availability of the
// state they come from while counters move towards the other.
enum class health : uint8_t { healthy, mostly_healthy, mostly_unhealthy, unhealthy };
inline bool is_available(health h) { return h == health::healthy || h == health::mostly_healthy; }

// One observation of a target, from a probe or from proxied traffic. Kong reports a failed
// try as a timeout when the proxy gave up waiting (504) and as a TCP failure otherwise, and
// the last try by its HTTP status (kong.md §4).
struct check_result {
  enum class kind : uint8_t { tcp_success, tcp_failure, timeout, http_status };
  kind what = kind::tcp_success;
  uint16_t status = 0;  // with http_status; 0 = no parsable status line (counts as failure)

  static check_result tcp_ok() { return {kind::tcp_success, 0}; }
  static check_result tcp_failed() { return {kind::tcp_failure, 0}; }
  static check_result timed_out() { return {kind::timeout, 0}; }
  static check_result http(uint16_t s) { return {kind::http_status, s}; }
};

// A picked target. Hand it back to finish() and report(); it stays meaningful across config
// reloads as long as the target (same upstream name and address) is still configured.
struct peer {
  uint32_t upstream = 0;    // index in the balancer_config it was picked from
  uint32_t target = 0;      // index in that upstream's targets
  uint32_t slot = 0;        // the target's health and load state on this lcore
  uint32_t generation = 0;  // slot reuse guard: reports for a removed target are ignored
  std::string_view host;    // target host or IP (IPv6 without brackets)
  uint16_t port = 0;
};

struct health_change {
  bool changed = false;    // availability flipped: broadcast to the other lcores (set_health)
  bool available = false;  // availability after the report
};

// The request attributes consistent hashing may key on (kong.md §4 hash inputs). Only the
// ones the upstream's hash_on / hash_fallback name are asked for; nullopt = absent.
class hash_source {
 public:
  virtual std::optional<std::string_view> consumer_id() const = 0;  // else credential id
  virtual std::optional<std::string_view> client_ip() const = 0;    // remote address, text
  // All fields of that name joined with "," (RFC 9110 §5.3), as nginx's $http_ variables do.
  virtual std::optional<std::string_view> header(std::string_view name) const = 0;
  virtual std::optional<std::string_view> cookie(std::string_view name) const = 0;
  virtual std::optional<std::string_view> path() const = 0;  // normalized path
  // Multiple values sorted and joined with "," (balancer/init.lua get_query_arg).
  virtual std::optional<std::string_view> query_arg(std::string_view name) const = 0;
  virtual std::optional<std::string_view> uri_capture(std::string_view name) const = 0;

 protected:
  ~hash_source() = default;
};

// Balancer state of one proxied request across its tries (Kong's balancer handle).
struct request_state {
  static constexpr size_t k_tracked = 16;  // tries remembered for "not the same target again"
  uint32_t hash = 0;                       // consistent-hashing value, computed on the first try
  bool hashed = false;
  uint16_t tries = 0;
  std::array<uint32_t, k_tracked> tried{};  // slots of the targets tried so far
  // hash_on=cookie without the cookie: Kong makes one up and sets it on the response.
  bool set_cookie = false;
  std::array<char, 36> cookie{};
  std::string_view cookie_value() const { return {cookie.data(), set_cookie ? cookie.size() : 0}; }
  bool was_tried(uint32_t slot) const;
};

}  // namespace ravelin::balancer
