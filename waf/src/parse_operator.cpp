// Operators (reference manual "Operators"): name table, argument checks, and load-time
// compilation of regexes, phrase sets, IP sets and byte ranges.
#include <array>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "internal/ascii.h"
#include "internal/parse.h"
#include "ravelin/waf/matchers.h"

namespace ravelin::waf::detail {

namespace {
enum class arg_rule : uint8_t { none, required, optional };
struct op_entry {
  std::string_view name;
  operator_id id;
  arg_rule arg;
};
constexpr std::array k_ops{
    op_entry{"rx", operator_id::rx, arg_rule::required},
    op_entry{"pm", operator_id::pm, arg_rule::required},
    op_entry{"pmFromFile", operator_id::pm_from_file, arg_rule::required},
    op_entry{"pmf", operator_id::pm_from_file, arg_rule::required},
    op_entry{"beginsWith", operator_id::begins_with, arg_rule::required},
    op_entry{"endsWith", operator_id::ends_with, arg_rule::required},
    op_entry{"contains", operator_id::contains, arg_rule::required},
    op_entry{"containsWord", operator_id::contains_word, arg_rule::required},
    op_entry{"streq", operator_id::streq, arg_rule::optional},
    op_entry{"strmatch", operator_id::str_match, arg_rule::required},
    op_entry{"eq", operator_id::eq, arg_rule::required},
    op_entry{"ge", operator_id::ge, arg_rule::required},
    op_entry{"gt", operator_id::gt, arg_rule::required},
    op_entry{"le", operator_id::le, arg_rule::required},
    op_entry{"lt", operator_id::lt, arg_rule::required},
    op_entry{"within", operator_id::within, arg_rule::optional},
    op_entry{"ipMatch", operator_id::ip_match, arg_rule::required},
    op_entry{"ipMatchF", operator_id::ip_match_from_file, arg_rule::required},
    op_entry{"ipMatchFromFile", operator_id::ip_match_from_file, arg_rule::required},
    op_entry{"validateByteRange", operator_id::validate_byte_range, arg_rule::required},
    op_entry{"validateUrlEncoding", operator_id::validate_url_encoding, arg_rule::none},
    op_entry{"validateUtf8Encoding", operator_id::validate_utf8_encoding, arg_rule::none},
    op_entry{"detectSQLi", operator_id::detect_sqli, arg_rule::none},
    op_entry{"detectXSS", operator_id::detect_xss, arg_rule::none},
    op_entry{"unconditionalMatch", operator_id::unconditional_match, arg_rule::none},
    op_entry{"noMatch", operator_id::no_match, arg_rule::none},
    op_entry{"rbl", operator_id::rbl, arg_rule::required},
    op_entry{"geoLookup", operator_id::geo_lookup, arg_rule::none},
    op_entry{"validateDTD", operator_id::validate_dtd, arg_rule::required},
    op_entry{"validateSchema", operator_id::validate_schema, arg_rule::required},
    op_entry{"verifyCC", operator_id::verify_cc, arg_rule::required},
    op_entry{"fuzzyHash", operator_id::fuzzy_hash, arg_rule::required},
    op_entry{"inspectFile", operator_id::inspect_file, arg_rule::required},
    op_entry{"gsbLookup", operator_id::gsb_lookup, arg_rule::required},
};


std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string resolve(const std::string& base_dir, const std::string& file) {
  std::filesystem::path p(file);
  if (p.is_absolute()) return file;
  return (std::filesystem::path(base_dir) / p).string();
}

// "9,10,13,32-126" (reference manual, validateByteRange).
std::array<bool, 256> parse_byte_ranges(std::string_view s) {
  std::array<bool, 256> ok{};
  size_t i = 0;
  auto number = [&](size_t& k) {
    size_t st = k;
    int v = 0;
    while (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
      v = v * 10 + (s[k++] - '0');
      if (v > 255) throw std::runtime_error("byte value above 255 in '" + std::string(s) + "'");
    }
    if (k == st) throw std::runtime_error("bad byte range '" + std::string(s) + "'");
    return v;
  };
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ',' || s[i] == ' ')) ++i;
    if (i >= s.size()) break;
    const int lo = number(i);
    int hi = lo;
    if (i < s.size() && s[i] == '-') {
      ++i;
      hi = number(i);
    }
    if (hi < lo) throw std::runtime_error("byte range upside down in '" + std::string(s) + "'");
    for (int b = lo; b <= hi; ++b) ok[b] = true;
  }
  return ok;
}

void compile(rule_operator& op, const std::string& arg, const std::string& base_dir) {
  switch (op.id) {
    case operator_id::rx:
      if (!op.param.has_macros()) op.re = std::make_shared<const regex>(arg);
      break;
    case operator_id::pm:
      op.phrases = std::make_shared<const phrase_matcher>(split_words(arg));
      break;
    case operator_id::pm_from_file: {
      std::vector<std::string> all;
      for (const auto& f : split_words(arg)) {
        auto lines = read_data_file(resolve(base_dir, f));
        all.insert(all.end(), lines.begin(), lines.end());
      }
      op.phrases = std::make_shared<const phrase_matcher>(all);
      break;
    }
    case operator_id::ip_match:
      op.ips = std::make_shared<const ip_set>(arg);
      break;
    case operator_id::ip_match_from_file: {
      std::string joined;
      for (const auto& l : read_data_file(resolve(base_dir, arg))) joined += l + ",";
      op.ips = std::make_shared<const ip_set>(joined);
      break;
    }
    case operator_id::validate_byte_range:
      op.byte_ok = std::make_shared<const std::array<bool, 256>>(parse_byte_ranges(arg));
      break;
    default:
      break;
  }
}
}  // namespace

rule_operator parse_operator(std::string_view text, const std::string& base_dir) {
  rule_operator op;
  if (!text.empty() && text.front() == '!') {
    op.negated = true;
    text.remove_prefix(1);
  }
  std::string_view arg = text;
  if (!text.empty() && text.front() == '@') {
    size_t e = 1;
    while (e < text.size() && text[e] != ' ' && text[e] != '\t') ++e;
    const std::string_view name = text.substr(1, e - 1);
    const op_entry* found = nullptr;
    for (const auto& o : k_ops) {
      if (ascii::iequals(o.name, name)) found = &o;
    }
    if (!found) throw std::runtime_error("unknown operator @" + std::string(name));
    op.id = found->id;
    while (e < text.size() && (text[e] == ' ' || text[e] == '\t')) ++e;
    arg = text.substr(e);
    if (found->arg == arg_rule::required && arg.empty()) {
      throw std::runtime_error("operator @" + std::string(name) + " needs an argument");
    }
    if (found->arg == arg_rule::none && !arg.empty()) {
      throw std::runtime_error("operator @" + std::string(name) + " takes no argument");
    }
  }
  // Files and IP lists are not macro-expanded; everything else may hold %{...}.
  const bool literal = op.id == operator_id::pm || op.id == operator_id::pm_from_file ||
                       op.id == operator_id::ip_match || op.id == operator_id::ip_match_from_file ||
                       op.id == operator_id::validate_byte_range;
  if (literal) {
    op.param.source = std::string(arg);
    if (!arg.empty()) op.param.parts.push_back({std::string(arg), false, variable_id::tx, {}});
  } else {
    op.param = parse_macro(arg);
  }
  compile(op, std::string(arg), base_dir);
  return op;
}

}  // namespace ravelin::waf::detail
