// Splitting SecLang text into directives and their arguments (Apache configuration syntax as
// ModSecurity reads it): `#` comments, `\` line continuations, double-quoted arguments.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ravelin::waf::detail {

// A problem inside one directive; `offset` is into the directive's joined text.
struct syntax_error : std::runtime_error {
  syntax_error(size_t off, const std::string& msg) : std::runtime_error(msg), offset(off) {}
  size_t offset;
};

struct directive_text {
  std::string text;                      // continuation lines joined
  std::vector<std::pair<size_t, int>> starts;  // (offset in text, physical line) per piece
  int line_at(size_t offset) const;
};

std::vector<directive_text> split_directives(std::string_view file_text);

struct arg_token {
  std::string text;   // quotes removed, `\"` unescaped
  size_t offset = 0;  // where the token starts in the directive text
  bool quoted = false;
};
// Splits on whitespace; throws syntax_error on an unterminated quote.
std::vector<arg_token> split_args(std::string_view s);

}  // namespace ravelin::waf::detail
