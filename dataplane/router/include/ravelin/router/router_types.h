// What the proxy hands the router for one request and what it gets back. Everything here is a
// view: into the request, into the compiled router, or into the caller's output buffer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ravelin/mgmt/kong_entities.h"

namespace ravelin::router {

// Kong's 404 body when no route matches (kong/runloop/handler.lua).
inline constexpr std::string_view k_no_route_body = R"({"message":"no Route matched with those values"})";
// Kong's 426 answer on an https-only route reached over http (handler.lua, before access),
// sent with `Connection: Upgrade` and the `Upgrade` value below.
inline constexpr std::string_view k_https_required_body = R"({"message":"Please use HTTPS protocol"})";
inline constexpr std::string_view k_https_required_upgrade = "TLS/1.2, HTTP/1.1";

// The protocol a request arrived with (Kong's `net.protocol` for the http subsystem).
enum class scheme : uint8_t { http, https, grpc, grpcs };

// Read access to the request's header fields without copying them. `visit` is called with
// each value of every field named `name` (ASCII case-insensitive, RFC 9110 §5.1) until it
// returns true; any_value returns whether it did.
class header_source {
 public:
  using visitor = bool (*)(const void* ctx, std::string_view value);
  virtual bool any_value(std::string_view name, visitor visit, const void* ctx) const = 0;

 protected:
  ~header_source() = default;
};

// header_source over any contiguous list of fields with `name` and `value` members, e.g.
// http::message_head::fields.
template <typename Field>
class field_list_source final : public header_source {
 public:
  explicit field_list_source(std::span<const Field> fields) : fields_(fields) {}
  bool any_value(std::string_view name, visitor visit, const void* ctx) const override {
    for (const Field& f : fields_) {
      if (iequal(f.name, name) && visit(ctx, f.value)) return true;
    }
    return false;
  }

 private:
  static bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  }
  static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
  }
  std::span<const Field> fields_;
};

// One request, as the router sees it (kong/router/fields.lua, http subsystem).
struct match_input {
  std::string_view method;  // token as received, e.g. "GET"
  std::string_view host;    // Host header or :authority as received, possibly with ":port"
  std::string_view path;    // normalized (normalize_path), without the query
  std::string_view query;   // "?" and what follows as received, or empty; copied to the target
  std::string_view sni;     // TLS ClientHello server name, empty for plain http
  scheme proto = scheme::http;
  // Local port the request arrived on, compared with hosts written "name:port" (Kong's
  // net.dst.port); 0 = use the port in `host`, if any.
  uint16_t port = 0;
  const header_source* headers = nullptr;  // null: routes with `headers` cannot match
};

// What a compiled service carries for the proxy (kong.md §1.2). Indices point into the
// kong_config the router was built from.
struct service_info {
  uint32_t index = 0;
  std::string id;
  std::string name;
  mgmt::protocol_type protocol = mgmt::protocol_type::http;
  std::string host;
  uint16_t port = 80;
  std::string path;  // "/" when the service has none
  uint16_t retries = 5;
  uint32_t connect_timeout = 60000;  // ms
  uint32_t write_timeout = 60000;
  uint32_t read_timeout = 60000;
  // Set when `host` names an upstream: the balancer picks the peer and the Host header.
  std::optional<uint32_t> upstream;
  // Host sent upstream when the route does not preserve it and no upstream balances the
  // service: host, plus ":port" unless it is the scheme's default (balancer set_host_header).
  std::string host_header;
};

struct route_info {
  uint32_t index = 0;
  std::string id;
  std::string name;
  const service_info* service = nullptr;  // null: a route without a service
  bool strip_path = true;
  bool preserve_host = false;
  mgmt::path_handling_type path_handling = mgmt::path_handling_type::v0;
  uint16_t https_redirect_status_code = 426;
  bool request_buffering = true;
  bool response_buffering = true;
  uint8_t protocols = 0;  // bit (1 << protocol_type) per allowed protocol
  bool allows(mgmt::protocol_type p) const { return (protocols >> static_cast<int>(p)) & 1; }
};

// Named groups of one compiled path regex: name → group number.
using capture_names = std::vector<std::pair<std::string, uint16_t>>;

// Groups of the regex path that matched, as views into match_input::path. Kong exposes them
// as ngx.ctx.router_matches.uri_captures (0 = whole match, then numbered, then by name).
struct captures {
  static constexpr size_t k_max = 16;  // groups 0..15; later groups are not reported
  std::array<std::string_view, k_max> group{};  // [0, count) set; a group that did not take
                                                // part is empty with a null data()
  uint8_t count = 0;                      // 0 when the route matched without a regex
  const capture_names* names = nullptr;   // of the regex that matched
  bool any() const { return count > 1; }  // Kong sets uri_captures only then
  // The group called `name`; nullopt if the regex has no such group or it did not take part.
  std::optional<std::string_view> named(std::string_view name) const;
};

enum class match_status : uint8_t {
  matched,         // proxy to result.route->service
  no_route,        // 404 with k_no_route_body
  https_required,  // answer result.redirect_status (426 or a redirect to https)
  target_too_long  // the upstream target does not fit the caller's buffer (counted; 414)
};

struct match_result {
  const route_info* route = nullptr;
  const service_info* service = nullptr;
  uint16_t redirect_status = 0;  // with https_required: 426, 301, 302, 307 or 308
  // Upstream request-target: path after strip_path / path joining, escaped as Kong's
  // kong.tools.uri.escape does, then the query. Lives in the caller's buffer.
  std::string_view upstream_target;
  // Host to send: the client's Host when the route preserves it, else service_info::
  // host_header; empty when an upstream balances the service (balancer decides).
  std::string_view upstream_host;
  std::string_view matched_path;  // the prefix or whole regex match that selected the route
  captures uri_captures;
};

}  // namespace ravelin::router
