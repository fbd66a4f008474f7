// Body processing between phases 1 and 2 (reference manual: SecRequestBodyAccess,
// SecRequestBodyLimit, ctl:requestBodyProcessor, ctl:forceRequestBodyVariable, REQBODY_ERROR),
// plus the JSON and XML processors.
#include <charconv>

#include "internal/ascii.h"
#include "internal/body.h"

namespace ravelin::waf::detail {

namespace {
std::string_view header(const http_request& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = ascii::to_lower(static_cast<unsigned char>(h.name[i])) == name[i];
    }
    if (same) return h.value;
  }
  return {};
}
}  // namespace

std::string_view format_int(arena& mem, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return mem.copy({buf, static_cast<size_t>(end - buf)});
}

void append_body(transaction::state& s, std::string_view segment) {
  const auto& cfg = s.engine.rules().config;
  s.body_length += static_cast<int64_t>(segment.size());
  if (!s.request_body_access || segment.empty()) return;
  const auto limit = static_cast<size_t>(cfg.request_body_limit);
  const size_t held = s.body.size();
  if (held + segment.size() > limit) {
    if (!s.body_over_limit) ++s.counters.body_limit_exceeded;
    s.body_over_limit = true;
    s.set_scalar(variable_id::inbound_data_error, "1");
    if (cfg.request_body_limit_reject) {
      s.result = {verdict_action::deny, 413, 0};
      return;
    }
    segment = segment.substr(0, limit - held);  // ProcessPartial: inspect the first `limit` bytes
    if (segment.empty()) return;
  }
  if (held == 0 && !s.copy_body) {
    s.body = segment;  // one segment: borrowed, not copied
    return;
  }
  if (held == 0) s.body_buf.clear();
  if (s.body.data() != s.body_buf.data()) s.body_buf.assign(s.body);
  s.body_buf.append(segment);
  s.body = s.body_buf;
}

bool process_request_body(transaction::state& s) {
  const std::string_view body = s.body;
  s.set_scalar(variable_id::request_body_length, format_int(s.mem, s.body_length));
  s.set_scalar(variable_id::reqbody_error, "0");
  s.set_scalar(variable_id::reqbody_processor_error, "0");
  s.set_scalar(variable_id::multipart_strict_error, "0");
  s.set_scalar(variable_id::multipart_unmatched_boundary, "0");
  if (!s.request_body_access) return true;
  std::string_view error;
  bool ok = true;
  switch (s.processor) {
    case body_processor::urlencoded: parse_form(s, body, s.args_post); break;
    case body_processor::multipart:
      ok = parse_multipart(s, header(*s.req, "content-type"), body, error);
      break;
    case body_processor::json: ok = parse_json(s, body, error); break;
    case body_processor::xml: ok = parse_xml(s, body, error); break;
    case body_processor::none: break;
  }
  const bool body_variable = s.force_body_variable || s.processor == body_processor::urlencoded ||
                             s.processor == body_processor::none;
  if (body_variable) s.set_scalar(variable_id::request_body, body);
  if (!ok) {
    ++s.counters.reqbody_errors;
    s.set_scalar(variable_id::reqbody_error, "1");
    s.set_scalar(variable_id::reqbody_error_msg, error);
    s.set_scalar(variable_id::reqbody_processor_error, "1");
    s.set_scalar(variable_id::reqbody_processor_error_msg, error);
  }
  return true;
}

namespace {
// RFC 8259 recursive-descent reader. Leaves become ARGS_POST named like v3's JSON processor:
// json.key.sub for objects, json.list.array_N for arrays.
struct json_reader {
  transaction::state& s;
  std::string_view in;
  std::string& path;  // the state's work buffers: no allocation once they have grown
  std::string& key;
  std::string& val;
  size_t i = 0;
  std::string_view error;
  int depth = 0;

