// Directive splitting for SecLang files: joins `\`-continued lines (keeping a map back to the
// physical lines for error messages) and splits arguments the way ModSecurity v3's scanner does.
#include "internal/config_text.h"

#include <algorithm>

namespace ravelin::waf::detail {

int directive_text::line_at(size_t offset) const {
  int line = starts.empty() ? 0 : starts.front().second;
  for (const auto& [off, l] : starts) {
    if (off > offset) break;
    line = l;
  }
  return line;
}

namespace {
bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view ltrim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = ltrim(s);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}
}  // namespace

std::vector<directive_text> split_directives(std::string_view file_text) {
  std::vector<directive_text> out;
  directive_text cur;
  bool continuing = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos < file_text.size()) {
    size_t nl = file_text.find('\n', pos);
    if (nl == std::string_view::npos) nl = file_text.size();
    std::string_view raw = file_text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    // A continuation is a backslash that ends the line (v3 scanner: `\\\n` and `\\\r\n`).
    const bool cont = !raw.empty() && raw.back() == '\\';
    if (cont) raw.remove_suffix(1);
    // Apache (ap_cfg_getline) drops each physical line's leading blanks and keeps what stood
    // before the backslash: `SecAction \` + `    "id:1,\` + `    phase:2"` reads as
    // `SecAction "id:1,phase:2"`.
    std::string_view piece = cont ? ltrim(raw) : trim(raw);
    if (!continuing) {
      // A comment ends at its line, as in v3's scanner (`#.*`), even after a backslash.
      if (trim(piece).empty() || piece.front() == '#') continue;
      cur = directive_text{};
    }
    cur.starts.emplace_back(cur.text.size(), line_no);
    cur.text.append(piece);
    continuing = cont;
    if (!continuing) out.push_back(std::move(cur));
  }
  if (continuing && !cur.text.empty()) out.push_back(std::move(cur));
  return out;
}

std::vector<arg_token> split_args(std::string_view s) {
  std::vector<arg_token> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && blank(s[i])) ++i;
    if (i >= s.size()) break;
    arg_token t;
    t.offset = i;
    if (s[i] == '"' || s[i] == '\'') {
      const char q = s[i++];
      t.quoted = true;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == q) {
          t.text.push_back(q);  // only the quote is unescaped; other backslashes stay (v3)
          i += 2;
        } else if (s[i] == q) {
          ++i;
          closed = true;
          break;
        } else {
          t.text.push_back(s[i++]);
        }
      }
      if (!closed) throw syntax_error(t.offset, "unterminated quoted argument");
      if (i < s.size() && !blank(s[i])) {
        throw syntax_error(i, "missing space after a quoted argument");
      }
    } else {
      while (i < s.size() && !blank(s[i])) t.text.push_back(s[i++]);
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace ravelin::waf::detail
