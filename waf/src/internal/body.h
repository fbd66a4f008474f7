// Request data and body processors (urlencoded, multipart, JSON, XML) filling a transaction's
// collections.
#pragma once

#include <string_view>
#include <vector>

#include "internal/tx_state.h"

namespace ravelin::waf::detail {

void set_request_variables(transaction::state& s, const http_request& r);
void set_processor_variable(transaction::state& s);
void parse_form(transaction::state& s, std::string_view text, std::vector<kv>& out);
std::string_view form_decode(arena& mem, std::string_view s);
std::string_view format_int(arena& mem, int64_t v);

// Adds one body segment (transaction::append_request_body), enforcing SecRequestBodyLimit.
void append_body(transaction::state& s, std::string_view segment);

// Runs between phase 1 and phase 2: the body processor chosen by Content-Type or ctl.
// Returns false when the body exceeded SecRequestBodyLimit with Reject (verdict set).
bool process_request_body(transaction::state& s);

// Each returns false on a parse error, with a message in `error`.
bool parse_json(transaction::state& s, std::string_view body, std::string_view& error);
bool parse_multipart(transaction::state& s, std::string_view content_type, std::string_view body,
                     std::string_view& error);
bool parse_xml(transaction::state& s, std::string_view body, std::string_view& error);

}  // namespace ravelin::waf::detail