  void ws() {
    while (i < in.size() && (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r')) ++i;
  }
  bool fail(std::string_view why) {
    if (error.empty()) error = why;
    return false;
  }
  bool string(std::string& out) {
    if (i >= in.size() || in[i] != '"') return fail("JSON: expected a string");
    ++i;
    out.clear();
    while (i < in.size() && in[i] != '"') {
      char c = in[i++];
      if (static_cast<unsigned char>(c) < 0x20) return fail("JSON: control character in string");
      if (c == '\\') {
        if (i >= in.size()) return fail("JSON: bad escape");
        const char e = in[i++];
        switch (e) {
          case 'b': c = '\b'; break;
          case 'f': c = '\f'; break;
          case 'n': c = '\n'; break;
          case 'r': c = '\r'; break;
          case 't': c = '\t'; break;
          case '"': case '\\': case '/': c = e; break;
          case 'u': {
            if (i + 4 > in.size()) return fail("JSON: bad \\u escape");
            unsigned cp = 0;
            for (int k = 0; k < 4; ++k) {
              const char h = in[i++];
              if (!ascii::is_xdigit(static_cast<unsigned char>(h))) return fail("JSON: bad \\u escape");
              cp = cp * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            }
            if (cp < 0x80) { out.push_back(static_cast<char>(cp)); }
            else if (cp < 0x800) { out.push_back(static_cast<char>(0xc0 | (cp >> 6))); out.push_back(static_cast<char>(0x80 | (cp & 0x3f))); }
            else { out.push_back(static_cast<char>(0xe0 | (cp >> 12))); out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f))); out.push_back(static_cast<char>(0x80 | (cp & 0x3f))); }
            continue;
          }
          default: return fail("JSON: bad escape");
        }
      }
      out.push_back(c);
    }
    if (i >= in.size()) return fail("JSON: unterminated string");
    ++i;
    return true;
  }
  void leaf(std::string_view value) {
    s.args_post.push_back({s.mem.copy(path), s.mem.copy(value)});
  }
  bool value() {
    if (++depth > 256) return fail("JSON: nesting too deep");
    ws();
    if (i >= in.size()) return fail("JSON: unexpected end");
    bool ok = true;
    const size_t base = path.size();
    if (in[i] == '{') {
      ++i;
      ws();
      if (i < in.size() && in[i] == '}') { ++i; --depth; return true; }
      for (;;) {
        ws();
        if (!string(key)) return false;
        ws();
        if (i >= in.size() || in[i] != ':') return fail("JSON: expected ':'");
        ++i;
        path.resize(base);
        path.append(".").append(key);
        if (!value()) return false;
        ws();
        if (i < in.size() && in[i] == ',') { ++i; continue; }
        if (i < in.size() && in[i] == '}') { ++i; break; }
        return fail("JSON: expected ',' or '}'");
      }
    } else if (in[i] == '[') {
      ++i;
      ws();
      if (i < in.size() && in[i] == ']') { ++i; --depth; return true; }
      for (int n = 0;; ++n) {
        path.resize(base);
        char digits[16];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
        (void)ec;
        path.append(".array_").append(digits, static_cast<size_t>(end - digits));
        if (!value()) return false;
        ws();
        if (i < in.size() && in[i] == ',') { ++i; continue; }
        if (i < in.size() && in[i] == ']') { ++i; break; }
        return fail("JSON: expected ',' or ']'");
      }
    } else if (in[i] == '"') {
      ok = string(val);
      if (ok) leaf(val);
    } else {
      const size_t st = i;
      while (i < in.size() && (ascii::is_alnum(static_cast<unsigned char>(in[i])) || in[i] == '-' || in[i] == '+' || in[i] == '.')) ++i;
      const std::string_view lit = in.substr(st, i - st);
      const bool number = !lit.empty() && (ascii::is_digit(static_cast<unsigned char>(lit[0])) || lit[0] == '-');
      if (!(number || lit == "true" || lit == "false" || lit == "null")) return fail("JSON: bad literal");
      leaf(lit == "null" ? std::string_view() : lit);
    }
    path.resize(base);
    --depth;
    return ok;
  }
};
}  // namespace

