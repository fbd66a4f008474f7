// Rule targets: names (reference manual "Variables"), `&` counts, `!` exclusions, `:key` and
// `:/regex/` selectors, and macro text parsing, which shares the variable name table.
#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

#include "internal/parse.h"
#include "internal/regex_factors.h"

namespace ravelin::waf::detail {

namespace {
struct name_entry {
  std::string_view name;
  variable_id id;
};
constexpr std::array k_names{
#define V(n, id) name_entry{n, variable_id::id}
    V("ARGS", args), V("ARGS_GET", args_get), V("ARGS_POST", args_post),
    V("ARGS_NAMES", args_names), V("ARGS_GET_NAMES", args_get_names),
    V("ARGS_POST_NAMES", args_post_names), V("REQUEST_HEADERS", request_headers),
    V("REQUEST_HEADERS_NAMES", request_headers_names), V("REQUEST_COOKIES", request_cookies),
    V("REQUEST_COOKIES_NAMES", request_cookies_names), V("RESPONSE_HEADERS", response_headers),
    V("RESPONSE_HEADERS_NAMES", response_headers_names), V("FILES", files),
    V("FILES_NAMES", files_names), V("FILES_SIZES", files_sizes),
    V("FILES_TMPNAMES", files_tmpnames), V("FILES_TMP_CONTENT", files_tmp_content),
    V("MULTIPART_PART_HEADERS", multipart_part_headers), V("XML", xml), V("TX", tx),
    V("IP", ip), V("GLOBAL", global), V("SESSION", session), V("USER", user),
    V("RESOURCE", resource), V("GEO", geo), V("ENV", env), V("MATCHED_VARS", matched_vars),
    V("MATCHED_VARS_NAMES", matched_vars_names), V("RULE", rule),
    V("ARGS_COMBINED_SIZE", args_combined_size), V("FILES_COMBINED_SIZE", files_combined_size),
    V("REQUEST_URI", request_uri), V("REQUEST_URI_RAW", request_uri_raw),
    V("REQUEST_FILENAME", request_filename), V("REQUEST_BASENAME", request_basename),
    V("REQUEST_LINE", request_line), V("REQUEST_METHOD", request_method),
    V("REQUEST_PROTOCOL", request_protocol), V("QUERY_STRING", query_string),
    V("REQUEST_BODY", request_body), V("REQUEST_BODY_LENGTH", request_body_length),
    V("REQBODY_ERROR", reqbody_error), V("REQBODY_ERROR_MSG", reqbody_error_msg),
    V("REQBODY_PROCESSOR", reqbody_processor),
    V("REQBODY_PROCESSOR_ERROR", reqbody_processor_error),
    V("REQBODY_PROCESSOR_ERROR_MSG", reqbody_processor_error_msg),
    V("MULTIPART_STRICT_ERROR", multipart_strict_error),
    V("MULTIPART_UNMATCHED_BOUNDARY", multipart_unmatched_boundary),
    V("MULTIPART_BOUNDARY_QUOTED", multipart_boundary_quoted),
    V("MULTIPART_BOUNDARY_WHITESPACE", multipart_boundary_whitespace),
    V("MULTIPART_DATA_AFTER", multipart_data_after),
    V("MULTIPART_DATA_BEFORE", multipart_data_before),
    V("MULTIPART_HEADER_FOLDING", multipart_header_folding),
    V("MULTIPART_LF_LINE", multipart_lf_line),
    V("MULTIPART_CRLF_LF_LINES", multipart_crlf_lf_lines),
    V("MULTIPART_MISSING_SEMICOLON", multipart_missing_semicolon),
    V("MULTIPART_INVALID_QUOTING", multipart_invalid_quoting),
    V("MULTIPART_INVALID_PART", multipart_invalid_part),
    V("MULTIPART_INVALID_HEADER_FOLDING", multipart_invalid_header_folding),
    V("MULTIPART_FILE_LIMIT_EXCEEDED", multipart_file_limit_exceeded),
    V("MULTIPART_FILENAME", multipart_filename), V("MULTIPART_NAME", multipart_name),
    V("REMOTE_ADDR", remote_addr), V("REMOTE_PORT", remote_port), V("REMOTE_HOST", remote_host),
    V("SERVER_ADDR", server_addr), V("SERVER_PORT", server_port), V("SERVER_NAME", server_name),
    V("UNIQUE_ID", unique_id), V("DURATION", duration), V("MATCHED_VAR", matched_var),
    V("MATCHED_VAR_NAME", matched_var_name), V("RESPONSE_BODY", response_body),
    V("RESPONSE_STATUS", response_status), V("RESPONSE_PROTOCOL", response_protocol),
    V("RESPONSE_CONTENT_TYPE", response_content_type),
    V("RESPONSE_CONTENT_LENGTH", response_content_length), V("FULL_REQUEST", full_request),
    V("FULL_REQUEST_LENGTH", full_request_length), V("INBOUND_DATA_ERROR", inbound_data_error),
    V("OUTBOUND_DATA_ERROR", outbound_data_error), V("AUTH_TYPE", auth_type),
    V("PATH_INFO", path_info), V("TIME", time), V("TIME_EPOCH", time_epoch),
    V("HIGHEST_SEVERITY", highest_severity), V("URLENCODED_ERROR", urlencoded_error),
    V("STATUS_LINE", status_line),
#undef V
};
static_assert(k_names.size() == k_variable_count, "every variable_id needs a name");

// Reads a `/regex/` selector starting at s[i] == '/'; returns the index after the closing
// slash. `\/` inside is an escaped slash (CRS: TX:'/LEAKAGE\\\/ERRORS/').
size_t regex_selector_end(std::string_view s, size_t i) {
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] == '\\' && j + 1 < s.size()) {
      ++j;
    } else if (s[j] == '/') {
      return j + 1;
    }
  }
  throw std::runtime_error("unterminated /regex/ selector in '" + std::string(s) + "'");
}

