// One function per transformation; transform.cpp maps ids to them. Each writes into `out`
// (cleared first) and reads `in`; none allocates once `out` has grown to the input's size.
#pragma once

#include <string>
#include <string_view>

namespace ravelin::waf::detail {

// decoders (transform_decode.cpp)
void t_url_decode(std::string_view in, std::string& out, bool uni);
void t_html_entity_decode(std::string_view in, std::string& out);
void t_js_decode(std::string_view in, std::string& out);
void t_css_decode(std::string_view in, std::string& out);
void t_escape_seq_decode(std::string_view in, std::string& out);
void t_utf8_to_unicode(std::string_view in, std::string& out);

// text normalisers (transform_text.cpp)
void t_cmd_line(std::string_view in, std::string& out);
void t_compress_whitespace(std::string_view in, std::string& out);
void t_remove_whitespace(std::string_view in, std::string& out);
void t_replace_comments(std::string_view in, std::string& out);
void t_remove_comments(std::string_view in, std::string& out);
void t_remove_comments_char(std::string_view in, std::string& out);
void t_normalise_path(std::string_view in, std::string& out, bool windows);
void t_trim(std::string_view in, std::string& out, bool left, bool right);

// codecs and digests (transform_codec.cpp)
void t_base64_decode(std::string_view in, std::string& out, bool forgiving);
void t_base64_encode(std::string_view in, std::string& out);
void t_hex_decode(std::string_view in, std::string& out);
void t_hex_encode(std::string_view in, std::string& out);
void t_sql_hex_decode(std::string_view in, std::string& out);
void t_url_encode(std::string_view in, std::string& out);
void t_sha1(std::string_view in, std::string& out);
// t_sha1 with the CPU's SHA extensions allowed (when present) or not: tests compare both.
void sha1_digest(std::string_view in, std::string& out, bool cpu_extensions);

inline bool is_hex(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// ModSecurity's x2c: two hex digits to a byte (callers check validity where v3 does).
inline unsigned char x2c(const char* p) {
  auto nib = [](unsigned char c) -> unsigned {
    return c >= 'A' ? ((c & 0xdf) - 'A') + 10 : (c - '0');
  };
  return static_cast<unsigned char>((nib(p[0]) << 4) + nib(p[1]));
}
// ModSecurity's isspace plus the no-break space (0xA0), as compressWhitespace treats it.
inline bool is_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

}  // namespace ravelin::waf::detail
