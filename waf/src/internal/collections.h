// Resolving rule targets to values (reference manual, "Variables"): keyed collections with
// `:key` and `:/regex/` selectors, `&` counts, scalars, and TX-like stores. Also macro
// expansion and setvar, which read and write the same collections.
#pragma once

#include <cctype>

#include "internal/body.h"
#include "internal/parse.h"
#include "internal/tx_state.h"
#include "ravelin/waf/operators.h"

namespace ravelin::waf::detail {

inline unsigned char ascii_lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c | 0x20 : c; }

// ASCII case-insensitive equality (collection keys; no locale on the hot path).
inline bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(static_cast<unsigned char>(a[i])) != ascii_lower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Whether `key` holds one of the lower-case `literals` (never empty: parse_variables.cpp drops
// a selector's literals when one is), ASCII case-insensitively.
inline bool holds_any(std::string_view key, const std::vector<std::string>& literals) {
  for (const auto& lit : literals) {
    if (lit.size() > key.size()) continue;
    // Candidates by their first byte, case folded with one OR: exact for a letter (both
    // cases map to it) and, with no fold, for anything else.
    const auto first = static_cast<unsigned char>(lit[0]);
    const unsigned char fold = first >= 'a' && first <= 'z' ? 0x20 : 0;
    for (size_t i = 0; i + lit.size() <= key.size(); ++i) {
      if ((static_cast<unsigned char>(key[i]) | fold) != first) continue;
      size_t j = 1;
      while (j < lit.size() && ascii_lower(static_cast<unsigned char>(key[i + j])) ==
                                   static_cast<unsigned char>(lit[j])) {
        ++j;
      }
      if (j == lit.size()) return true;
    }
  }
  return false;
}

// Does the selector of `ref` (key, /regex/ or none) accept member `key`?
inline bool selects(transaction::state& s, const variable_ref& ref, std::string_view key) {
  if (ref.key_regex) {
    // TX:/^header_name_/ walks every TX key (CRS keeps over a hundred): most lack the literal
    // the pattern needs, and a prefix or substring test costs far less than a PCRE2 call.
    if (s.engine.hs() && !ref.key_prefix.empty()) {
      if (key.size() < ref.key_prefix.size() || !ieq(ref.key_prefix, key.substr(0, ref.key_prefix.size())))
        return false;
      if (ref.key_prefix_whole) return true;
    }
    if (s.engine.hs() && !ref.key_literals.empty() && !holds_any(key, ref.key_literals)) return false;
    return ref.key_regex->match(key, s.scratch) == 1;
  }
  if (ref.key.empty()) return true;
  return ieq(ref.key, key);
}

// Calls f(key, value) for every member of the collection or scalar `id` (no selector).
template <class F>
void for_each_member(transaction::state& s, variable_id id, F&& f) {
  auto each = [&](const std::vector<kv>& v, bool names) {
    for (const auto& e : v) f(e.key, names ? e.key : e.value);
  };
  auto each_store = [&](const var_store& st) {
    for (const auto& e : st.entries()) {
      if (e.live) f(e.key, e.value);
    }
  };
  switch (id) {
    case variable_id::args: each(s.args_get, false); each(s.args_post, false); return;
    case variable_id::args_get: each(s.args_get, false); return;
    case variable_id::args_post: each(s.args_post, false); return;
    case variable_id::args_names: each(s.args_get, true); each(s.args_post, true); return;
    case variable_id::args_get_names: each(s.args_get, true); return;
    case variable_id::args_post_names: each(s.args_post, true); return;
    case variable_id::request_headers: each(s.headers, false); return;
    case variable_id::request_headers_names: each(s.headers, true); return;
    case variable_id::request_cookies: each(s.cookies, false); return;
    case variable_id::request_cookies_names: each(s.cookies, true); return;
    case variable_id::response_headers: each(s.resp_headers, false); return;
    case variable_id::response_headers_names: each(s.resp_headers, true); return;
    case variable_id::files: each(s.files, false); return;
    case variable_id::files_names: each(s.files_names, false); return;
    case variable_id::files_sizes: each(s.files_sizes, false); return;
    case variable_id::multipart_part_headers: each(s.part_headers, false); return;
    case variable_id::xml: each(s.xml, false); return;
    case variable_id::matched_vars: each(s.matched_vars, false); return;
    case variable_id::matched_vars_names: each(s.matched_vars, true); return;
    case variable_id::tx: each_store(s.tx); return;
    case variable_id::ip: each_store(s.ip); return;
    case variable_id::global: each_store(s.global); return;
    case variable_id::session: each_store(s.session); return;
    case variable_id::user: each_store(s.user); return;
    case variable_id::resource: each_store(s.resource); return;
    case variable_id::args_combined_size: {
      int64_t n = 0;
      for (const auto* v : {&s.args_get, &s.args_post}) {
        for (const auto& e : *v) n += static_cast<int64_t>(e.key.size() + e.value.size());
      }
      f(std::string_view(), format_int(s.mem, n));
      return;
    }
    default:
      break;
  }
  if (!is_collection(id) && s.has_scalar[static_cast<size_t>(id)]) {
    f(std::string_view(), s.scalar[static_cast<size_t>(id)]);
  }
}

// First value of `id:key` (macro `%{ID.key}`), or empty.
std::string_view lookup(transaction::state& s, variable_id id, std::string_view key);

struct rule_context {
  const rule* r = nullptr;
};
// Expands %{...} into arena memory (or returns the literal text unchanged).
std::string_view expand(transaction::state& s, const macro_text& m, const rule_context& ctx);
void run_setvar(transaction::state& s, const setvar_action& a, const rule_context& ctx);
// "ARGS:foo" / "REQUEST_URI" for MATCHED_VAR_NAME and audit lines.
std::string_view display_name(transaction::state& s, variable_id id, std::string_view key);

}  // namespace ravelin::waf::detail
