// Why the codec refused a message, and the answer each refusal gets. Every error means the
// framing can no longer be trusted: the caller answers (requests) or fails the exchange
// (responses, 502) and closes the connection.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ravelin::http {

// X(name, status for a request, description). A malformed upstream response always becomes a
// 502 at the proxy; the status column is what a client gets for a malformed request.
#define RAVELIN_HTTP_ERRORS(X)                                                                    \
  X(none, 0, "no error")                                                                          \
  X(bad_request_line, 400, "request line is not method SP request-target SP HTTP-version")        \
  X(bad_method, 400, "method is not a token")                                                     \
  X(bad_target, 400, "request-target is empty or holds a byte outside VCHAR")                     \
  X(bad_version, 400, "HTTP-version is not HTTP/DIGIT.DIGIT")                                     \
  X(version_not_supported, 505, "HTTP major version other than 1")                                \
  X(bad_status_line, 400, "status line is not HTTP-version SP 3DIGIT SP reason")                  \
  X(bare_cr, 400, "CR not followed by LF")                                                        \
  X(bare_lf, 400, "LF not preceded by CR")                                                        \
  X(invalid_byte, 400, "control character inside a start line or field line")                     \
  X(obs_fold, 400, "field line starts with whitespace (obs-fold)")                                \
  X(space_before_colon, 400, "whitespace between field name and colon")                           \
  X(bad_field_name, 400, "field name is empty or not a token")                                    \
  X(bad_content_length, 400, "Content-Length is not 1*DIGIT or too large")                        \
  X(duplicate_content_length, 400, "more than one Content-Length field line")                     \
  X(content_length_and_transfer_encoding, 400, "both Content-Length and Transfer-Encoding")       \
  X(bad_transfer_encoding, 400, "Transfer-Encoding without chunked as its only final coding")     \
  X(unsupported_transfer_encoding, 501, "request Transfer-Encoding with codings besides chunked") \
  X(transfer_encoding_http10, 400, "Transfer-Encoding in an HTTP/1.0 message")                    \
  X(missing_host, 400, "HTTP/1.1 request without Host")                                           \
  X(duplicate_host, 400, "more than one Host field line")                                         \
  X(bad_host, 400, "Host value is not uri-host [ \":\" port ]")                                   \
  X(bad_connection, 400, "Connection holds an element that is not a token")                       \
  X(bad_chunk_size, 400, "chunk size missing, not hex or too large")                              \
  X(bad_chunk_extension, 400, "chunk extension does not follow RFC 9112 7.1.1")                   \
  X(bad_chunk_end, 400, "chunk data not followed by CRLF")                                        \
  X(chunk_line_too_long, 400, "chunk size line longer than limits::max_chunk_line")               \
  X(start_line_too_long, 414, "request line longer than limits::max_start_line")                  \
  X(head_too_large, 431, "header or trailer section larger than limits::max_head_bytes")          \
  X(too_many_fields, 431, "more field lines than limits::max_fields or the field table")          \
  X(scratch_exhausted, 431, "fields split across segments overflow the stitching scratch")        \
  X(body_too_large, 413, "body larger than limits::max_body_bytes")                               \
  X(truncated, 400, "input ended inside a message")                                               \
  X(unexpected_response, 400, "response bytes with no request outstanding, or an unasked 101")

#define RAVELIN_HTTP_ERROR_ENUM_(name, status, desc) name,
enum class error : uint8_t { RAVELIN_HTTP_ERRORS(RAVELIN_HTTP_ERROR_ENUM_) count_ };
#undef RAVELIN_HTTP_ERROR_ENUM_

struct error_info {
  const char* name;
  uint16_t status;
  const char* description;
};

#define RAVELIN_HTTP_ERROR_INFO_(name, status, desc) error_info{#name, status, desc},
inline constexpr std::array<error_info, static_cast<std::size_t>(error::count_)> k_error_table = {
    {RAVELIN_HTTP_ERRORS(RAVELIN_HTTP_ERROR_INFO_)}};
#undef RAVELIN_HTTP_ERROR_INFO_

constexpr const error_info& info_of(error e) { return k_error_table[static_cast<std::size_t>(e)]; }
// The status to answer a client whose request failed with `e` (0 for error::none).
constexpr uint16_t status_of(error e) { return info_of(e).status; }

}  // namespace ravelin::http
