// Simple operators: numeric reading, byte/encoding validation, word and list containment.
#include "ravelin/waf/operators.h"

#include <cstring>
#include <limits>

#include "internal/ascii.h"

namespace ravelin::waf {

int64_t sec_atoi(std::string_view s) noexcept {
  size_t i = 0;
  while (i < s.size() && ascii::is_space(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  const size_t digits = i;
  int64_t v = 0;
  while (i < s.size() && ascii::is_digit(static_cast<unsigned char>(s[i]))) {
    v = v * 10 + (s[i++] - '0');
    if (v > std::numeric_limits<int32_t>::max() + int64_t{1}) return 0;  // stoi: out_of_range
  }
  if (i == digits) return 0;  // stoi: invalid_argument
  v = neg ? -v : v;
  if (v > std::numeric_limits<int32_t>::max()) return 0;
  return v;
}

bool byte_range_violation(const std::array<bool, 256>& ok, std::string_view s) noexcept {
  for (const char c : s) {
    if (!ok[static_cast<unsigned char>(c)]) return true;
  }
  return false;
}

bool invalid_url_encoding(std::string_view s) noexcept {
  auto hex = [](char c) { return ascii::is_xdigit(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '%') {
      ++i;
      continue;
    }
    if (i + 2 >= s.size()) return true;            // not enough bytes
    if (!hex(s[i + 1]) || !hex(s[i + 2])) return true;  // non-hexadecimal
    i += 3;
  }
  return false;
}

bool invalid_utf8(std::string_view s) noexcept {
  // RFC 3629 §3-4: shortest form only, no surrogates, nothing above U+10FFFF.
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; }
    else return true;  // continuation byte or 0xf8.. as a lead
    if (i + len > n) return true;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xc0) != 0x80) return true;
      cp = (cp << 6) | (b & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return true;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return true;
    i += len;
  }
  return false;
}

bool contains_word(std::string_view hay, std::string_view word) noexcept {
  if (word.empty()) return true;
  auto word_char = [](char c) {
    return ascii::is_alnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  };
  for (size_t pos = hay.find(word); pos != std::string_view::npos; pos = hay.find(word, pos + 1)) {
    const bool left = pos == 0 || !word_char(hay[pos - 1]);
    const size_t end = pos + word.size();
    const bool right = end >= hay.size() || !word_char(hay[end]);
    if (left && right) return true;
  }
  return false;
}

bool within(std::string_view value, std::string_view list) noexcept {
  // memmem, not string_view::find: CRS' lists ("/proxy/ /lock-token/ ...") repeat the needle's
  // first byte at every entry, and find() pays a memchr and a memcmp call per repeat.
  // A list too short to hold the value may be a view with no data (an unset %{tx.x}), which
  // memmem must not be given.
  if (value.empty()) return true;
  if (list.size() < value.size()) return false;
  return memmem(list.data(), list.size(), value.data(), value.size()) != nullptr;
}

}  // namespace ravelin::waf
