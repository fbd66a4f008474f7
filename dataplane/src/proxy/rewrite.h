// What Ravelin changes in a message on its way through, as Kong does (kong.md §2.5, §3.6):
// the request head for the upstream (Host, X-Forwarded-*, X-Real-IP, Via, hop-by-hop fields
// dropped), the response head for the client, and the gateway's own error answers with
// Kong's JSON bodies. Pure functions over caller buffers: no allocation.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "ravelin/http/http_types.h"
#include "ravelin/http/serializer.h"

namespace ravelin::dataplane::proxy {

// Kong's error bodies (kong/runloop/handler.lua, balancer, nginx error pages in kong.md §3.6).
inline constexpr std::string_view k_bad_gateway_body =
    R"({"message":"An invalid response was received from the upstream server"})";
inline constexpr std::string_view k_no_peer_body =
    R"({"message":"failure to get a peer from the ring-balancer"})";
inline constexpr std::string_view k_timeout_body =
    R"({"message":"The upstream server is timing out"})";
inline constexpr std::string_view k_name_resolution_body =
    R"({"message":"name resolution failed"})";
inline constexpr std::string_view k_no_service_body =
    R"({"message":"no Service found with those values"})";
inline constexpr std::string_view k_via = "1.1 ravelin";

// The facts about one request and its client that the upstream head carries.
struct forward_facts {
  std::string_view host;          // Host to send (router's or the balancer's)
  uint32_t client_ip = 0;         // host byte order
  uint16_t listen_port = 0;       // where the request arrived (X-Forwarded-Port)
  std::string_view request_path;  // path as received, without the query (X-Forwarded-Path)
  std::string_view strip_prefix;  // matched prefix that strip_path removed, or empty
  bool upgrade = false;           // the client asked for a protocol upgrade (RFC 9110 §7.8)
};

// Writes the upstream request head: method and the router's upstream target, the client's
// end-to-end fields, then Kong's proxy fields. `scratch` holds composed values while writing.
http::write_result write_upstream_request(std::span<char> out, const http::message_head& req,
                                          std::string_view upstream_target, const forward_facts& f,
                                          std::span<char> scratch);

// Writes the head sent to the client for an upstream response: end-to-end fields kept,
// framing restated (the body passes through unchanged), Via appended, Connection set.
// With `decoded`, the body goes out without its chunked framing (an HTTP/1.0 client), so
// Transfer-Encoding is not restated.
http::write_result write_client_response(std::span<char> out, const http::message_head& resp,
                                         bool close_client, std::span<char> scratch,
                                         bool decoded = false);

// A complete gateway answer: status line, JSON content type, length, Connection, body.
http::write_result write_error(std::span<char> out, uint16_t status, std::string_view body,
                               bool close_client);

// Formats an IPv4 address (host byte order) as dotted quad; returns the view into `out`.
std::string_view format_ipv4(uint32_t ip, std::span<char> out);
// Parses a dotted-quad IPv4 literal into host byte order.
bool parse_ipv4(std::string_view text, uint32_t& ip);

}  // namespace ravelin::dataplane::proxy
