// Route regexes: path patterns ("~/..." in a route, anchored at the start as Kong's compat
// transform does with "^") and header value patterns ("~*..." in a route's headers,
// case-insensitive, unanchored). PCRE2 with JIT, compiled at build, matched in match_scratch.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ravelin/router/router.h"

struct pcre2_real_code_8;

namespace ravelin::router::detail {

class route_regex {
 public:
  enum class kind : uint8_t { path, header };
  // Compiles or returns null with PCRE2's message and offset in `error`.
  static std::unique_ptr<route_regex> compile(std::string_view pattern, kind k, std::string& error);
  ~route_regex();
  route_regex(const route_regex&) = delete;
  route_regex& operator=(const route_regex&) = delete;

  // Matches `subject`; on success fills `caps` (if given) with views into it. false on no
  // match and on PCRE2 errors (match limit), which are counted.
  bool match(std::string_view subject, match_scratch& scratch, captures* caps) const noexcept;

  const capture_names& names() const { return names_; }
  const std::string& pattern() const { return pattern_; }

 private:
  route_regex() = default;
  std::string pattern_;
  pcre2_real_code_8* code_ = nullptr;
  bool jit_ = false;
  capture_names names_;
};

// The literal text every match of path pattern `p` (without "~") must start with, so that a
// regex route is only tried for paths that start with it: the leading run of characters that
// are not regex syntax, minus a last one a quantifier makes optional; empty when the pattern
// has an alternation anywhere (Kong's "^a|b" anchors only the first branch).
std::string literal_prefix(std::string_view p);

}  // namespace ravelin::router::detail
