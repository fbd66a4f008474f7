// PCRE2 regex compiled once at rule load (JIT where the CPU allows) and matched with caller-owned
// match data, so the per-request path allocates nothing. ModSecurity compiles @rx with
// PCRE_DOTALL | PCRE_DOLLAR_ENDONLY (reference manual, "rx"); we do the same.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct pcre2_real_code_8;
struct pcre2_real_match_data_8;
struct pcre2_real_jit_stack_8;
struct pcre2_real_match_context_8;

namespace ravelin::waf {

// Per-thread (per-lcore) scratch for PCRE2: match data with room for TX.0..TX.9 plus a JIT
// stack big enough for CRS' largest expressions. Created once, reused for every match.
class regex_scratch {
 public:
  regex_scratch();
  ~regex_scratch();
  regex_scratch(const regex_scratch&) = delete;
  regex_scratch& operator=(const regex_scratch&) = delete;

  pcre2_real_match_data_8* match_data() const { return match_data_; }
  pcre2_real_match_context_8* context() const { return context_; }

 private:
  pcre2_real_match_data_8* match_data_ = nullptr;
  pcre2_real_jit_stack_8* jit_stack_ = nullptr;
  pcre2_real_match_context_8* context_ = nullptr;
};

// Up to ten capture groups, as ModSecurity's `capture` action fills TX.0..TX.9.
struct regex_captures {
  static constexpr int k_max = 10;
  std::string_view group[k_max];
  int count = 0;
};

class regex {
 public:
  // Compiles or throws std::runtime_error with PCRE2's message and offset (load time only).
  explicit regex(std::string_view pattern, bool caseless = false);
  ~regex();
  regex(const regex&) = delete;
  regex& operator=(const regex&) = delete;

  // 1 match, 0 no match, <0 PCRE2 error (e.g. match limit hit: counted by the caller, treated as
  // no match, as ModSecurity does). `caps` (optional) receives groups as views into `subject`.
  [[nodiscard]] int match(std::string_view subject, regex_scratch& scratch,
                          regex_captures* caps = nullptr) const noexcept;

  const std::string& pattern() const { return pattern_; }
  bool jit() const { return jit_; }

 private:
  std::string pattern_;
  pcre2_real_code_8* code_ = nullptr;
  bool jit_ = false;
  bool whole_ = false;  // `^.*$` and the like: every subject matches whole (CRS 920450, 901318)
};

}  // namespace ravelin::waf
