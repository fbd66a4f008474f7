// Decoding transformations, byte-for-byte as ModSecurity v3 defines them (reference manual,
// "urlDecodeUni", "htmlEntityDecode", "jsDecode", "cssDecode", "escapeSeqDecode",
// "utf8toUnicode"), including their treatment of invalid input (kept, not dropped).

#include "internal/ascii.h"
#include "internal/transform_impl.h"

namespace ravelin::waf::detail {

namespace {
// %uFFxx and \uFFxx: full-width ASCII (U+FF01..U+FF5E) becomes its ASCII twin.
unsigned char low_byte_fullwidth(const char* four_hex) {
  unsigned char c = x2c(four_hex + 2);
  if (c > 0x00 && c < 0x5f && (four_hex[0] | 0x20) == 'f' && (four_hex[1] | 0x20) == 'f') c += 0x20;
  return c;
}
bool is_odigit(unsigned char c) { return c >= '0' && c <= '7'; }
}  // namespace

void t_url_decode(std::string_view in, std::string& out, bool uni) {
  // Every input byte yields at most one output byte: write through a pointer into `out`
  // sized for the input (a push_back per byte cost more than the decoding).
  out.resize(in.size());
  char* const begin = out.data();
  char* w = begin;
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    const char c = in[i];
    if (c == '+') {
      *w++ = ' ';
      ++i;
    } else if (c != '%') {
      *w++ = c;
      ++i;
    } else if (uni && i + 1 < n && (in[i + 1] == 'u' || in[i + 1] == 'U')) {
      if (i + 5 < n && is_hex(in[i + 2]) && is_hex(in[i + 3]) && is_hex(in[i + 4]) &&
          is_hex(in[i + 5])) {
        *w++ = static_cast<char>(low_byte_fullwidth(&in[i + 2]));
        i += 6;
      } else {  // invalid or short %u: keep "%u" and go on
        *w++ = in[i];
        *w++ = in[i + 1];
        i += 2;
      }
    } else if (i + 2 < n && is_hex(in[i + 1]) && is_hex(in[i + 2])) {
      *w++ = static_cast<char>(x2c(&in[i + 1]));
      i += 3;
    } else {
      *w++ = in[i++];
    }
  }
  out.resize(static_cast<size_t>(w - begin));
}

void t_html_entity_decode(std::string_view in, std::string& out) {
  out.clear();
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    size_t copy = 1;
    if (in[i] == '&' && i + 1 < n) {
      size_t j = i + 1;
      if (in[j] == '#') {
        copy = 2;
        if (j + 1 < n) {
          ++j;
          const bool hex = in[j] == 'x' || in[j] == 'X';
          if (hex) {
            copy = 3;
            ++j;
          }
          const size_t k = j;
          const unsigned long long base = hex ? 16 : 10;
          unsigned long long v = 0;
          bool saturated = false;  // strtol clamps to LONG_MAX, whose low byte is 0xff
          while (j < n && (hex ? is_hex(in[j]) : ascii::is_digit(static_cast<unsigned char>(in[j])))) {
            const unsigned d = ascii::is_digit(static_cast<unsigned char>(in[j]))
                                   ? in[j] - '0'
                                   : (in[j] | 0x20) - 'a' + 10;
            if (v > (0x7fffffffffffffffULL - d) / base) saturated = true;
            if (!saturated) v = v * base + d;
            ++j;
          }
          if (j > k) {
            out.push_back(static_cast<char>(saturated ? 0xff : v & 0xff));
            i = (j < n && in[j] == ';') ? j + 1 : j;
            continue;
          }
        }
      } else {
        const size_t k = j;
        while (j < n && ascii::is_alnum(static_cast<unsigned char>(in[j]))) ++j;
        if (j > k) {
          std::string_view name = in.substr(k, j - k);
          auto eq = [&](std::string_view w) {
            if (name.size() != w.size()) return false;
            for (size_t q = 0; q < w.size(); ++q) {
              if (ascii::to_lower(static_cast<unsigned char>(name[q])) != w[q]) return false;
            }
            return true;
          };
          int c = -1;
          if (eq("quot")) c = '"';
          else if (eq("amp")) c = '&';
          else if (eq("lt")) c = '<';
          else if (eq("gt")) c = '>';
          else if (eq("nbsp")) c = 0xa0;
          if (c >= 0) {
            out.push_back(static_cast<char>(c));
            i = (j < n && in[j] == ';') ? j + 1 : j;
            continue;
          }
          copy = j - k + 1;  // unknown entity: copied raw
        }
      }
    }
    for (size_t z = 0; z < copy && i < n; ++z) out.push_back(in[i++]);
  }
}

