// Typed reads from yaml-cpp nodes. Scalars resolve as in the YAML 1.2 core schema, so that
// `retries: "5"` is a string (as Kong sees it) and `name: 123` is an integer.
#include "yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ravelin::mgmt {
namespace {

bool is_null_word(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool is_bool_word(std::string_view s) {
  return s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE";
}

bool all_of_digits(std::string_view s, std::string_view digits) {
  return !s.empty() && s.find_first_not_of(digits) == std::string_view::npos;
}

bool is_int_word(std::string_view s) {
  if (s.starts_with("0x")) return all_of_digits(s.substr(2), "0123456789abcdefABCDEF");
  if (s.starts_with("0o")) return all_of_digits(s.substr(2), "01234567");
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return all_of_digits(s, "0123456789");
}

bool is_float_word(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s == ".inf" || s == ".Inf" || s == ".INF") return true;
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  size_t i = 0;
  size_t mantissa_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!all_of_digits(s.substr(i), "0123456789")) return false;
    i = s.size();
  }
  return i == s.size();
}

}  // namespace

bool parse_yaml_int(std::string_view s, int64_t& out) {
  int base = 10;
  bool negative = false;
  if (s.starts_with("0x")) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.starts_with("0o")) {
    base = 8;
    s.remove_prefix(2);
  } else if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  if (magnitude > static_cast<uint64_t>(INT64_MAX)) return false;
  out = negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

double parse_yaml_number(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  const bool negative = !s.empty() && s[0] == '-';
  const std::string_view unsigned_part = negative ? s.substr(1) : s;
  if (unsigned_part == ".inf" || unsigned_part == ".Inf" || unsigned_part == ".INF") {
    return negative ? -INFINITY : INFINITY;
  }
  double value = NAN;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return NAN;
  return value;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool is_subsequence(std::string_view small, std::string_view big) {
  size_t j = 0;
  for (char c : big) {
    if (j < small.size() && small[j] == c) ++j;
  }
  return j == small.size();
}

std::string format_number(double d) {
  if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  return std::to_string(d);
}

std::string prefixed(const std::string& path, std::string message) {
  return path.empty() ? message : path + ": " + message;
}

}  // namespace

source_mark mark_of(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  const YAML::Mark m = node.Mark();
  if (m.is_null() || m.line < 0 || m.column < 0) return {};
  return {static_cast<unsigned>(m.line) + 1, static_cast<unsigned>(m.column) + 1};
}

YAML::Node child(const YAML::Node& n, std::initializer_list<const char*> keys) {
  YAML::Node at = n;
  for (const char* k : keys) {
    if (!is_map(at)) break;
    const YAML::Node next = static_cast<const YAML::Node&>(at)[k];
    if (!next.IsDefined()) break;
    at.reset(next);  // operator= would overwrite the node in the tree
  }
  return at;
}

std::string_view closest_word(std::string_view typed, std::span<const std::string_view> words) {
  // Typos ("protcols"), truncations ("prots") and dropped letters all count as close.
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  for (std::string_view w : words) {
    const size_t d = edit_distance(typed, w);
    size_t common_prefix = 0;
    while (common_prefix < std::min(typed.size(), w.size()) &&
           typed[common_prefix] == w[common_prefix]) {
      ++common_prefix;
    }
    const bool close = d <= 2 || (common_prefix >= 3 && d <= w.size() / 2) ||
                       (typed.size() >= 3 && is_subsequence(typed, w));
    if (close && d < best_distance && d < std::max(typed.size(), w.size())) {
      best = w;
      best_distance = d;
    }
  }
  return best;
}

scalar_kind classify_scalar(const YAML::Node& n) {
  if (is_null(n)) return scalar_kind::null;
  const std::string& tag = n.Tag();
  const std::string& s = n.Scalar();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return scalar_kind::string;
  if (is_null_word(s)) return scalar_kind::null;
  if (is_bool_word(s)) return scalar_kind::boolean;
  if (is_int_word(s)) return scalar_kind::integer;
  if (is_float_word(s)) return scalar_kind::number;
  return scalar_kind::string;
}

std::string describe(const YAML::Node& n) {
  if (is_null(n)) return "null";
  if (is_list(n)) return "a list";
  if (is_map(n)) return "a map";
  std::string text = n.Scalar();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  switch (classify_scalar(n)) {
    case scalar_kind::null:
      return "null";
    case scalar_kind::boolean:
      return "boolean " + text;
    case scalar_kind::integer:
      return "integer " + text;
    case scalar_kind::number:
      return "number " + text;
    case scalar_kind::string:
      break;
  }
  return "string \"" + text + "\"";
}

std::string index_path(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string key_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

void yaml_reader::error(source_mark at, std::string message) {
  errors_.push_back({file_, at.line, at.column, std::move(message)});
}

std::vector<diagnostic> yaml_reader::take_errors() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const diagnostic& a, const diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return std::move(errors_);
}

