// What the dataplane plugin answers a blocked request with. The per-match log lines are
// transaction::audit_line (ModSecurity's error-log form) and transaction::audit_json.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace ravelin::waf {

// The JSON body of the response to a blocked request:
//   {"error":"request blocked","status":403,"transaction_id":"..."}\n
// so a client can quote the id and an operator find the audit lines. Written into `out` on
// the request path without allocating; returns the bytes written, or 0 when `out` is too
// small. k_block_body_max always suffices (the id is cut to 128 bytes, each escaped to <= 6).
constexpr size_t k_block_body_max = 1024;
size_t write_block_body(std::span<char> out, int status, std::string_view transaction_id);

}  // namespace ravelin::waf