// The literal an anchored selector (`^header_name_`) requires at the start of every key. Only
// for patterns without alternation, where `^` anchors the whole pattern.
void set_key_prefix(std::string_view pat, variable_ref& r) {
  if (pat.size() < 2 || pat[0] != '^' || pat.find('|') != std::string_view::npos) return;
  size_t end = 1;
  while (end < pat.size() && (std::isalnum(static_cast<unsigned char>(pat[end])) || pat[end] == '_' ||
                              pat[end] == '-')) {
    ++end;
  }
  const bool whole = end == pat.size();
  if (!whole && std::string_view("?*{").find(pat[end]) != std::string_view::npos) --end;  // optional
  if (end <= 1) return;
  r.key_prefix = to_lower(pat.substr(1, end - 1));
  r.key_prefix_whole = whole;
}

variable_ref make_ref(std::string_view name, std::string_view key, bool count) {
  auto id = variable_from_name(name);
  if (!id) throw std::runtime_error("unknown variable '" + std::string(name) + "'");
  variable_ref r;
  r.id = *id;
  r.count = count;
  if (key.size() >= 2 && key.front() == '\'' && key.back() == '\'') {
    key = key.substr(1, key.size() - 2);
  }
  if (*id == variable_id::xml) {
    r.key = std::string(key);  // an XPath expression, kept as written
    return r;
  }
  if (key.size() >= 2 && key.front() == '/' && key.back() == '/') {
    std::string pat(key.substr(1, key.size() - 2));
    try {
      r.key_regex = std::make_shared<const regex>(pat, /*caseless=*/true);
    } catch (const std::exception& e) {
      throw std::runtime_error("selector " + std::string(key) + ": " + e.what());
    }
    if (auto lits = detail::required_literals(pat)) {
      const bool any_empty = std::any_of(lits->begin(), lits->end(), [](const auto& l) { return l.empty(); });
      if (!any_empty) r.key_literals = std::move(*lits);
    }
    set_key_prefix(pat, r);
    r.key = "/" + pat + "/";
    return r;
  }
  if (!key.empty() && !is_collection(*id)) {
    throw std::runtime_error("variable " + std::string(name) + " takes no :key");
  }
  r.key = to_lower(key);
  return r;
}
}  // namespace

