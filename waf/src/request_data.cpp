// Request collections from the request line, headers and cookies (ModSecurity reference
// manual, "Variables"): REQUEST_URI keeps the raw form, REQUEST_FILENAME/BASENAME are the
// %-decoded path, ARGS_GET comes from the query string decoded as form data.

#include "internal/ascii.h"
#include "internal/body.h"
#include "internal/tx_state.h"

namespace ravelin::waf {

using detail::kv;

namespace {
bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii::to_lower(static_cast<unsigned char>(a[i])) != ascii::to_lower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// %XX decoding only ('+' stays), as v3's uri_decode does for the path.
std::string_view uri_decode(detail::arena& mem, std::string_view s) {
  if (s.find('%') == std::string_view::npos) return s;
  char* out = mem.alloc(s.size());
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && ascii::is_xdigit(static_cast<unsigned char>(s[i + 1])) &&
        ascii::is_xdigit(static_cast<unsigned char>(s[i + 2]))) {
      auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
      out[n++] = static_cast<char>(nib(s[i + 1]) * 16 + nib(s[i + 2]));
      i += 2;
    } else {
      out[n++] = s[i];
    }
  }
  return {out, n};
}

// "a=1; b=2" (RFC 6265 §4.2.1), names and values as sent.
void parse_cookies(std::string_view h, std::vector<kv>& out) {
  size_t i = 0;
  while (i < h.size()) {
    size_t e = h.find(';', i);
    if (e == std::string_view::npos) e = h.size();
    std::string_view c = h.substr(i, e - i);
    while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) c.remove_prefix(1);
    while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.remove_suffix(1);
    if (!c.empty()) {
      const size_t eq = c.find('=');
      if (eq == std::string_view::npos) out.push_back({c, {}});
      else out.push_back({c.substr(0, eq), c.substr(eq + 1)});
    }
    i = e + 1;
  }
}
}  // namespace

void detail::set_request_variables(transaction::state& s, const http_request& r) {
  s.set_scalar(variable_id::request_method, r.method);
  s.set_scalar(variable_id::request_protocol, r.protocol);
  s.set_scalar(variable_id::request_uri_raw, r.uri);
  s.set_scalar(variable_id::remote_addr, r.remote_addr);
  s.set_scalar(variable_id::server_addr, r.server_addr);
  s.set_scalar(variable_id::unique_id, s.unique_id);
  s.set_scalar(variable_id::duration, "0");
  // REQUEST_LINE as received.
  const size_t line_len = r.method.size() + 1 + r.uri.size() + 1 + r.protocol.size();
  char* line = s.mem.alloc(line_len);
  size_t o = 0;
  for (auto part : {r.method, std::string_view(" "), r.uri, std::string_view(" "), r.protocol}) {
    std::copy(part.begin(), part.end(), line + o);
    o += part.size();
  }
  s.set_scalar(variable_id::request_line, {line, line_len});
  // The URI without fragment; an absolute-form target loses scheme and authority.
  std::string_view uri = r.uri.substr(0, r.uri.find('#'));
  if (const size_t scheme = uri.find("://"); scheme != std::string_view::npos && uri.front() != '/') {
    const size_t path = uri.find('/', scheme + 3);
    uri = path == std::string_view::npos ? std::string_view("/") : uri.substr(path);
  }
  s.set_scalar(variable_id::request_uri, uri);
  const size_t q = uri.find('?');
  const std::string_view path = uri.substr(0, q);
  if (q != std::string_view::npos) {
    s.set_scalar(variable_id::query_string, uri.substr(q + 1));
    parse_form(s, uri.substr(q + 1), s.args_get);
  }
  const std::string_view filename = uri_decode(s.mem, path);
  s.set_scalar(variable_id::request_filename, filename);
  s.set_scalar(variable_id::path_info, filename);
  const size_t slash = filename.find_last_of("/\\");
  if (slash != std::string_view::npos && slash + 1 < filename.size()) {
    s.set_scalar(variable_id::request_basename, filename.substr(slash + 1));
  } else if (slash == std::string_view::npos && !filename.empty()) {
    s.set_scalar(variable_id::request_basename, filename);
  }
  for (const auto& h : r.headers) {
    s.headers.push_back({h.name, h.value});
    if (ieq(h.name, "cookie")) parse_cookies(h.value, s.cookies);
  }
  // The body processor a request would get by its Content-Type (v3's defaults; XML and JSON
  // need ctl:requestBodyProcessor, as in ModSecurity's recommended configuration).
  for (const auto& h : r.headers) {
    if (!ieq(h.name, "content-type")) continue;
    std::string_view ct = h.value;
    while (!ct.empty() && ct.front() == ' ') ct.remove_prefix(1);
    auto starts = [&](std::string_view p) { return ct.size() >= p.size() && ieq(ct.substr(0, p.size()), p); };
    if (starts("application/x-www-form-urlencoded")) s.processor = body_processor::urlencoded;
    else if (starts("multipart/form-data")) s.processor = body_processor::multipart;
    break;
  }
  set_processor_variable(s);
}

void detail::set_processor_variable(transaction::state& s) {
  const size_t v = static_cast<size_t>(variable_id::reqbody_processor);
  switch (s.processor) {
    case body_processor::urlencoded: s.scalar[v] = "URLENCODED"; break;
    case body_processor::multipart: s.scalar[v] = "MULTIPART"; break;
    case body_processor::json: s.scalar[v] = "JSON"; break;
    case body_processor::xml: s.scalar[v] = "XML"; break;
    case body_processor::none: s.scalar[v] = {}; break;
  }
  s.has_scalar[v] = s.processor != body_processor::none;
}

void detail::parse_form(transaction::state& s, std::string_view text, std::vector<kv>& out) {
  // application/x-www-form-urlencoded (HTML §4.10.21.6 / v3's parseArgs): split on the
  // argument separator, then '=', then %XX and '+' decoding of both sides.
  const char sep = s.engine.rules().config.argument_separator;
  size_t i = 0;
  while (i <= text.size()) {
    size_t e = text.find(sep, i);
    if (e == std::string_view::npos) e = text.size();
    const std::string_view piece = text.substr(i, e - i);
    if (!piece.empty()) {
      const size_t eq = piece.find('=');
      std::string_view k = piece.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
      out.push_back({form_decode(s.mem, k), form_decode(s.mem, v)});
    }
    if (e == text.size()) break;
    i = e + 1;
  }
}

std::string_view detail::form_decode(arena& mem, std::string_view s) {
  if (s.find_first_of("%+") == std::string_view::npos) return s;
  char* out = mem.alloc(s.size());
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out[n++] = ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && ascii::is_xdigit(static_cast<unsigned char>(s[i + 1])) &&
               ascii::is_xdigit(static_cast<unsigned char>(s[i + 2]))) {
      auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
      out[n++] = static_cast<char>(nib(s[i + 1]) * 16 + nib(s[i + 2]));
      i += 2;
    } else {
      out[n++] = s[i];
    }
  }
  return {out, n};
}

}  // namespace ravelin::waf
