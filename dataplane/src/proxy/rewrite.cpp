// Head rewriting for both hops and the gateway's own answers (rewrite.h).
#include "rewrite.h"

#include <charconv>
#include <cstring>

namespace ravelin::dataplane::proxy {
namespace {

using http::header_field;

// Appends to a fixed buffer and hands out views of what each call wrote.
class composer {
 public:
  explicit composer(std::span<char> buf) : buf_(buf) {}
  std::string_view begin() {
    start_ = used_;
    return {};
  }
  void put(std::string_view s) {
    if (buf_.size() - used_ < s.size()) {
      overflow_ = true;
      return;
    }
    std::memcpy(buf_.data() + used_, s.data(), s.size());
    used_ += s.size();
  }
  void put_uint(uint64_t v) {
    char d[24];
    const auto end = std::to_chars(d, d + sizeof d, v).ptr;
    put({d, static_cast<size_t>(end - d)});
  }
  std::string_view view() const { return {buf_.data() + start_, used_ - start_}; }
  bool overflow() const { return overflow_; }

 private:
  std::span<char> buf_;
  size_t used_ = 0;
  size_t start_ = 0;
  bool overflow_ = false;
};

// Host without its port, as nginx's $host (X-Forwarded-Host in Kong without trusted_ips).
std::string_view host_without_port(std::string_view host) {
  if (host.starts_with('[')) {
    const size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

// RFC 9110 §7.6.3: each proxy appends its own entry to Via.
std::string_view append_via(composer& c, std::span<const header_field> fields) {
  c.begin();
  for (const header_field& f : fields) {
    if (!http::iequals(f.name, "via")) continue;
    c.put(f.value);
    c.put(", ");
  }
  c.put(k_via);
  return c.view();
}

const char* reason_of(uint16_t status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 426:
      return "Upgrade Required";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

}  // namespace

http::write_result write_upstream_request(std::span<char> out, const http::message_head& req,
                                          std::string_view upstream_target, const forward_facts& f,
                                          std::span<char> scratch) {
  // Fields Kong sets itself (kong/templates/nginx_kong.lua proxy_set_header), so the
  // client's own values never reach the upstream as if Kong had vouched for them.
  static constexpr std::string_view k_replaced[] = {"host",
                                                    "x-forwarded-for",
                                                    "x-forwarded-proto",
                                                    "x-forwarded-host",
                                                    "x-forwarded-port",
                                                    "x-forwarded-path",
                                                    "x-forwarded-prefix",
                                                    "x-real-ip",
                                                    "via"};
  composer c(scratch);
  char ip_text[16];
  const std::string_view ip = format_ipv4(f.client_ip, ip_text);

  // X-Forwarded-For: the client's list, then the address this hop saw (Kong's
  // upstream_x_forwarded_for = $http_x_forwarded_for, $realip_remote_addr).
  c.begin();
  for (const header_field& h : req.fields) {
    if (!http::iequals(h.name, "x-forwarded-for")) continue;
    c.put(h.value);
    c.put(", ");
  }
  c.put(ip);
  const std::string_view xff = c.view();
  c.begin();
  c.put_uint(f.listen_port);
  const std::string_view port = c.view();
  const std::string_view via = append_via(c, req.fields);
  c.begin();
  c.put(f.upgrade ? "upgrade" : "keep-alive");
  const std::string_view connection = c.view();
  if (c.overflow()) return {http::write_status::no_space, 0};

  header_field add[12];
  size_t n = 0;
  add[n++] = {"Host", f.host};
  add[n++] = {"Connection", connection};
  if (f.upgrade) {
    const header_field* up = http::find_field(req.fields, "upgrade");
    if (up != nullptr) add[n++] = {"Upgrade", up->value};
  }
  // The body passes through as received, so its framing is restated (Transfer-Encoding is
  // hop-by-hop and the serializer drops it; RFC 9112 §6.1).
  if (req.framing == http::body_framing::chunked) add[n++] = {"Transfer-Encoding", "chunked"};
  add[n++] = {"X-Forwarded-For", xff};
  add[n++] = {"X-Forwarded-Proto", "http"};
  add[n++] = {"X-Forwarded-Host", host_without_port(req.host)};
  add[n++] = {"X-Forwarded-Port", port};
  add[n++] = {"X-Forwarded-Path", f.request_path};
  if (!f.strip_prefix.empty()) add[n++] = {"X-Forwarded-Prefix", f.strip_prefix};
  add[n++] = {"X-Real-IP", ip};
  add[n++] = {"Via", via};
  const http::head_edit edit{k_replaced, std::span<const header_field>(add, n)};
  return http::write_request_head(out, req.method_token, upstream_target, req.fields, edit);
}

http::write_result write_client_response(std::span<char> out, const http::message_head& resp,
                                         bool close_client, std::span<char> scratch, bool decoded) {
  static constexpr std::string_view k_replaced[] = {"via"};
  composer c(scratch);
  const std::string_view via = append_via(c, resp.fields);
  if (c.overflow()) return {http::write_status::no_space, 0};
  header_field add[4];
  size_t n = 0;
  if (resp.status == 101) {
    // RFC 9110 §15.2.2: a 101 names the protocol switched to.
    const header_field* up = http::find_field(resp.fields, "upgrade");
    add[n++] = {"Connection", "upgrade"};
    if (up != nullptr) add[n++] = {"Upgrade", up->value};
  } else {
    add[n++] = {"Connection", close_client ? "close" : "keep-alive"};
    if (resp.framing == http::body_framing::chunked && !decoded) {
      add[n++] = {"Transfer-Encoding", "chunked"};
    }
  }
  add[n++] = {"Via", via};
  const http::head_edit edit{k_replaced, std::span<const header_field>(add, n)};
  return http::write_response_head(out, resp.status, resp.reason, resp.fields, edit);
}

http::write_result write_error(std::span<char> out, uint16_t status, std::string_view body,
                               bool close_client) {
  composer c(out);
  c.put("HTTP/1.1 ");
  c.put_uint(status);
  c.put(" ");
  c.put(reason_of(status));
  c.put("\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ");
  c.put_uint(body.size() + 1);
  c.put(close_client ? "\r\nConnection: close" : "\r\nConnection: keep-alive");
  c.put("\r\nServer: ravelin\r\n\r\n");
  c.put(body);
  c.put("\n");
  if (c.overflow()) return {http::write_status::no_space, 0};
  return {http::write_status::ok, c.view().size()};
}

std::string_view format_ipv4(uint32_t ip, std::span<char> out) {
  composer c(out);
  for (int shift = 24; shift >= 0; shift -= 8) {
    c.put_uint((ip >> shift) & 0xff);
    if (shift != 0) c.put(".");
  }
  return c.overflow() ? std::string_view{} : c.view();
}

bool parse_ipv4(std::string_view text, uint32_t& ip) {
  uint32_t value = 0;
  int parts = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (parts < 4) {
    unsigned octet = 0;
    const auto r = std::from_chars(p, end, octet);
    if (r.ec != std::errc{} || r.ptr == p || r.ptr - p > 3 || octet > 255) return false;
    value = value << 8 | octet;
    ++parts;
    p = r.ptr;
    if (parts < 4) {
      if (p == end || *p != '.') return false;
      ++p;
    }
  }
  if (p != end) return false;
  ip = value;
  return true;
}

}  // namespace ravelin::dataplane::proxy
