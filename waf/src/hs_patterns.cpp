// Turning one operator into Hyperscan expressions: a regex as is (exact if Hyperscan takes it,
// HS_FLAG_PREFILTER otherwise), a regex Hyperscan rejects as too large split into its
// alternatives, @pm phrases as caseless literals. Returns nothing when the operator must be
// evaluated directly.
#include <hs/hs.h>

#include <algorithm>
#include <cstdint>

#include "internal/hs_patterns.h"
#include "internal/regex_factors.h"

namespace ravelin::waf::detail {

namespace {
constexpr unsigned k_base_flags = HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
constexpr size_t k_max_pieces = 4096;
constexpr size_t k_min_literal = 2;

bool compiles(const std::string& p, unsigned flags) {
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  const hs_error_t rc = hs_compile(p.c_str(), flags, HS_MODE_BLOCK, nullptr, &db, &err);
  if (err) hs_free_compile_error(err);
  if (db) hs_free_database(db);
  return rc == HS_SUCCESS;
}

struct group_info {
  size_t open = 0, body = 0, close = 0;  // '(' , first body byte, ')'
  std::vector<size_t> bars;              // top-level '|' inside the group
};

// Finds groups and their top-level alternations. `top` receives depth-0 bars.
bool scan_groups(const std::string& p, std::vector<group_info>& groups, std::vector<size_t>& top) {
  std::vector<size_t> stack;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      for (; j < p.size() && p[j] != ']'; ++j) {
        if (p[j] == '\\') ++j;
      }
      if (j >= p.size()) return false;
      i = j;
    } else if (c == '(') {
      group_info g;
      g.open = i;
      size_t b = i + 1;
      if (b < p.size() && p[b] == '?') {
        // (?: (?i: (?= (?! (?<= (?<! (?> (?<name> ... : the body starts after the header.
        const size_t colon = p.find_first_of(":)", b);
        if (colon == std::string::npos) return false;
        if (p[colon] == ')') {  // (?i) inline flags: no body of its own
          i = colon;
          continue;
        }
        b = colon + 1;
        if (p.compare(i + 1, 2, "?=") == 0 || p.compare(i + 1, 2, "?!") == 0 ||
            p.compare(i + 1, 3, "?<=") == 0 || p.compare(i + 1, 3, "?<!") == 0) {
          b = p.find_first_of("=!", i + 2) + 1;
        }
      }
      g.body = b;
      stack.push_back(groups.size());
      groups.push_back(g);
      i = b - 1;
    } else if (c == ')') {
      if (stack.empty()) return false;
      groups[stack.back()].close = i;
      stack.pop_back();
    } else if (c == '|') {
      if (stack.empty()) top.push_back(i);
      else groups[stack.back()].bars.push_back(i);
    }
  }
  return stack.empty();
}

bool has_inline_flags(const std::string& s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == '\\') { ++i; continue; }
    if (s[i] == '(' && s[i + 1] == '?' && std::isalpha(static_cast<unsigned char>(s[i + 2]))) {
      size_t j = i + 2;
      while (j < s.size() && (std::isalpha(static_cast<unsigned char>(s[j])) || s[j] == '-')) ++j;
      if (j < s.size() && s[j] == ')') return i != 0;  // a leading (?i) is handled by the caller
    }
  }
  return false;
}

// Splits once: the top-level alternation, or else the group with the most alternatives.
std::vector<std::string> split_once(const std::string& p) {
  std::vector<group_info> groups;
  std::vector<size_t> top;
  if (!scan_groups(p, groups, top) || has_inline_flags(p)) return {};
  std::string lead;  // a leading (?i) applies to every alternative
  if (p.rfind("(?", 0) == 0) {
    const size_t e = p.find(')');
    if (e != std::string::npos && p.find_first_of(":(", 2) > e) lead = p.substr(0, e + 1);
  }
  std::vector<std::string> out;
  auto cut = [&](size_t from, const std::vector<size_t>& bars, size_t to, const std::string& pre,
                 const std::string& post) {
    size_t st = from;
    for (size_t k = 0; k <= bars.size(); ++k) {
      const size_t en = k < bars.size() ? bars[k] : to;
      out.push_back(pre + p.substr(st, en - st) + post);
      st = en + 1;
    }
  };
  if (!top.empty()) {
    cut(lead.size(), top, p.size(), lead, "");
    return out;
  }
  const group_info* best = nullptr;
  for (const auto& g : groups) {
    if (!g.bars.empty() && (!best || g.bars.size() > best->bars.size())) best = &g;
  }
  if (!best) return {};
  cut(best->body, best->bars, best->close, p.substr(0, best->body), p.substr(best->close));
  return out;
}

void add_regex(const std::string& p, std::vector<hs_expression>& out, int depth, bool& ok) {
  if (!ok) return;
  if (compiles(p, k_base_flags)) {
    out.push_back({p, k_base_flags});
    return;
  }
  // Too large, or constructs Hyperscan lacks (look-around, back-references): try a superset.
  if (compiles(p, k_base_flags | HS_FLAG_PREFILTER)) {
    out.push_back({p, k_base_flags | HS_FLAG_PREFILTER});
    return;
  }
  const auto pieces = depth < 4 ? split_once(p) : std::vector<std::string>{};
  if (pieces.size() < 2 || out.size() + pieces.size() > k_max_pieces) {
    ok = false;
    return;
  }
  for (const auto& piece : pieces) add_regex(piece, out, depth + 1, ok);
}

std::string literal(std::string_view s) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(k_hex[c >> 4]);
      out.push_back(k_hex[c & 15]);
    }
  }
  return out;
}
}  // namespace

std::vector<hs_expression> expressions_for(const rule_operator& op, bool whole_regex, bool& split) {
  std::vector<hs_expression> out;
  split = false;
  if (op.id == operator_id::rx && op.re) {
    // Literals every match must contain: scanned at memory speed, they filter far better per
    // cycle than CRS' regexes compiled whole (those scan at a few MB/s).
    if (const auto lits = required_literals(op.re->pattern())) {
      // One-byte literals ("(", "'", "s") occur in most values: they would make every scan
      // report and filter nothing, so such patterns are left to PCRE2.
      size_t shortest = SIZE_MAX;
      for (const auto& l : *lits) shortest = std::min(shortest, l.size());
      if (shortest < k_min_literal) return {};
      for (const auto& l : *lits) out.push_back({literal(l), HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH});
      return out;
    }
    if (!whole_regex) return {};  // measured: whole CRS regexes cost more to scan than to run
    bool ok = true;
    add_regex(op.re->pattern(), out, 0, ok);
    if (!ok) return {};
    split = out.size() > 1;
  } else if ((op.id == operator_id::pm || op.id == operator_id::pm_from_file) && op.phrases) {
    for (const auto& ph : op.phrases->phrases()) {
      if (!ph.empty()) out.push_back({literal(ph), HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH});
    }
  }
  return out;
}

}  // namespace ravelin::waf::detail
