// Audit output for the dataplane plugin: ModSecurity's error-log line per matched rule (the
// contract log tooling already parses), the same as a JSON line, and the JSON body of the 403
// a blocked request gets. Log lines allocate and are built off the hot path; the 403 body is
// written into the caller's buffer on the request path and allocates nothing.
#include <cstdio>

#include "internal/tx_state.h"
#include "ravelin/waf/audit.h"
#include "ravelin/waf/engine.h"

namespace ravelin::waf {

namespace {
// Quotes for [tag "value"]: ModSecurity escapes '"' and '\' and keeps lines to one line.
// Request bytes inside the line (the matched value, names) get the same treatment: one
// audit line per match, whatever the request sent.
void quoted(std::string& out, std::string_view v, size_t max) {
  for (const char c : v.substr(0, max)) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
}

void field(std::string& out, std::string_view name, std::string_view v) {
  out.append(" [").append(name).append(" \"");
  quoted(out, v, 512);
  out.append("\"]");
}

std::string_view operator_name(operator_id id) {
  static constexpr std::string_view k_names[] = {"Rx",
                                                 "Pm",
                                                 "PmFromFile",
                                                 "BeginsWith",
                                                 "EndsWith",
                                                 "Contains",
                                                 "ContainsWord",
                                                 "StrEq",
                                                 "StrMatch",
                                                 "Eq",
                                                 "Ge",
                                                 "Gt",
                                                 "Le",
                                                 "Lt",
                                                 "Within",
                                                 "IpMatch",
                                                 "IpMatchFromFile",
                                                 "ValidateByteRange",
                                                 "ValidateUrlEncoding",
                                                 "ValidateUtf8Encoding",
                                                 "DetectSQLi",
                                                 "DetectXSS",
                                                 "UnconditionalMatch",
                                                 "NoMatch",
                                                 "Rbl",
                                                 "GeoLookup",
                                                 "ValidateDTD",
                                                 "ValidateSchema",
                                                 "VerifyCC",
                                                 "FuzzyHash",
                                                 "InspectFile",
                                                 "GsbLookup"};
  return k_names[static_cast<size_t>(id)];
}
}  // namespace

audit_entry transaction::audit_entry_of(const match_record& m) const {
  const state& s = *s_;
  audit_entry e;
  e.r = m.r;
  e.link = m.link;
  e.id = m.id;
  e.phase = m.phase;
  e.severity = m.severity;
  e.disruptive = m.disruptive;
  e.status = s.result.status;
  e.msg = m.msg;
  e.data = m.data;
  e.var_name = m.var_name;
  e.var_value = m.var_value;
  e.hostname = s.req ? s.req->server_addr : std::string_view();
  e.uri = s.scalar[static_cast<size_t>(variable_id::request_filename)];
  e.unique_id = s.unique_id;
  return e;
}

std::string transaction::audit_line(const match_record& m) const {
  return format_audit_line(audit_entry_of(m));
}

std::string transaction::audit_json(const match_record& m) const {
  return format_audit_json(audit_entry_of(m));
}

std::string format_audit_line(const audit_entry& m) {
  std::string out = "ModSecurity: ";
  if (m.disruptive) {
    out += "Access denied with code " + std::to_string(m.status) + " (phase " +
           std::to_string(m.phase) + "). ";
  } else {
    out += "Warning. ";
  }
  if (m.link) {
    out += "Matched \"Operator `";
    out.append(operator_name(m.link->op.id)).append("' with parameter `");
    quoted(out, m.link->op.param.source, 200);
    out.append("' against variable `");
    quoted(out, m.var_name, 200);
    out.append("' (Value: `");
    quoted(out, m.var_value, 200);
    out.append("' )\"");
  }
  const rule_actions& h = m.r->head();
  field(out, "file", m.r->file);
  field(out, "line", std::to_string(m.r->line));
  field(out, "id", std::to_string(m.id));
  field(out, "rev", h.rev);
  field(out, "msg", m.msg);
  field(out, "data", m.data);
  field(out, "severity", m.severity >= 0 ? std::to_string(m.severity) : "0");
  field(out, "ver", h.ver);
  field(out, "maturity", h.maturity.empty() ? "0" : h.maturity);
  field(out, "accuracy", h.accuracy.empty() ? "0" : h.accuracy);
  for (const auto& t : h.tags) field(out, "tag", t);
  field(out, "hostname", m.hostname);
  field(out, "uri", m.uri);
  field(out, "unique_id", m.unique_id);
  return out;
}

namespace {
// JSON string escaping (RFC 8259 §7). Bytes >= 0x80 become \u00XX so that a line stays valid
// UTF-8 whatever the request carried (matched data is attacker-controlled).
template <class Put>
void json_escape(std::string_view v, Put&& put) {
  static constexpr char k_hex[] = "0123456789abcdef";
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      put('\\');
      put(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      for (const char e : {'\\', 'u', '0', '0', k_hex[c >> 4], k_hex[c & 15]}) put(e);
    } else {
      put(static_cast<char>(c));
    }
  }
}

void json_field(std::string& out, std::string_view name, std::string_view v) {
  out.append(",\"").append(name).append("\":\"");
  json_escape(v.substr(0, 512), [&](char c) { out.push_back(c); });
  out.push_back('"');
}
}  // namespace

std::string format_audit_json(const audit_entry& m) {
  const rule_actions& h = m.r->head();
  std::string out = "{\"transaction_id\":\"";
  json_escape(m.unique_id, [&](char c) { out.push_back(c); });
  out.append("\",\"rule_id\":").append(std::to_string(m.id));
  out.append(",\"phase\":").append(std::to_string(m.phase));
  out.append(",\"severity\":").append(std::to_string(m.severity >= 0 ? m.severity : 0));
  out.append(",\"disruptive\":").append(m.disruptive ? "true" : "false");
  json_field(out, "msg", m.msg);
  json_field(out, "data", m.data);
  json_field(out, "matched_var", m.var_name);
  json_field(out, "uri", m.uri);
  out.append(",\"tags\":[");
  for (size_t i = 0; i < h.tags.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('"');
    json_escape(h.tags[i], [&](char c) { out.push_back(c); });
    out.push_back('"');
  }
  out.append("]}");
  return out;
}

size_t write_block_body(std::span<char> out, int status, std::string_view transaction_id) {
  size_t n = 0;
  bool fits = true;
  auto put = [&](char c) {
    if (n < out.size())
      out[n++] = c;
    else
      fits = false;
  };
  auto put_str = [&](std::string_view t) {
    for (const char c : t) put(c);
  };
  char code[12];
  const int len = std::snprintf(code, sizeof code, "%d", status);
  put_str("{\"error\":\"request blocked\",\"status\":");
  put_str(std::string_view(code, len > 0 ? static_cast<size_t>(len) : 0));
  put_str(",\"transaction_id\":\"");
  json_escape(transaction_id.substr(0, 128), put);
  put_str("\"}\n");
  return fits ? n : 0;
}

}  // namespace ravelin::waf
