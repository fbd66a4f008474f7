// A request (and optionally its response) as plain data: what the HTTP codec hands the WAF.
// Everything is borrowed; the caller keeps the bytes alive for the call.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ravelin::waf {

struct http_header {
  std::string_view name;
  std::string_view value;
};

struct http_request {
  std::string_view method;    // "GET"
  std::string_view uri;       // request-target as received: "/a/b?x=1"
  std::string_view protocol;  // "HTTP/1.1"
  std::span<const http_header> headers;
  std::string_view body;      // complete body (de-chunked); empty if none
  std::string_view remote_addr;
  uint16_t remote_port = 0;
  std::string_view server_addr;
  uint16_t server_port = 0;
};

struct http_response {
  int status = 200;
  std::string_view protocol = "HTTP/1.1";
  std::span<const http_header> headers;
  std::string_view body;
  // The body went on past SecResponseBodyLimit and `body` is its start: phase 4 sees the
  // first SecResponseBodyLimit bytes (ProcessPartial) or the answer is refused (Reject).
  bool body_over_limit = false;
};

}  // namespace ravelin::waf
