// The contents of head lines: request and status lines (RFC 9112 §3, §4), field lines
// (RFC 9112 §5), the fields that decide framing and persistence, and the framing decision
// itself (RFC 9112 §6.3, §9.3).
#include <cstring>

#include "internal/chars.h"
#include "ravelin/http/parser.h"

namespace ravelin::http {

namespace {

using internal::is_digit;
using internal::is_ows;
using internal::is_tchar;

// RFC 9112 §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive.
error parse_version(std::string_view v, uint8_t& minor) {
  if (v.size() != 8 || std::memcmp(v.data(), "HTTP/", 5) != 0 || !is_digit(v[5]) || v[6] != '.' ||
      !is_digit(v[7])) {
    return error::bad_version;
  }
  if (v[5] != '1') return error::version_not_supported;
  minor = static_cast<uint8_t>(v[7] - '0');
  return error::none;
}

// RFC 9110 §9.1: method names are case-sensitive.
http::method classify_method(std::string_view m) {
  struct entry {
    std::string_view name;
    http::method id;
  };
  static constexpr entry k_methods[] = {
      {"GET", http::method::get},         {"HEAD", http::method::head},
      {"POST", http::method::post},       {"PUT", http::method::put},
      {"DELETE", http::method::delete_},  {"CONNECT", http::method::connect},
      {"OPTIONS", http::method::options}, {"TRACE", http::method::trace},
      {"PATCH", http::method::patch},
  };
  for (const entry& e : k_methods) {
    if (e.name == m) return e.id;
  }
  return http::method::other;
}

}  // namespace

error parser::parse_request_line(std::string_view line) {
  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3), single SPs only.
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return error::bad_request_line;
  const std::string_view method = line.substr(0, sp);
  if (!internal::is_token(method)) return error::bad_method;
  const std::string_view rest = line.substr(sp + 1);
  if (rest.size() < 10 || rest[rest.size() - 9] != ' ') return error::bad_request_line;
  const std::string_view target = rest.substr(0, rest.size() - 9);
  for (char c : target) {
    if (!internal::is_vchar(c)) return error::bad_target;
  }
  head_.method_token = method;
  head_.method = classify_method(method);
  head_.target = target;
  return parse_version(rest.substr(rest.size() - 8), head_.version_minor);
}

error parser::parse_status_line(std::string_view line) {
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4); the SP
  // before an empty reason is tolerated. RFC 9110 §15: codes are 100..599.
  if (line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) {
    return error::bad_status_line;
  }
  if (const error e = parse_version(line.substr(0, 8), head_.version_minor); e != error::none) {
    return e;
  }
  if (line[9] < '1' || line[9] > '5' || !is_digit(line[10]) || !is_digit(line[11])) {
    return error::bad_status_line;
  }
  head_.status =
      static_cast<uint16_t>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
  head_.reason = line.size() > 12 ? line.substr(13) : std::string_view{};
  return error::none;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). The line holds no CTL
// other than HTAB (take_line), so the value is valid once trimmed.
error parser::parse_field_line(std::string_view line, bool trailer) {
  if (is_ows(line[0])) return error::obs_fold;  // RFC 9112 §5.2; also §2.2 after the start line
  std::size_t i = 0;
  while (i < line.size() && is_tchar(line[i])) ++i;
  if (i == line.size()) return error::bad_field_name;
  if (line[i] != ':') return is_ows(line[i]) ? error::space_before_colon : error::bad_field_name;
  if (i == 0) return error::bad_field_name;
  if (section_fields_ >= limits_.max_fields || field_count_ >= table_.size()) {
    return error::too_many_fields;
  }
  header_field& f = table_[field_count_++];
  ++section_fields_;
  f.name = line.substr(0, i);
  f.value = internal::trim_ows(line.substr(i + 1));
  // RFC 9110 §6.5.1: trailer fields never change framing or routing.
  return trailer ? error::none : note_field(f);
}

error parser::note_field(const header_field& f) {
  switch (f.name.size()) {
    case 4:
      if (role_ == role::request && iequals(f.name, "host")) return note_host(f.value);
      break;
    case 6:
      if (iequals(f.name, "expect")) facts_.expect_continue |= iequals(f.value, "100-continue");
      break;
    case 7:
      if (iequals(f.name, "upgrade")) facts_.upgrade_field = true;
      break;
    case 10:
      if (iequals(f.name, "connection")) return note_connection(f.value);
      break;
    case 14:
      if (iequals(f.name, "content-length")) return note_content_length(f.value);
      break;
    case 17:
      if (iequals(f.name, "transfer-encoding")) note_transfer_encoding(f.value);
      break;
    default:
      break;
  }
  return error::none;
}

// RFC 9112 §3.2: more than one Host, or an invalid one, is answered with 400.
error parser::note_host(std::string_view v) {
  if (++facts_.host_count > 1) return error::duplicate_host;
  for (char c : v) {
    if (!internal::is_host_char(c)) return error::bad_host;
  }
  head_.host = v;
  return error::none;
}

