// Request paths as Kong handles them around routing: normalization before matching and the
// join of the service path with what the route leaves of the request path (kong.md §2.5).
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "ravelin/mgmt/kong_entities.h"

namespace ravelin::router {

// The value of a hex digit (RFC 3986 §2.1 percent-encoding), or -1.
int hex_digit(char c) noexcept;

// Kong's kong.tools.uri.normalize(path, merge_slashes=true), the form routes match against:
// percent-encoded octets of unreserved and other characters decoded, those of reserved
// characters kept with upper-case hex (RFC 3986 §2.1, §6.2.2.2), dot segments removed
// (§5.2.4), "//" merged. The result is never longer than `raw`; nullopt if `out` is smaller.
std::optional<std::string_view> normalize_path(std::string_view raw, std::span<char> out) noexcept;

struct path_join {
  std::string_view service_path = "/";  // service.path, "/" when the service has none
  std::string_view request_path;        // normalized request path
  std::string_view matched;  // prefix or whole regex match that selected the route ("" if none)
  bool strip_path = true;
  mgmt::path_handling_type handling = mgmt::path_handling_type::v0;
};

// The upstream path (kong/router/utils.lua get_upstream_uri for v0, traditional.lua for v1),
// percent-escaped as kong.tools.uri.escape does before it goes on the wire. Returns the
// length written into `out`, or nullopt if it does not fit.
std::optional<size_t> write_upstream_path(const path_join& in, std::span<char> out) noexcept;

}  // namespace ravelin::router
