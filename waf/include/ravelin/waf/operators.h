// Operator primitives (ModSecurity reference manual, "Operators") as pure functions over one
// (already transformed) value, so they can be tested one by one and shared by the PCRE2
// reference path and the Hyperscan path. None allocates.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ravelin::waf {

// Integer reading used by @eq/@ge/@gt/@le/@lt: like std::stoi (leading blanks, sign, digits,
// stop at the first other byte) but 0 where stoi would throw, as ModSecurity v3 does.
int64_t sec_atoi(std::string_view s) noexcept;

// @validateByteRange: true when some byte is outside the allowed set.
bool byte_range_violation(const std::array<bool, 256>& ok, std::string_view s) noexcept;
// @validateUrlEncoding: true when a `%` is not followed by two hex digits.
bool invalid_url_encoding(std::string_view s) noexcept;
// @validateUtf8Encoding: true for truncated, invalid, overlong or out-of-range sequences.
bool invalid_utf8(std::string_view s) noexcept;
// @containsWord: `word` occurs with non-word bytes (or the ends) on both sides.
bool contains_word(std::string_view hay, std::string_view word) noexcept;
// @within: `value` occurs in `list`; an empty value is within anything (v3).
bool within(std::string_view value, std::string_view list) noexcept;

// @detectSQLi: a tokenizing detector in libinjection's spirit. The value is tokenized as
// plain SQL and as if it started inside a '...' and a "..." string; each token stream is
// folded into a short fingerprint (e.g. "s&1o1c") and matched against injection shapes.
// On a hit the fingerprint is written to `fingerprint` (NUL-terminated, <= 15 chars).
struct sqli_fingerprint {
  char text[16] = {};
};
bool detect_sqli(std::string_view s, sqli_fingerprint* fp = nullptr) noexcept;

// @detectXSS: an HTML tokenizer that looks for script-capable tags, event-handler attributes
// and javascript:/vbscript:/data: URLs, starting in the text state and inside attribute values
// opened by ", ' and ` (the contexts libinjection tries).
bool detect_xss(std::string_view s) noexcept;

}  // namespace ravelin::waf
