// Character classes of RFC 9110 §5.6 as 256-entry tables, and the list splitting that the
// field parsers share. Private to the codec.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ravelin::http::internal {

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
//         "~" / DIGIT / ALPHA   (RFC 9110 §5.6.2)
inline constexpr std::array<bool, 256> k_tchar = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// Host = uri-host [ ":" port ] (RFC 9110 §7.2): unreserved / pct-encoded / sub-delims of
// RFC 3986 §3.2.2, plus ":" and the brackets of an IP-literal.
inline constexpr std::array<bool, 256> k_host_char = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("-._~%!$&'()*+,;=:[]")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

inline bool is_tchar(char c) { return k_tchar[static_cast<unsigned char>(c)]; }
inline bool is_host_char(char c) { return k_host_char[static_cast<unsigned char>(c)]; }
inline bool is_ows(char c) { return c == ' ' || c == '\t'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_vchar(char c) { return c > 0x20 && c < 0x7f; }
inline bool is_obs_text(char c) { return static_cast<unsigned char>(c) >= 0x80; }
inline char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

inline bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Calls fn(element) for each element of a #list (RFC 9110 §5.6.1), OWS trimmed, empty
// elements included; stops early and returns false when fn does.
template <typename Fn>
bool for_each_element(std::string_view list, Fn&& fn) {
  for (;;) {
    const std::size_t comma = list.find(',');
    if (!fn(trim_ows(list.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace ravelin::http::internal
