// The chunk size line of the chunked transfer coding (RFC 9112 §7.1), one byte at a time:
//   chunk-size [ chunk-ext ] CRLF
//   chunk-ext  = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//   chunk-ext-val = token / quoted-string
// Extensions are validated and dropped; nothing here is ever copied.
#include <cstdint>

#include "internal/chars.h"
#include "ravelin/http/parser.h"

namespace ravelin::http {

namespace {

enum step : uint8_t {
  size_first,  // no digit yet
  size,        // 1*HEXDIG so far
  bws,         // whitespace that must lead to ";"
  name_start,  // after ";", BWS then a name
  name,
  after_name,   // whitespace after a name: "=" or ";" next
  value_start,  // after "=", BWS then a token or quoted-string
  token_value,
  quoted,
  quoted_pair,  // after "\" inside a quoted-string
  value_end,    // after a closing DQUOTE
  lf,           // after CR
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
bool is_qdtext(char c) {
  return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
         (c >= 0x5d && c <= 0x7e) || internal::is_obs_text(c);
}

// The step after a byte that ends a name or a value: ";", whitespace or CR (0 = invalid).
step after_element(char c, step on_ows) {
  if (c == ';') return name_start;
  if (internal::is_ows(c)) return on_ows;
  if (c == '\r') return lf;
  return size_first;
}

}  // namespace

void parser::begin_chunk_line() {
  state_ = state::chunk_line;
  chunk_step_ = size_first;
  chunk_size_ = 0;
  chunk_line_len_ = 0;
}

error parser::chunk_line_byte(char c) {
  const auto s = static_cast<step>(chunk_step_);
  if (s == lf) return c == '\n' ? end_chunk_line() : error::bare_cr;
  if (c == '\n') return error::bare_lf;
  if (c != '\r' && ++chunk_line_len_ > limits_.max_chunk_line) return error::chunk_line_too_long;
  step next = size_first;  // stands for "invalid" below: no transition leads back to it
  switch (s) {
    case size_first:
    case size:
      if (const int h = hex_value(c); h >= 0) {
        if (chunk_size_ >> 60 != 0) return error::bad_chunk_size;
        chunk_size_ = chunk_size_ << 4 | static_cast<uint64_t>(h);
        next = size;
      } else if (s == size) {
        next = after_element(c, bws);
      }
      if (next == size_first) return error::bad_chunk_size;
      break;
    case bws:
      next = internal::is_ows(c) ? bws : c == ';' ? name_start : size_first;
      break;
    case name_start:
    case value_start:
      if (internal::is_ows(c)) {
        next = s;
      } else if (internal::is_tchar(c)) {
        next = s == name_start ? name : token_value;
      } else if (c == '"' && s == value_start) {
        next = quoted;
      }
      break;
    case name:
    case after_name:
      if (c == '=') {
        next = value_start;
      } else if (s == name && internal::is_tchar(c)) {
        next = name;
      } else {
        next = after_element(c, after_name);
        if (s == after_name && next == lf) next = size_first;  // BWS must lead to "=" or ";"
      }
      break;
    case token_value:
      next = internal::is_tchar(c) ? token_value : after_element(c, bws);
      break;
    case quoted:
      next = c == '"' ? value_end : c == '\\' ? quoted_pair : is_qdtext(c) ? quoted : size_first;
      break;
    case quoted_pair:  // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
      next = c == '\t' || c == ' ' || internal::is_vchar(c) || internal::is_obs_text(c)
                 ? quoted
                 : size_first;
      break;
    case value_end:
      next = after_element(c, bws);
      break;
    case lf:
      break;
  }
  if (next == size_first) return error::bad_chunk_extension;
  chunk_step_ = next;
  return error::none;
}

error parser::end_chunk_line() {
  if (chunk_size_ == 0) {
    // RFC 9112 §7.1.2: the last chunk is followed by the trailer section.
    state_ = state::line;
    line_kind_ = line_kind::trailer;
    section_bytes_ = 0;
    section_fields_ = 0;
    return error::none;
  }
  body_bytes_ = chunk_size_ > UINT64_MAX - body_bytes_ ? UINT64_MAX : body_bytes_ + chunk_size_;
  if (limits_.max_body_bytes != 0 && body_bytes_ > limits_.max_body_bytes) {
    return error::body_too_large;
  }
  remaining_ = chunk_size_;
  state_ = state::chunk_data;
  return error::none;
}

}  // namespace ravelin::http
