// PCRE2 for route paths and header values; scratch per lcore so matching allocates nothing.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "internal/regex.h"

#include <pcre2.h>

#include <new>

namespace ravelin::router {
namespace {
// Bounds on one match so that a pathological pattern cannot stall an lcore (DESIGN.md:
// bounded); hitting them counts router_regex_errors and the route does not match.
constexpr size_t k_jit_stack_start = 32 * 1024;
constexpr size_t k_jit_stack_max = 512 * 1024;
constexpr uint32_t k_match_limit = 100000;
constexpr uint32_t k_depth_limit = 10000;
}  // namespace

match_scratch::match_scratch() {
  match_data_ = pcre2_match_data_create(captures::k_max, nullptr);
  jit_stack_ = pcre2_jit_stack_create(k_jit_stack_start, k_jit_stack_max, nullptr);
  context_ = pcre2_match_context_create(nullptr);
  if (!match_data_ || !jit_stack_ || !context_) {
    pcre2_match_context_free(context_);
    pcre2_jit_stack_free(jit_stack_);
    pcre2_match_data_free(match_data_);
    throw std::bad_alloc();
  }
  pcre2_jit_stack_assign(context_, nullptr, jit_stack_);
  pcre2_set_match_limit(context_, k_match_limit);
  pcre2_set_depth_limit(context_, k_depth_limit);
}

match_scratch::~match_scratch() {
  pcre2_match_context_free(context_);
  pcre2_jit_stack_free(jit_stack_);
  pcre2_match_data_free(match_data_);
}

std::optional<std::string_view> captures::named(std::string_view name) const {
  if (names == nullptr) return std::nullopt;
  for (const auto& [n, group_no] : *names) {
    if (n == name && group_no < count && group[group_no].data() != nullptr) return group[group_no];
  }
  return std::nullopt;
}

namespace detail {

std::unique_ptr<route_regex> route_regex::compile(std::string_view pattern, kind k,
                                                  std::string& error) {
  std::unique_ptr<route_regex> re(new route_regex());
  // Kong (transform.lua) anchors path patterns with "^"; Rust's regex `$` is end of text.
  re->pattern_ = k == kind::path ? "^" + std::string(pattern) : std::string(pattern);
  const uint32_t opts = PCRE2_DOLLAR_ENDONLY | (k == kind::header ? PCRE2_CASELESS : 0);
  int err = 0;
  PCRE2_SIZE off = 0;
  re->code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re->pattern_.data()),
                            re->pattern_.size(), opts, &err, &off, nullptr);
  if (re->code_ == nullptr) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    const size_t at = k == kind::path && off > 0 ? off - 1 : off;  // offset in the route's text
    error = "invalid regex at offset " + std::to_string(at) + ": " +
            reinterpret_cast<const char*>(buf);
    return nullptr;
  }
  re->jit_ = pcre2_jit_compile(re->code_, PCRE2_JIT_COMPLETE) == 0;
  uint32_t count = 0;
  uint32_t entry_size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(re->code_, PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(re->code_, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  pcre2_pattern_info(re->code_, PCRE2_INFO_NAMETABLE, &table);
  for (uint32_t i = 0; i < count; ++i) {
    PCRE2_SPTR e = table + static_cast<size_t>(i) * entry_size;
    const auto group_no = static_cast<uint16_t>((e[0] << 8) | e[1]);
    re->names_.emplace_back(reinterpret_cast<const char*>(e + 2), group_no);
  }
  return re;
}

route_regex::~route_regex() { pcre2_code_free(code_); }

bool route_regex::match(std::string_view subject, match_scratch& scratch,
                        captures* caps) const noexcept {
  scratch.counters.add(counter::router_regex_runs);
  const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
  const int rc = jit_ ? pcre2_jit_match(code_, s, subject.size(), 0, 0, scratch.match_data(),
                                        scratch.context())
                      : pcre2_match(code_, s, subject.size(), 0, 0, scratch.match_data(),
                                    scratch.context());
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc < 0) {
    scratch.counters.add(counter::router_regex_errors);
    return false;
  }
  if (caps != nullptr) {
    // rc == 0: more groups than the ovector holds; the first k_max are set.
    const size_t n = rc == 0 ? captures::k_max : static_cast<size_t>(rc);
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(scratch.match_data());
    caps->count = static_cast<uint8_t>(n);
    caps->names = &names_;
    for (size_t i = 0; i < n; ++i) {
      caps->group[i] = ov[2 * i] != PCRE2_UNSET
                           ? subject.substr(ov[2 * i], ov[2 * i + 1] - ov[2 * i])
                           : std::string_view{};
    }
  }
  return true;
}

std::string literal_prefix(std::string_view p) {
  constexpr std::string_view k_syntax = "\\^$.|?*+()[]{}";
  if (p.find('|') != std::string_view::npos) return {};
  size_t n = 0;
  while (n < p.size() && k_syntax.find(p[n]) == std::string_view::npos) ++n;
  // "ab?" or "ab*" or "ab{0,2}": the quantified character may be absent.
  if (n > 0 && n < p.size() && (p[n] == '?' || p[n] == '*' || p[n] == '{')) --n;
  return std::string(p.substr(0, n));
}

}  // namespace detail
}  // namespace ravelin::router
