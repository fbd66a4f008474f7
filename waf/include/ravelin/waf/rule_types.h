// The typed form of a SecLang rule set: what the parser produces and the evaluator reads.
// Immutable after load; shared by every lcore.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ravelin/waf/regex.h"
#include "ravelin/waf/transform.h"

namespace ravelin::waf {

class phrase_matcher;
class ip_set;

// Every variable the parser knows (ModSecurity reference manual, "Variables"). Keyed
// collections come first; k_first_scalar marks where single-valued variables start.
enum class variable_id : uint8_t {
  args, args_get, args_post, args_names, args_get_names, args_post_names,
  request_headers, request_headers_names, request_cookies, request_cookies_names,
  response_headers, response_headers_names, files, files_names, files_sizes, files_tmpnames,
  files_tmp_content, multipart_part_headers, xml, tx, ip, global, session, user, resource, geo,
  env, matched_vars, matched_vars_names, rule,
  // scalars
  args_combined_size, files_combined_size, request_uri, request_uri_raw, request_filename,
  request_basename, request_line, request_method, request_protocol, query_string, request_body,
  request_body_length, reqbody_error, reqbody_error_msg, reqbody_processor,
  reqbody_processor_error, reqbody_processor_error_msg, multipart_strict_error,
  multipart_unmatched_boundary, multipart_boundary_quoted, multipart_boundary_whitespace,
  multipart_data_after, multipart_data_before, multipart_header_folding, multipart_lf_line,
  multipart_crlf_lf_lines, multipart_missing_semicolon, multipart_invalid_quoting,
  multipart_invalid_part, multipart_invalid_header_folding, multipart_file_limit_exceeded,
  multipart_filename, multipart_name, remote_addr, remote_port, remote_host, server_addr,
  server_port, server_name, unique_id, duration, matched_var, matched_var_name, response_body,
  response_status, response_protocol, response_content_type, response_content_length,
  full_request, full_request_length, inbound_data_error, outbound_data_error, auth_type,
  path_info, time, time_epoch, highest_severity, urlencoded_error, status_line,
  count_  // number of ids; not a variable
};
constexpr uint8_t k_first_scalar = static_cast<uint8_t>(variable_id::args_combined_size);
constexpr size_t k_variable_count = static_cast<size_t>(variable_id::count_);
inline bool is_collection(variable_id v) { return static_cast<uint8_t>(v) < k_first_scalar; }

// One entry of a rule's target list: `ARGS`, `ARGS:foo`, `TX:/^x_/`, `&ARGS`, `!ARGS:foo`.
struct variable_ref {
  variable_id id = variable_id::args;
  std::string key;                        // lowercased selector; empty = all members
  std::shared_ptr<const regex> key_regex;  // `/.../` selector (case-insensitive, as v3)
  // Lower-case literals one of which every key the selector accepts holds (ASCII
  // case-insensitively); empty when the pattern requires none. The speed path's prefilter.
  std::vector<std::string> key_literals;
  // Lower-case text every key the selector accepts starts with (`/^header_name_/`), and
  // whether the pattern is just that (then the prefix decides without PCRE2).
  std::string key_prefix;
  bool key_prefix_whole = false;
  bool count = false;                      // `&`: the number of members
  bool operator==(const variable_ref& o) const {
    return id == o.id && key == o.key && count == o.count;
  }
};

enum class operator_id : uint8_t {
  rx, pm, pm_from_file, begins_with, ends_with, contains, contains_word, streq, str_match, eq,
  ge, gt, le, lt, within, ip_match, ip_match_from_file, validate_byte_range,
  validate_url_encoding, validate_utf8_encoding, detect_sqli, detect_xss, unconditional_match,
  no_match, rbl, geo_lookup, validate_dtd, validate_schema, verify_cc, fuzzy_hash, inspect_file,
  gsb_lookup,
};

// A piece of text with `%{COLLECTION.key}` macros (reference manual, "Macro expansion"),
// split at load so expansion is a walk over parts.
struct macro_text {
  struct part {
    std::string literal;     // used when !is_var
    bool is_var = false;
    variable_id var = variable_id::tx;
    std::string key;         // lowercased; empty for scalars
  };
  std::vector<part> parts;
  std::string source;        // as written, for messages and tests
  bool has_macros() const {
    for (const auto& p : parts) {
      if (p.is_var) return true;
    }
    return false;
  }
};

struct rule_operator {
  operator_id id = operator_id::rx;
  bool negated = false;
  macro_text param;                               // expanded per request when it has macros
  std::shared_ptr<const regex> re;                // @rx without macros
  std::shared_ptr<const phrase_matcher> phrases;  // @pm, @pmFromFile
  std::shared_ptr<const ip_set> ips;              // @ipMatch(FromFile)
  std::shared_ptr<const std::array<bool, 256>> byte_ok;  // @validateByteRange
};

enum class disruptive_action : uint8_t { none, pass, block, deny, drop, allow, redirect, proxy };

enum class setvar_op : uint8_t { set, add, sub, remove };
struct setvar_action {
  variable_id collection = variable_id::tx;  // tx, ip, global, session, user, resource
  macro_text name;                           // lowercased at expansion
  macro_text value;
  setvar_op op = setvar_op::set;
};

enum class ctl_kind : uint8_t {
  rule_engine, request_body_access, request_body_processor, force_request_body_variable,
  rule_remove_by_id, rule_remove_by_tag, rule_remove_target_by_id, rule_remove_target_by_tag,
  audit_engine, audit_log_parts, response_body_access, debug_log_level, hash_engine,
};
struct id_range {
  int64_t first = 0, last = 0;
  bool contains(int64_t id) const { return id >= first && id <= last; }
};
enum class engine_mode : uint8_t { off, on, detection_only };
enum class body_processor : uint8_t { none, urlencoded, multipart, json, xml };
struct ctl_action {
  ctl_kind kind = ctl_kind::rule_engine;
  std::string value;            // raw text after '='
  engine_mode mode = engine_mode::on;
  body_processor processor = body_processor::none;
  bool on = false;
  std::vector<id_range> ids;    // ruleRemoveById, ruleRemoveTargetById
  std::string tag;              // ruleRemoveByTag / ruleRemoveTargetByTag (a regex in v3; exact here)
  std::optional<variable_ref> target;  // ruleRemoveTarget*
};

struct collection_init {  // initcol:ip=%{remote_addr}
  variable_id collection = variable_id::ip;
  macro_text key;
};

// Actions of one rule (or one link of a chain), reference manual "Actions".
struct rule_actions {
  int64_t id = 0;
  int phase = 0;  // 0 = not given (inherited from SecDefaultAction or the chain head)
  std::optional<macro_text> msg, logdata;
  std::vector<std::string> tags;
  int severity = -1;  // 0 EMERGENCY .. 7 DEBUG
  std::string ver, rev, maturity, accuracy;
  disruptive_action disruptive = disruptive_action::none;
  int status = 0;
  std::optional<bool> log, auditlog;  // unset = inherited
  bool capture = false, multi_match = false, chain = false;
  std::string skip_after;
  int skip = 0;
  bool transforms_reset = false;            // t:none seen: drop the default transformations
  std::vector<transform_id> transforms;     // in order, after the last t:none
  std::vector<setvar_action> setvars;
  std::vector<ctl_action> ctls;
  std::vector<collection_init> initcols;
  std::string redirect_url;
};

// One link of a rule: the head, or a `chain`ed follower.
struct rule_link {
  std::vector<variable_ref> targets;
  std::vector<variable_ref> exclusions;  // `!VAR:key`
  rule_operator op;
  rule_actions actions;
  std::vector<transform_id> transforms;  // effective chain (defaults applied), set at finalise
};

enum class rule_kind : uint8_t { rule, action, marker };

struct rule {
  rule_kind kind = rule_kind::rule;
  std::vector<rule_link> links;  // links[0] is the head; empty for markers
  std::string marker;            // SecMarker name
  std::string file;
  int line = 0;
  // Effective values after SecDefaultAction (computed once at load).
  int64_t id() const { return links.empty() ? 0 : links[0].actions.id; }
  int phase = 2;
  bool log = true, auditlog = true;
  disruptive_action disruptive = disruptive_action::pass;
  const rule_actions& head() const { return links[0].actions; }
};

struct engine_config {
  engine_mode rule_engine = engine_mode::detection_only;  // ModSecurity's default
  bool request_body_access = false, response_body_access = false;
  int64_t request_body_limit = 13107200, request_body_no_files_limit = 1048576;
  int64_t request_body_in_memory_limit = 131072, response_body_limit = 524288;
  bool request_body_limit_reject = true;  // SecRequestBodyLimitAction Reject|ProcessPartial
  bool response_body_limit_reject = false;
  std::vector<std::string> response_body_mime_types;
  int64_t pcre_match_limit = 1000, pcre_match_limit_recursion = 1000;
  char argument_separator = '&';
  std::vector<std::string> component_signatures;
  int64_t collection_timeout = 3600;
  int64_t arguments_limit = 1000;
};

struct rule_set {
  engine_config config;
  std::vector<rule> rules;  // in file order; markers included
  std::vector<std::string> files;  // every file read, in order
};

}  // namespace ravelin::waf