void t_js_decode(std::string_view in, std::string& out) {
  out.clear();
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    if (in[i] != '\\') {
      out.push_back(in[i++]);
      continue;
    }
    if (i + 5 < n && in[i + 1] == 'u' && is_hex(in[i + 2]) && is_hex(in[i + 3]) &&
        is_hex(in[i + 4]) && is_hex(in[i + 5])) {
      out.push_back(static_cast<char>(low_byte_fullwidth(&in[i + 2])));
      i += 6;
    } else if (i + 3 < n && in[i + 1] == 'x' && is_hex(in[i + 2]) && is_hex(in[i + 3])) {
      out.push_back(static_cast<char>(x2c(&in[i + 2])));
      i += 4;
    } else if (i + 1 < n && is_odigit(in[i + 1])) {
      // \OOO: at most three digits and one byte (\000..\377).
      size_t j = 0;
      while (i + 1 + j < n && j < 3 && is_odigit(in[i + 1 + j])) ++j;
      if (j == 3 && in[i + 1] > '3') j = 2;
      unsigned v = 0;
      for (size_t q = 0; q < j; ++q) v = v * 8 + (in[i + 1 + q] - '0');
      out.push_back(static_cast<char>(v));
      i += 1 + j;
    } else if (i + 1 < n) {
      char c = in[i + 1];
      switch (c) {
        case 'a': c = '\a'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'v': c = '\v'; break;
        default: break;  // \\ \' \" \? and others: the escape is just removed
      }
      out.push_back(c);
      i += 2;
    } else {
      out.push_back(in[i++]);
    }
  }
}

void t_css_decode(std::string_view in, std::string& out) {
  out.clear();
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    if (in[i] != '\\') {
      out.push_back(in[i++]);
      continue;
    }
    if (i + 1 >= n) {  // a trailing backslash is a continuation to nothing
      ++i;
      continue;
    }
    ++i;
    size_t j = 0;
    while (j < 6 && i + j < n && is_hex(in[i + j])) ++j;
    if (j > 0) {
      // CSS 2.1 §4.1.3: up to six hex digits; ModSecurity keeps the low byte, and maps
      // full-width ASCII when the escape is 4 digits, or 5-6 digits with leading zeros.
      char pair[2];
      if (j == 1) {
        pair[0] = '0';
        pair[1] = in[i];
      } else {
        pair[0] = in[i + j - 2];
        pair[1] = in[i + j - 1];
      }
      unsigned char c = x2c(pair);
      const bool fullcheck = j == 4 || (j == 5 && in[i] == '0') ||
                             (j == 6 && in[i] == '0' && in[i + 1] == '0');
      if (fullcheck && c > 0x00 && c < 0x5f && (in[i + j - 3] | 0x20) == 'f' &&
          (in[i + j - 4] | 0x20) == 'f') {
        c += 0x20;
      }
      out.push_back(static_cast<char>(c));
      if (i + j < n && ascii::is_space(static_cast<unsigned char>(in[i + j]))) ++j;  // one space ends it
      i += j;
    } else if (in[i] == '\n') {
      ++i;  // escaped newline disappears
    } else {
      out.push_back(in[i++]);
    }
  }
}

void t_escape_seq_decode(std::string_view in, std::string& out) {
  out.clear();
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    if (in[i] != '\\' || i + 1 >= n) {
      out.push_back(in[i++]);
      continue;
    }
    const char c = in[i + 1];
    int v = -1;
    switch (c) {
      case 'a': v = '\a'; break;
      case 'b': v = '\b'; break;
      case 'f': v = '\f'; break;
      case 'n': v = '\n'; break;
      case 'r': v = '\r'; break;
      case 't': v = '\t'; break;
      case 'v': v = '\v'; break;
      case '\\': v = '\\'; break;
      case '?': v = '?'; break;
      case '\'': v = '\''; break;
      case '"': v = '"'; break;
      default: break;
    }
    if (v >= 0) {
      out.push_back(static_cast<char>(v));
      i += 2;
    } else if ((c == 'x' || c == 'X') && i + 3 < n && is_hex(in[i + 2]) && is_hex(in[i + 3])) {
      out.push_back(static_cast<char>(x2c(&in[i + 2])));
      i += 4;
    } else if (is_odigit(c)) {
      size_t j = 0;
      unsigned val = 0;
      while (j < 3 && i + 1 + j < n && is_odigit(in[i + 1 + j])) val = val * 8 + (in[i + 1 + j++] - '0');
      out.push_back(static_cast<char>(val & 0xff));
      i += 1 + j;
    } else {  // unknown escape: kept as written
      out.push_back(in[i++]);
      out.push_back(in[i++]);
    }
  }
}

void t_utf8_to_unicode(std::string_view in, std::string& out) {
  // Multi-byte UTF-8 sequences become %uHHHH (lower-case hex, at least four digits), the form
  // urlDecodeUni reads back; bytes that do not start a valid sequence are copied as they are.
  static constexpr char k_hex[] = "0123456789abcdef";
  out.clear();
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(in[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xc0 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf7) { len = 4; cp = c & 0x07; }
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(in[i + k]);
      ok = (b & 0xc0) == 0x80;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (!ok) {
      out.push_back(in[i++]);
      continue;
    }
    char digits[8];
    int nd = 0;
    for (uint32_t v = cp; v != 0 || nd == 0; v >>= 4) digits[nd++] = k_hex[v & 0xf];
    out.append("%u");
    for (int pad = nd; pad < 4; ++pad) out.push_back('0');
    while (nd > 0) out.push_back(digits[--nd]);
    i += len;
  }
}

}  // namespace ravelin::waf::detail