bool parse_json(transaction::state& s, std::string_view body, std::string_view& error) {
  json_reader r{s, body, s.json_path, s.json_key, s.json_value};
  r.path.assign("json");
  const bool ok = r.value();
  r.ws();
  if (ok && r.i != body.size()) r.fail("JSON: trailing data");
  error = r.error;
  return ok && error.empty();
}

namespace {
// name="value" pairs of a start tag: XML://@* (attribute values, as libxml2's XPath gives).
void xml_attributes(transaction::state& s, std::string_view a) {
  size_t i = 0;
  while (i < a.size()) {
    const size_t eq = a.find('=', i);
    if (eq == std::string_view::npos) return;
    size_t q = eq + 1;
    while (q < a.size() && (a[q] == ' ' || a[q] == '\t')) ++q;
    if (q >= a.size() || (a[q] != '"' && a[q] != '\'')) return;
    const size_t e = a.find(a[q], q + 1);
    if (e == std::string_view::npos) return;
    apply_transform(transform_id::html_entity_decode, a.substr(q + 1, e - q - 1), s.xml_decoded);
    s.xml.push_back({"//@*", s.mem.copy(s.xml_decoded)});
    i = e + 1;
  }
}
}  // namespace

bool parse_xml(transaction::state& s, std::string_view body, std::string_view& error) {
  // Enough XML for XML:/* (the text content of the document, as CRS inspects it): tags,
  // comments, CDATA and processing instructions are read; element nesting must balance.
  std::string& text = s.xml_text;
  std::vector<std::string_view>& open = s.xml_open;
  text.clear();
  open.clear();
  size_t i = 0;
  bool root_seen = false;
  while (i < body.size()) {
    if (body[i] != '<') {
      const size_t e = body.find('<', i);
      const std::string_view chunk = body.substr(i, e == std::string_view::npos ? body.size() - i : e - i);
      if (!open.empty()) text.append(chunk);
      else if (chunk.find_first_not_of(" \t\r\n") != std::string_view::npos) {
        error = "XML: text outside the root element";
        return false;
      }
      i = e == std::string_view::npos ? body.size() : e;
      continue;
    }
    auto skip_to = [&](std::string_view end) {
      const size_t e = body.find(end, i);
      if (e == std::string_view::npos) return false;
      i = e + end.size();
      return true;
    };
    if (body.substr(i, 4) == "<!--") {
      if (!skip_to("-->")) { error = "XML: unterminated comment"; return false; }
    } else if (body.substr(i, 9) == "<![CDATA[") {
      const size_t st = i + 9;
      if (!skip_to("]]>")) { error = "XML: unterminated CDATA"; return false; }
      text.append(body.substr(st, i - 3 - st));
    } else if (body.substr(i, 2) == "<?" || body.substr(i, 2) == "<!") {
      if (!skip_to(">")) { error = "XML: unterminated declaration"; return false; }
    } else {
      const size_t e = body.find('>', i);
      if (e == std::string_view::npos) { error = "XML: unterminated tag"; return false; }
      std::string_view tag = body.substr(i + 1, e - i - 1);
      i = e + 1;
      const bool closing = !tag.empty() && tag.front() == '/';
      const bool empty = !tag.empty() && tag.back() == '/';
      if (closing) tag.remove_prefix(1);
      const size_t ne = tag.find_first_of(" \t\r\n/");
      const std::string_view name = tag.substr(0, ne);
      if (!closing && ne != std::string_view::npos) xml_attributes(s, tag.substr(ne));
      if (name.empty()) { error = "XML: empty tag name"; return false; }
      if (closing) {
        if (open.empty() || open.back() != name) { error = "XML: mismatched closing tag"; return false; }
        open.pop_back();
      } else if (!empty) {
        if (open.empty() && root_seen) { error = "XML: more than one root element"; return false; }
        open.push_back(name);
        root_seen = true;
      } else {
        root_seen = true;
      }
    }
  }
  if (!open.empty() || !root_seen) {
    error = "XML: document not complete";
    return false;
  }
  apply_transform(transform_id::html_entity_decode, text, s.xml_decoded);
  s.xml.push_back({"/*", s.mem.copy(s.xml_decoded)});
  return true;
}

}  // namespace ravelin::waf::detail
