// @detectXSS: a small HTML5-minded tokenizer (WHATWG HTML §13.2.5, tag open / attribute
// states) that reports script-capable tags, on* event handler attributes, and attribute URLs
// with a script scheme. Like libinjection it starts in several contexts: text, and inside an
// attribute value opened by ", ' or `, or left unquoted. No allocation.
#include <algorithm>
#include <array>

#include "internal/ascii.h"
#include "ravelin/waf/operators.h"

namespace ravelin::waf {

namespace {
constexpr std::array<std::string_view, 20> k_bad_tags{
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "link",
    "meta", "base", "svg", "math", "xml", "import", "vmlframe", "isindex", "xss", "form", "set"};
constexpr std::array<std::string_view, 14> k_url_attrs{
    "href", "src", "action", "formaction", "data", "background", "dynsrc", "lowsrc",
    "xlink:href", "poster", "codebase", "style", "values", "to"};

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii::to_lower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

bool html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '\v' || c == 0; }

// True when `v` starts (ignoring blanks and control bytes browsers skip) with a script scheme.
bool black_url(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && (static_cast<unsigned char>(v[i]) <= 0x20 || v[i] == '"' || v[i] == '\'' || v[i] == '`')) ++i;
  char buf[12];
  size_t n = 0;
  for (; i < v.size() && n < sizeof buf; ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c == '&' && i + 2 < v.size() && v[i + 1] == '#') {  // browsers decode &#9; / &#x09;
      const bool hex = v[i + 2] == 'x' || v[i + 2] == 'X';
      size_t j = i + (hex ? 3 : 2);
      unsigned code = 0;
      while (j < v.size() && (hex ? ascii::is_xdigit(static_cast<unsigned char>(v[j])) : ascii::is_digit(static_cast<unsigned char>(v[j])))) {
        const auto d = static_cast<unsigned char>(v[j++]);
        code = (code * (hex ? 16 : 10) + (ascii::is_digit(d) ? d - '0' : (d | 0x20) - 'a' + 10)) & 0xffff;
      }
      if (j < v.size() && v[j] == ';') ++j;
      i = j - 1;
      c = static_cast<unsigned char>(code);
    }
    if (c == '\t' || c == '\n' || c == '\r' || c == 0) continue;  // browsers drop these
    buf[n++] = static_cast<char>(ascii::to_lower(c));
    if (c == ':') break;
  }
  const std::string_view scheme(buf, n);
  return scheme.starts_with("javascript:") || scheme.starts_with("vbscript:") ||
         scheme.starts_with("livescript:") || scheme.starts_with("data:") ||
         scheme.find("expression(") != std::string_view::npos;
}

// Attribute list of one tag, from s[i]; stops at '>' or the end. True on an unsafe attribute.
bool bad_attributes(std::string_view s, size_t& i) {
  while (i < s.size()) {
    while (i < s.size() && html_space(s[i])) ++i;
    if (i >= s.size() || s[i] == '>') return false;
    const size_t ns = i;
    while (i < s.size() && !html_space(s[i]) && s[i] != '=' && s[i] != '>') ++i;
    const std::string_view name = s.substr(ns, i - ns);
    while (i < s.size() && ascii::is_space(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size() || s[i] != '=') continue;
    ++i;
    // An on* handler counts once it has a value ("I am online" is text, onload=x is not).
    if (name.size() >= 5 && (name[0] | 0x20) == 'o' && (name[1] | 0x20) == 'n') return true;
    while (i < s.size() && ascii::is_space(static_cast<unsigned char>(s[i]))) ++i;
    size_t vs = i, ve = i;
    if (i < s.size() && (s[i] == '"' || s[i] == '\'' || s[i] == '`')) {
      const char q = s[i++];
      vs = i;
      while (i < s.size() && s[i] != q) ++i;
      ve = i;
      if (i < s.size()) ++i;
    } else {
      while (i < s.size() && !ascii::is_space(static_cast<unsigned char>(s[i])) && s[i] != '>') ++i;
      ve = i;
    }
    bool url_attr = false;
    for (const auto a : k_url_attrs) url_attr = url_attr || ieq(name, a);
    if (url_attr && black_url(s.substr(vs, ve - vs))) return true;
    if (ieq(name, "style") && s.substr(vs, ve - vs).find("expression") != std::string_view::npos) return true;
  }
  return false;
}

bool scan_text(std::string_view s, size_t i) {
  while (i < s.size()) {
    const size_t lt = s.find('<', i);
    if (lt == std::string_view::npos) return false;
    i = lt + 1;
    if (i < s.size() && s[i] == '/') ++i;
    if (i < s.size() && s[i] == '!') {
      // <!-- [if ...]> conditional comments and <!ENTITY/<!DOCTYPE tricks.
      const std::string_view rest = s.substr(i, 16);
      if (rest.find("[if") != std::string_view::npos || rest.find("import") != std::string_view::npos) return true;
      continue;
    }
    if (i < s.size() && s[i] == '?') return true;  // <?xml-stylesheet / processing instruction
    const size_t ns = i;
    while (i < s.size() && (ascii::is_alnum(static_cast<unsigned char>(s[i])) || s[i] == ':' || s[i] == '-')) ++i;
    if (i == ns) continue;  // "a < b": not a tag
    const std::string_view name = s.substr(ns, i - ns);
    for (const auto t : k_bad_tags) {
      if (ieq(name, t)) return true;
    }
    if (bad_attributes(s, i)) return true;
  }
  return false;
}

// Inside an attribute value: skip to where the value ends, then read attributes and text.
bool scan_from_value(std::string_view s, char quote) {
  size_t i = 0;
  if (quote) {
    const size_t q = s.find(quote);
    if (q == std::string_view::npos) return false;
    i = q + 1;
  } else {
    while (i < s.size() && !ascii::is_space(static_cast<unsigned char>(s[i])) && s[i] != '>') ++i;
    if (i >= s.size()) return false;
  }
  size_t j = i;
  if (bad_attributes(s, j)) return true;
  return scan_text(s, j);
}
}  // namespace

bool detect_xss(std::string_view s) noexcept {
  // Every report needs a tag ('<', scan_text) or an attribute value ('=', bad_attributes):
  // a value with neither (most headers, numbers, words) is answered by one pass.
  if (std::none_of(s.begin(), s.end(), [](char c) { return c == '<' || c == '='; })) return false;
  if (scan_text(s, 0)) return true;
  for (const char q : {'"', '\'', '`'}) {
    if (scan_from_value(s, q)) return true;
  }
  return scan_from_value(s, 0);
}

}  // namespace ravelin::waf