std::string to_lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::optional<variable_id> variable_from_name(std::string_view name) {
  for (const auto& e : k_names) {
    if (e.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), e.name.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        })) {
      return e.id;
    }
  }
  return std::nullopt;
}

std::string_view variable_name(variable_id id) { return k_names[static_cast<size_t>(id)].name; }

variable_ref parse_one_target(std::string_view t) {
  bool count = false;
  if (!t.empty() && t.front() == '&') {
    count = true;
    t.remove_prefix(1);
  }
  const size_t colon = t.find(':');
  if (colon == std::string_view::npos) return make_ref(t, {}, count);
  return make_ref(t.substr(0, colon), t.substr(colon + 1), count);
}

void parse_targets(std::string_view text, std::vector<variable_ref>& targets,
                   std::vector<variable_ref>& exclusions) {
  size_t i = 0;
  if (text.empty()) throw std::runtime_error("empty target list");
  while (i <= text.size()) {
    size_t start = i;
    bool negate = false;
    if (i < text.size() && text[i] == '!') {
      negate = true;
      start = ++i;
    }
    // Find the end of this target: a `|` outside a /regex/ or quoted selector.
    size_t j = i;
    while (j < text.size() && text[j] != '|' && text[j] != ':') ++j;
    if (j < text.size() && text[j] == ':') {
      const bool is_xml = variable_from_name(text.substr(i, j - i)) == variable_id::xml;
      size_t k = j + 1;
      if (!is_xml && k < text.size() && text[k] == '/') {
        k = regex_selector_end(text, k);
      } else if (!is_xml && k < text.size() && text[k] == '\'') {
        const size_t q = text.find('\'', k + 1);
        if (q == std::string_view::npos) throw std::runtime_error("unterminated quoted selector");
        k = q + 1;
      } else {
        while (k < text.size() && text[k] != '|') ++k;
      }
      j = k;
    }
    const std::string_view one = text.substr(start, j - start);
    if (one.empty() || one == "&") throw std::runtime_error("empty target in '" + std::string(text) + "'");
    variable_ref r = parse_one_target(one);
    (negate ? exclusions : targets).push_back(std::move(r));
    if (j < text.size() && text[j] != '|') {
      throw std::runtime_error("unexpected '" + std::string(1, text[j]) + "' after target " +
                               std::string(one));
    }
    i = j + 1;
  }
}

macro_text parse_macro(std::string_view text) {
  macro_text m;
  m.source = std::string(text);
  size_t i = 0;
  std::string lit;
  while (i < text.size()) {
    if (text[i] == '%' && i + 1 < text.size() && text[i + 1] == '{') {
      const size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        throw std::runtime_error("unclosed %{ in '" + std::string(text) + "'");
      }
      std::string_view inner = text.substr(i + 2, close - i - 2);
      const size_t dot = inner.find_first_of(".:");
      std::string_view name = dot == std::string_view::npos ? inner : inner.substr(0, dot);
      auto id = variable_from_name(name);
      if (!id) throw std::runtime_error("unknown variable '" + std::string(name) + "' in macro");
      if (!lit.empty()) {
        m.parts.push_back({std::move(lit), false, variable_id::tx, {}});
        lit.clear();
      }
      macro_text::part p;
      p.is_var = true;
      p.var = *id;
      if (dot != std::string_view::npos) p.key = to_lower(inner.substr(dot + 1));
      m.parts.push_back(std::move(p));
      i = close + 1;
    } else {
      lit.push_back(text[i++]);
    }
  }
  if (!lit.empty()) m.parts.push_back({std::move(lit), false, variable_id::tx, {}});
  return m;
}

}  // namespace ravelin::waf::detail
