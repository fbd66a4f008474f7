// Transformation functions (ModSecurity reference manual, "Transformation functions"). Each one
// rewrites `in` into `out`; `out` is a caller-owned buffer whose capacity is reused, so after
// warm-up a transformation allocates nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ravelin::waf {

enum class transform_id : uint8_t {
  none,  // t:none clears the inherited list; never applied itself
  lowercase,
  uppercase,
  url_decode,
  url_decode_uni,
  url_encode,
  html_entity_decode,
  js_decode,
  css_decode,
  escape_seq_decode,
  cmd_line,
  compress_whitespace,
  remove_whitespace,
  remove_nulls,
  replace_nulls,
  replace_comments,
  remove_comments,
  remove_comments_char,
  normalise_path,
  normalise_path_win,
  base64_decode,
  base64_decode_ext,
  base64_encode,
  hex_decode,
  hex_encode,
  sql_hex_decode,
  utf8_to_unicode,
  length,
  sha1,
  trim,
  trim_left,
  trim_right,
  parity_even_7bit,
  parity_odd_7bit,
  parity_zero_7bit,
};

// Names are case-insensitive in ModSecurity (CRS uses both t:base64Decode and t:base64decode);
// both spellings of normalisePath/normalizePath are accepted.
std::optional<transform_id> transform_from_name(std::string_view name);
std::string_view transform_name(transform_id id);

// True when `id` certainly leaves `in` unchanged (e.g. urlDecode on text without '%' or '+'):
// a cheap byte check that lets the evaluator skip the copy. False means "maybe changes".
bool transform_is_identity(transform_id id, std::string_view in) noexcept;

// The same question asked once per value for whole chains: byte_classes(v) says which kinds of
// byte v holds, identity_breakers(t) which kinds can make t change a value. A chain leaves v
// unchanged when no step's breakers are among v's classes; `opaque` transformations (hashes,
// encoders, ...) may change anything and are never skipped this way.
uint32_t byte_classes(std::string_view v) noexcept;
uint32_t identity_breakers(transform_id id, bool& opaque) noexcept;
// The kinds of byte that can make t change a value other than by ASCII case: a chain whose
// steps are all free of these gives some case variant of v, which caseless literal matching
// cannot tell from v itself.
uint32_t case_blind_breakers(transform_id id) noexcept;

// Applies one transformation. `out` is overwritten; `in` must not alias `out`.
void apply_transform(transform_id id, std::string_view in, std::string& out);

}  // namespace ravelin::waf
