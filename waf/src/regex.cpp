// PCRE2 wrapper: compile with JIT at load, match with per-thread scratch on the hot path.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "ravelin/waf/regex.h"

#include <pcre2.h>

#include <stdexcept>

namespace ravelin::waf {

namespace {
// CRS 3.3.4's biggest expressions (920600, 922110) recurse deeply: 32 KiB (PCRE2's default JIT
// stack) is not enough for long headers, 1 MiB is.
constexpr size_t k_jit_stack_start = 32 * 1024;
constexpr size_t k_jit_stack_max = 1024 * 1024;
// ModSecurity's SecPcreMatchLimit default (reference manual) bounds backtracking per match.
constexpr uint32_t k_match_limit = 1000000;
}  // namespace

regex_scratch::regex_scratch() {
  match_data_ = pcre2_match_data_create(regex_captures::k_max, nullptr);
  jit_stack_ = pcre2_jit_stack_create(k_jit_stack_start, k_jit_stack_max, nullptr);
  context_ = pcre2_match_context_create(nullptr);
  if (!match_data_ || !jit_stack_ || !context_) throw std::bad_alloc();
  pcre2_jit_stack_assign(context_, nullptr, jit_stack_);
  pcre2_set_match_limit(context_, k_match_limit);
}

regex_scratch::~regex_scratch() {
  pcre2_match_context_free(context_);
  pcre2_jit_stack_free(jit_stack_);
  pcre2_match_data_free(match_data_);
}

regex::regex(std::string_view pattern, bool caseless) : pattern_(pattern) {
  int err = 0;
  PCRE2_SIZE off = 0;
  uint32_t opts = PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY;
  if (caseless) opts |= PCRE2_CASELESS;
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.data()), pattern_.size(), opts, &err,
                        &off, nullptr);
  if (!code_) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    throw std::runtime_error("bad regular expression at offset " + std::to_string(off) + ": " +
                             reinterpret_cast<const char*>(buf));
  }
  jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
  // With DOTALL and DOLLAR_ENDONLY these match all of any subject, as PCRE2 would find.
  whole_ = pattern_ == "^.*$" || pattern_ == "^.*" || pattern_ == ".*";
}

regex::~regex() { pcre2_code_free(code_); }

int regex::match(std::string_view subject, regex_scratch& scratch,
                 regex_captures* caps) const noexcept {
  if (whole_) {
    if (caps) {
      caps->count = 1;
      caps->group[0] = subject;
    }
    return 1;
  }
  const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
  const int rc = jit_ ? pcre2_jit_match(code_, s, subject.size(), 0, 0, scratch.match_data(),
                                        scratch.context())
                      : pcre2_match(code_, s, subject.size(), 0, 0, scratch.match_data(),
                                    scratch.context());
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc < 0) return rc;
  if (caps) {
    // rc == 0 means the ovector was too small: all k_max pairs are set.
    const int n = rc == 0 ? regex_captures::k_max : rc;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(scratch.match_data());
    caps->count = n;
    for (int i = 0; i < n; ++i) {
      if (ov[2 * i] == PCRE2_UNSET) {
        caps->group[i] = {};
      } else {
        caps->group[i] = subject.substr(ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
      }
    }
  }
  return 1;
}

}  // namespace ravelin::waf
