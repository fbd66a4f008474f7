// What the dataplane plugin answers a blocked request with. The per-match log lines are
// transaction::audit_line (ModSecurity's error-log form) and transaction::audit_json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ravelin::waf {

struct rule;
struct rule_link;

// One matched rule as plain data, for writing its log lines away from the transaction that
// found it (a log thread): the rule and link are the engine's immutable rule set, the views
// whatever storage the caller keeps alive for the call.
struct audit_entry {
  const rule* r = nullptr;
  const rule_link* link = nullptr;  // the link whose operator matched last, or null
  int64_t id = 0;
  int phase = 0;
  int severity = -1;
  bool disruptive = false;
  int status = 0;  // the interrupting status when disruptive
  std::string_view msg, data, var_name, var_value, hostname, uri, unique_id;
};

// ModSecurity's error-log line: `ModSecurity: Warning. Matched ... [id "942100"] [msg "..."]
// [data "..."] [severity "2"] ... [uri "/x"] [unique_id "..."]`. Allocates.
std::string format_audit_line(const audit_entry& e);
// The same match as one JSON object: transaction_id, rule_id, phase, severity, disruptive,
// msg, data, matched_var, uri, tags. Allocates.
std::string format_audit_json(const audit_entry& e);

// The JSON body of the response to a blocked request:
//   {"error":"request blocked","status":403,"transaction_id":"..."}\n
// so a client can quote the id and an operator find the audit lines. Written into `out` on
// the request path without allocating; returns the bytes written, or 0 when `out` is too
// small. k_block_body_max always suffices (the id is cut to 128 bytes, each escaped to <= 6).
constexpr size_t k_block_body_max = 1024;
size_t write_block_body(std::span<char> out, int status, std::string_view transaction_id);

}  // namespace ravelin::waf
