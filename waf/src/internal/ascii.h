// The <cctype> classifications in the "C" locale, inline. The request path classifies every
// byte of many values (tokenizers, decoders, the phrase matcher); the libc calls cost a
// call and a locale table lookup per byte, and a locale set by the embedding program must
// not change what a rule matches.
#pragma once

#include <cstddef>
#include <string_view>

namespace ravelin::waf::ascii {

constexpr bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
constexpr bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }
constexpr bool is_xdigit(unsigned char c) {
  return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
// int, like std::tolower, so that comparisons with char promote the same way.
constexpr int to_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; }

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (to_lower(static_cast<unsigned char>(a[i])) != to_lower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace ravelin::waf::ascii