// RFC 9110 §7.6.1: Connection = #connection-option, each a token.
error parser::note_connection(std::string_view v) {
  const bool ok = internal::for_each_element(v, [this](std::string_view opt) {
    if (opt.empty()) return true;
    if (!internal::is_token(opt)) return false;
    facts_.close |= iequals(opt, "close");
    facts_.keep_alive |= iequals(opt, "keep-alive");
    facts_.upgrade_option |= iequals(opt, "upgrade");
    return true;
  });
  return ok ? error::none : error::bad_connection;
}

// RFC 9110 §8.6: Content-Length = 1*DIGIT. A list, even of equal values, and a second field
// line are refused: any disagreement between hops is a smuggling vector (RFC 9112 §11.2).
error parser::note_content_length(std::string_view v) {
  if (facts_.content_length_seen) return error::duplicate_content_length;
  facts_.content_length_seen = true;
  if (v.empty() || v.size() > 18) return error::bad_content_length;  // 18 digits fit in 2^63
  uint64_t n = 0;
  for (char c : v) {
    if (!is_digit(c)) return error::bad_content_length;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  head_.content_length = n;
  return error::none;
}

// RFC 9112 §6.1: Transfer-Encoding = #transfer-coding; chunked is applied at most once and
// last. Field lines add to one list, so their order matters.
void parser::note_transfer_encoding(std::string_view v) {
  facts_.transfer_encoding_seen = true;
  internal::for_each_element(v, [this](std::string_view coding) {
    if (!internal::is_token(coding) || facts_.te_chunked_last) {
      facts_.te_bad = true;
      return false;
    }
    facts_.te_chunked_last = iequals(coding, "chunked");
    facts_.te_other |= !facts_.te_chunked_last;
    return true;
  });
}

error parser::decide_request_framing() {
  const bool http11 = head_.version_minor >= 1;
  if (http11 && facts_.host_count == 0) return error::missing_host;  // RFC 9112 §3.2
  if (facts_.transfer_encoding_seen) {
    // RFC 9112 §6.1: TE in HTTP/1.0 means faulty framing; with Content-Length, smuggling.
    if (!http11) return error::transfer_encoding_http10;
    if (facts_.content_length_seen) return error::content_length_and_transfer_encoding;
    // RFC 9112 §6.3 rule 4: chunked not final → 400; §6.1: unknown codings → 501.
    if (facts_.te_bad || !facts_.te_chunked_last) return error::bad_transfer_encoding;
    if (facts_.te_other) return error::unsupported_transfer_encoding;
    head_.framing = body_framing::chunked;
  } else if (facts_.content_length_seen) {
    head_.framing = body_framing::length;
    if (limits_.max_body_bytes != 0 && head_.content_length > limits_.max_body_bytes) {
      return error::body_too_large;
    }
  }
  // RFC 9112 §9.3 persistence; RFC 9110 §10.1.1 and §7.8 ignore Expect and Upgrade in 1.0.
  head_.keep_alive = !facts_.close && (http11 || facts_.keep_alive);
  head_.expect_continue = http11 && facts_.expect_continue;
  head_.upgrade = http11 && facts_.upgrade_option && facts_.upgrade_field;
  return error::none;
}

error parser::decide_response_framing() {
  const bool http11 = head_.version_minor >= 1;
  const uint16_t s = head_.status;
  head_.keep_alive = !facts_.close && (http11 || facts_.keep_alive);
  // RFC 9112 §6.3 rules 1 and 2, in that order.
  if (s == 101) {
    if (!expected_upgrade_) return error::unexpected_response;
    head_.framing = body_framing::tunnel;
    head_.upgrade = true;
    return error::none;
  }
  if (expected_method_ == http::method::connect && s >= 200 && s < 300) {
    head_.framing = body_framing::tunnel;
    return error::none;
  }
  if (expected_method_ == http::method::head || s < 200 || s == 204 || s == 304) {
    return error::none;
  }
  if (facts_.transfer_encoding_seen) {
    if (!http11) return error::transfer_encoding_http10;
    if (facts_.content_length_seen) return error::content_length_and_transfer_encoding;
    // Rule 4 would read a non-chunked coding until close; refused to keep framing certain.
    if (facts_.te_bad || !facts_.te_chunked_last) return error::bad_transfer_encoding;
    head_.framing = body_framing::chunked;
  } else if (facts_.content_length_seen) {
    head_.framing = body_framing::length;
    if (limits_.max_body_bytes != 0 && head_.content_length > limits_.max_body_bytes) {
      return error::body_too_large;
    }
  } else {
    head_.framing = body_framing::until_close;  // rule 8
    head_.keep_alive = false;
  }
  return error::none;
}

}  // namespace ravelin::http
