// Path normalization before routing and upstream path joining after it (kong.md §2.2, §2.5).
#include "ravelin/router/path.h"

#include <cstring>

#include "common/text_writer.h"

namespace ravelin::router {

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

// RFC 3986 §2.2 reserved characters plus '%' itself, as kong.tools.uri lists them: their
// encodings keep their meaning and are not decoded.
bool is_reserved(unsigned char c) {
  return c != 0 && std::strchr("!*'();:@&=+$,/?%#[]", c) != nullptr;
}

size_t decode_in_place(char* b, size_t n) {
  size_t w = 0;
  for (size_t r = 0; r < n;) {
    if (b[r] == '%' && r + 2 < n && hex_digit(b[r + 1]) >= 0 && hex_digit(b[r + 2]) >= 0) {
      const auto v = static_cast<unsigned char>(hex_digit(b[r + 1]) * 16 + hex_digit(b[r + 2]));
      if (is_reserved(v)) {
        b[w++] = '%';
        b[w++] = upper(b[r + 1]);
        b[w++] = upper(b[r + 2]);
      } else {
        b[w++] = static_cast<char>(v);
      }
      r += 3;
    } else {
      b[w++] = b[r++];
    }
  }
  return w;
}

// Drops the last output segment (each one starts with '/', except a leading relative one).
size_t pop_segment(const char* b, size_t w) {
  while (w > 0) {
    if (b[--w] == '/') return w;
  }
  return 0;
}

// RFC 3986 §5.2.4 remove_dot_segments with Kong's extra "//" → "/" step, in Kong's order of
// checks (kong/tools/uri.lua normalize). Output never overtakes input, so it runs in place.
size_t remove_dots_in_place(char* b, size_t n) {
  size_t r = 0;
  size_t w = 0;
  while (r < n) {
    const std::string_view rem(b + r, n - r);
    if (rem == "/.") {
      b[w++] = '/';
      r = n;
    } else if (rem == "/..") {
      w = pop_segment(b, w);
      b[w++] = '/';
      r = n;
    } else if (rem == "." || rem == "..") {
      r = n;
    } else if (rem.starts_with("../")) {
      r += 3;
    } else if (rem.starts_with("./")) {
      r += 2;
    } else if (rem.starts_with("/./")) {
      r += 2;
    } else if (rem.starts_with("/../")) {
      r += 3;
      w = pop_segment(b, w);
    } else if (rem.starts_with("//")) {
      r += 1;
    } else {
      const size_t slash = rem.find('/', 1);
      const size_t len = slash == std::string_view::npos ? rem.size() : slash;
      std::memmove(b + w, b + r, len);
      w += len;
      r += len;
    }
  }
  return w;
}

// kong/router/utils.lua sanitize_uri_postfix.
std::string_view sanitize_postfix(std::string_view p) {
  if (p == "." || p == "..") return {};
  if (p.starts_with("./")) return p.substr(2);
  if (p.starts_with("../")) return p.substr(3);
  return p;
}

// kong/router/utils.lua get_upstream_uri (path_handling v0).
void join_v0(ravelin::detail::text_writer& w, std::string_view base, std::string_view postfix,
             std::string_view req, bool strip) {
  const bool req_slash_end = !req.empty() && req.back() == '/';
  if (base.ends_with('/')) {
    if (!strip) {
      w.put_escaped(base);
      w.put_escaped(req.empty() ? req : req.substr(1));
    } else if (postfix.empty()) {
      w.put_escaped(base == "/" || req_slash_end ? base : base.substr(0, base.size() - 1));
    } else if (postfix.front() == '/') {
      w.put_escaped(base.substr(0, base.size() - 1));
      w.put_escaped(postfix);
    } else {
      w.put_escaped(base);
      w.put_escaped(postfix);
    }
    return;
  }
  w.put_escaped(base);
  if (!strip) {
    if (req != "/") w.put_escaped(req);
  } else if (postfix.empty()) {
    if (req.size() > 1 && req_slash_end) w.put('/');
  } else {
    if (postfix.front() != '/') w.put('/');
    w.put_escaped(postfix);
  }
}

// kong/router/traditional.lua, path_handling v1: the service path is a raw prefix.
void join_v1(ravelin::detail::text_writer& w, std::string_view base, std::string_view postfix,
             std::string_view req, bool strip) {
  if (strip && base.ends_with('/') && postfix.starts_with('/')) {
    w.put_escaped(base.substr(0, base.size() - 1));
    w.put_escaped(postfix);
  } else {
    w.put_escaped(base);
    w.put_escaped(strip ? postfix : (req.empty() ? req : req.substr(1)));
  }
}

}  // namespace

std::optional<std::string_view> normalize_path(std::string_view raw,
                                               std::span<char> out) noexcept {
  if (out.size() < raw.size()) return std::nullopt;
  char* b = out.data();
  if (!raw.empty()) std::memmove(b, raw.data(), raw.size());
  size_t n = raw.size();
  if (raw.empty() || raw == "/") return std::string_view(b, n);
  if (std::memchr(b, '%', n) != nullptr) n = decode_in_place(b, n);
  const std::string_view s(b, n);
  if (s.find('.') == std::string_view::npos && s.find("//") == std::string_view::npos) return s;
  return std::string_view(b, remove_dots_in_place(b, n));
}

std::optional<size_t> write_upstream_path(const path_join& in, std::span<char> out) noexcept {
  // kong/router/atc.lua set_upstream_uri: without a stripped prefix the request keeps all but
  // its first "/".
  const std::string_view prefix = in.strip_path && !in.matched.empty() ? in.matched : "/";
  const std::string_view req = in.request_path;
  const std::string_view postfix =
      sanitize_postfix(prefix.size() < req.size() ? req.substr(prefix.size()) : std::string_view{});
  const std::string_view base = in.service_path.empty() ? "/" : in.service_path;
  ravelin::detail::text_writer w(out);
  if (in.handling == mgmt::path_handling_type::v1) {
    join_v1(w, base, postfix, req, in.strip_path);
  } else {
    join_v0(w, base, postfix, req, in.strip_path);
  }
  if (w.overflow()) return std::nullopt;
  return w.size();
}

}  // namespace ravelin::router