bool yaml_reader::read_string(const YAML::Node& n, const std::string& path, std::string& out) {
  if (!is_scalar(n) || classify_scalar(n) != scalar_kind::string) {
    std::string hint = is_scalar(n) ? " (quote it if it is meant as text)" : "";
    error(n, prefixed(path, "expected a string, got " + describe(n) + hint));
    return false;
  }
  out = n.Scalar();
  return true;
}

bool yaml_reader::read_int(const YAML::Node& n, const std::string& path, int64_t lo, int64_t hi,
                           int64_t& out) {
  int64_t value = 0;
  if (!is_scalar(n) || classify_scalar(n) != scalar_kind::integer) {
    error(n, prefixed(path, "expected an integer, got " + describe(n)));
    return false;
  }
  if (!parse_yaml_int(n.Scalar(), value) || value < lo || value > hi) {
    error(n, prefixed(path, n.Scalar() + " is out of range " + std::to_string(lo) + ".." +
                                std::to_string(hi)));
    return false;
  }
  out = value;
  return true;
}

bool yaml_reader::read_number(const YAML::Node& n, const std::string& path, double lo, double hi,
                              double& out) {
  const scalar_kind kind = is_scalar(n) ? classify_scalar(n) : scalar_kind::string;
  if (!is_scalar(n) || (kind != scalar_kind::integer && kind != scalar_kind::number)) {
    error(n, prefixed(path, "expected a number, got " + describe(n)));
    return false;
  }
  double value = 0;
  int64_t whole = 0;
  if (kind == scalar_kind::integer && parse_yaml_int(n.Scalar(), whole)) {
    value = static_cast<double>(whole);
  } else {
    value = parse_yaml_number(n.Scalar());
  }
  if (!std::isfinite(value) || value < lo || value > hi) {
    error(n, prefixed(path, n.Scalar() + " is out of range " + format_number(lo) + ".." +
                                format_number(hi)));
    return false;
  }
  out = value;
  return true;
}

bool yaml_reader::read_bool(const YAML::Node& n, const std::string& path, bool& out) {
  if (is_scalar(n) && n.Tag() != "!") {
    // yes/no/on/off are YAML 1.1 booleans; Kong's lyaml reads them so, so do we.
    const std::string& s = n.Scalar();
    static constexpr std::string_view k_true[] = {"true", "True", "TRUE", "yes", "Yes",
                                                  "YES",  "on",   "On",   "ON"};
    static constexpr std::string_view k_false[] = {"false", "False", "FALSE", "no", "No",
                                                   "NO",    "off",   "Off",   "OFF"};
    if (std::find(std::begin(k_true), std::end(k_true), s) != std::end(k_true)) {
      out = true;
      return true;
    }
    if (std::find(std::begin(k_false), std::end(k_false), s) != std::end(k_false)) {
      out = false;
      return true;
    }
  }
  error(n, prefixed(path, "expected true or false, got " + describe(n)));
  return false;
}

bool yaml_reader::expect_map(const YAML::Node& n, const std::string& path, std::string_view what) {
  if (is_map(n)) return true;
  error(n, prefixed(path, "expected a map (" + std::string(what) + "), got " + describe(n)));
  return false;
}

bool yaml_reader::expect_list(const YAML::Node& n, const std::string& path) {
  if (is_list(n)) return true;
  // An explicit null ("routes:" with nothing under it) means "none", as in Kong.
  if (!is_null(n)) error(n, prefixed(path, "expected a list, got " + describe(n)));
  return false;
}

bool yaml_reader::read_string_list(const YAML::Node& n, const std::string& path,
                                   std::vector<std::string>& out) {
  if (!expect_list(n, path)) return is_null(n);
  bool ok = true;
  std::vector<std::string> values;
  for (size_t i = 0; i < n.size(); ++i) {
    std::string s;
    if (read_string(n[i], index_path(path, i), s)) {
      values.push_back(std::move(s));
    } else {
      ok = false;
    }
  }
  if (ok) out = std::move(values);
  return ok;
}

bool yaml_reader::read_choice(const YAML::Node& n, const std::string& path, std::string_view what,
                              std::span<const std::string_view> names, size_t& out) {
  if (!is_scalar(n)) {
    error(n, prefixed(path, "expected a " + std::string(what) + ", got " + describe(n)));
    return false;
  }
  const std::string& s = n.Scalar();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == s) {
      out = i;
      return true;
    }
  }
  std::string message = "\"" + s + "\" is not a valid " + std::string(what);
  if (auto close = closest_word(s, names); !close.empty()) {
    message += " (did you mean \"" + std::string(close) + "\"?)";
  }
  message += "; expected one of:";
  for (size_t i = 0; i < names.size(); ++i) message += (i ? ", " : " ") + std::string(names[i]);
  error(n, prefixed(path, message));
  return false;
}

}  // namespace ravelin::mgmt
