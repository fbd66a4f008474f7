// Text-normalising transformations (reference manual: cmdLine, compressWhitespace,
// removeWhitespace, replaceComments, removeComments, removeCommentsChar, normalisePath,
// normalisePathWin, trim*), following ModSecurity v3's definitions.

#include "internal/ascii.h"
#include "internal/transform_impl.h"

namespace ravelin::waf::detail {

// The three below never lengthen their input: they write through a pointer into `out` sized
// for the whole input and cut it to what was written (a push_back per byte cost more than the
// transformation itself on long header values).

void t_cmd_line(std::string_view in, std::string& out) {
  // Reference manual, cmdLine: delete \ " ' ^; turn , ; and whitespace runs into one space;
  // drop a space before / and (; lower-case the rest.
  out.resize(in.size());
  char* const begin = out.data();
  char* w = begin;
  bool space = false;
  for (const char a : in) {
    switch (a) {
      case '"': case '\'': case '\\': case '^':
        break;
      case ' ': case ',': case ';': case '\t': case '\r': case '\n':
        if (!space) {
          *w++ = ' ';
          space = true;
        }
        break;
      case '/': case '(':
        if (space) --w;
        space = false;
        *w++ = a;
        break;
      default:
        *w++ = static_cast<char>(ascii::to_lower(static_cast<unsigned char>(a)));
        space = false;
        break;
    }
  }
  out.resize(static_cast<size_t>(w - begin));
}

void t_compress_whitespace(std::string_view in, std::string& out) {
  out.resize(in.size());
  char* const begin = out.data();
  char* w = begin;
  bool in_space = false;
  for (const char c : in) {
    if (is_space(static_cast<unsigned char>(c))) {
      if (!in_space) *w++ = ' ';
      in_space = true;
    } else {
      *w++ = c;
      in_space = false;
    }
  }
  out.resize(static_cast<size_t>(w - begin));
}

void t_remove_whitespace(std::string_view in, std::string& out) {
  out.resize(in.size());
  char* const begin = out.data();
  char* w = begin;
  for (const char c : in) {
    *w = c;
    w += !is_space(static_cast<unsigned char>(c));
  }
  out.resize(static_cast<size_t>(w - begin));
}

void t_replace_comments(std::string_view in, std::string& out) {
  // C-style comments become one space; an unterminated one runs to the end (and is a space).
  out.clear();
  const size_t n = in.size();
  bool comment = false;
  size_t i = 0;
  while (i < n) {
    if (!comment) {
      if (in[i] == '/' && i + 1 < n && in[i + 1] == '*') {
        comment = true;
        i += 2;
      } else {
        out.push_back(in[i++]);
      }
    } else if (in[i] == '*' && i + 1 < n && in[i + 1] == '/') {
      comment = false;
      i += 2;
      out.push_back(' ');
    } else {
      ++i;
    }
  }
  if (comment) out.push_back(' ');
}

void t_remove_comments(std::string_view in, std::string& out) {
  // /* */ and <!-- --> blocks vanish; `--` and `#` comment out the rest of the input.
  out.clear();
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    if (in.substr(i, 2) == "/*") {
      const size_t e = in.find("*/", i + 2);
      if (e == std::string_view::npos) break;
      i = e + 2;
    } else if (in.substr(i, 4) == "<!--") {
      const size_t e = in.find("-->", i + 4);
      if (e == std::string_view::npos) break;
      i = e + 3;
    } else if (in.substr(i, 2) == "--" || in[i] == '#') {
      break;
    } else {
      out.push_back(in[i++]);
    }
  }
}

void t_remove_comments_char(std::string_view in, std::string& out) {
  out.clear();
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    const std::string_view two = in.substr(i, 2);
    if (two == "/*" || two == "*/" || two == "--") {
      i += 2;
    } else if (in.substr(i, 4) == "<!--") {
      i += 4;
    } else if (in.substr(i, 3) == "-->") {
      i += 3;
    } else if (in[i] == '#') {
      ++i;
    } else {
      out.push_back(in[i++]);
    }
  }
}

void t_normalise_path(std::string_view in, std::string& out, bool windows) {
  // Reference manual, normalisePath: collapse repeated slashes, drop `.` segments and resolve
  // `..` against the previous segment; `..` that cannot be resolved in a relative path stays.
  out.clear();
  const bool absolute = !in.empty() && (in[0] == '/' || (windows && in[0] == '\\'));
  if (absolute) out.push_back('/');
  const size_t root = out.size();
  size_t i = absolute ? 1 : 0;
  bool trailing = false;
  const size_t n = in.size();
  while (i < n) {
    size_t j = i;
    while (j < n && !(in[j] == '/' || (windows && in[j] == '\\'))) ++j;
    const std::string_view seg = in.substr(i, j - i);
    trailing = j < n;
    i = j + 1;
    if (seg.empty() || seg == ".") {
      if (j >= n) trailing = !seg.empty() || trailing;
      continue;
    }
    if (seg == "..") {
      // Find the previous segment in `out`; it must not itself be "..".
      size_t end = out.size();
      if (end > root && out[end - 1] == '/') --end;
      const size_t start = out.rfind('/', end == 0 ? 0 : end - 1);
      const size_t seg_start = (start == std::string::npos || start < root) ? root : start + 1;
      const std::string_view prev(out.data() + seg_start, end - seg_start);
      if (end > root && prev != "..") {
        out.resize(seg_start);
        continue;
      }
      if (absolute) continue;  // cannot climb above the root
    }
    if (out.size() > root && out.back() != '/') out.push_back('/');
    out.append(seg);
  }
  if (trailing && !out.empty() && out.back() != '/') out.push_back('/');
  if (!out.empty() && out.size() > 1 && out.back() == '/' && !trailing) out.pop_back();
  if (out.empty() && !in.empty() && !absolute) out.clear();
  for (auto& c : out) {
    if (windows && c == '\\') c = '/';
  }
}

void t_trim(std::string_view in, std::string& out, bool left, bool right) {
  size_t b = 0, e = in.size();
  if (left) {
    while (b < e && ascii::is_space(static_cast<unsigned char>(in[b]))) ++b;
  }
  if (right) {
    while (e > b && ascii::is_space(static_cast<unsigned char>(in[e - 1]))) --e;
  }
  out.assign(in.substr(b, e - b));
}

}  // namespace ravelin::waf::detail
