// Types shared by the HTTP/1.1 parser, the serializer and their callers: methods, field views,
// limits and the parsed head of one message. Views point into the caller's input segments
// or into the parser's stitching scratch; neither is copied nor owned here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ravelin::http {

// RFC 9110 §9: the registered methods the proxy treats specially; any other token is `other`.
enum class method : uint8_t {
  other,
  get,
  head,
  post,
  put,
  delete_,
  connect,
  options,
  trace,
  patch
};

struct header_field {
  std::string_view name;   // a token, as received (case preserved)
  std::string_view value;  // without leading and trailing OWS
};

// How the body of a message is delimited (RFC 9112 §6.3).
enum class body_framing : uint8_t {
  none,         // no body: no framing fields, HEAD, 1xx, 204, 304
  length,       // Content-Length bytes
  chunked,      // chunked transfer coding, then trailers
  until_close,  // response read until the server closes the connection
  tunnel,       // 101 or 2xx to CONNECT: the bytes after the head belong to another protocol
};

// Every bound the parser enforces; exceeding one is an error, never growth.
struct limits {
  uint32_t max_start_line = 8192;  // request line (414) or status line, without CRLF
  uint32_t max_head_bytes =
      16384;                  // start line + field lines + CRLFs (431); also per trailer section
  uint16_t max_fields = 100;  // field lines per section, also capped by the field table (431)
  uint32_t max_chunk_line = 1024;  // chunk size line with extensions, without CRLF (400)
  uint64_t max_body_bytes = 0;     // 0 = unlimited (413)
};

// The head of one message. Request fields are empty in a response and the other way round.
struct message_head {
  http::method method = http::method::other;
  std::string_view method_token;  // the method as received, e.g. "PURGE"
  std::string_view target;        // request-target, e.g. "/a?b"
  uint16_t status = 0;            // response status code, 100..599
  std::string_view reason;        // reason-phrase, possibly empty
  uint8_t version_minor = 1;      // HTTP/1.x; 1.2 and later are handled as 1.1 (RFC 9110 §2.5)

  std::span<const header_field> fields;
  std::string_view host;  // the Host value (requests), empty if absent

  body_framing framing = body_framing::none;
  uint64_t content_length = 0;  // valid when framing == length

  bool keep_alive = true;        // the connection may carry another message (RFC 9112 §9.3)
  bool expect_continue = false;  // request: Expect: 100-continue on HTTP/1.1 (RFC 9110 §10.1.1)
  bool upgrade = false;  // request: Upgrade with the "upgrade" connection option on HTTP/1.1
                         // (RFC 9110 §7.8); response: the 101 that starts the tunnel
};

// First field named `name` (case-insensitive), or nullptr.
const header_field* find_field(std::span<const header_field> fields, std::string_view name);

// Case-insensitive ASCII equality, as field names, options and codings compare (RFC 9110 §5.1).
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace ravelin::http
