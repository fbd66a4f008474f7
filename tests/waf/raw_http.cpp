// Raw request parsing for tests (RFC 9112 §3 request line, §5 fields, §6 body framing).
#include "raw_http.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ravelin::waf::test {

namespace {
bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string dechunk(std::string_view b) {
  std::string out;
  size_t i = 0;
  while (i < b.size()) {
    const size_t e = b.find("\r\n", i);
    if (e == std::string_view::npos) break;
    const size_t n = std::strtoul(std::string(b.substr(i, e - i)).c_str(), nullptr, 16);
    if (n == 0) break;
    out.append(b.substr(e + 2, n));
    i = e + 2 + n + 2;
  }
  return out;
}
}  // namespace

std::string base64_decode(std::string_view in) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (const char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else continue;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

void parse_raw_request(std::string raw, owned_request& out) {
  out.raw = std::move(raw);
  out.headers.clear();
  out.body.clear();
  out.req = {};
  const std::string_view r = out.raw;
  size_t head_end = r.find("\r\n\r\n");
  size_t sep = 4;
  if (head_end == std::string_view::npos) {
    head_end = r.find("\n\n");
    sep = 2;
  }
  const std::string_view head = r.substr(0, head_end == std::string_view::npos ? r.size() : head_end);
  const std::string_view rest = head_end == std::string_view::npos ? std::string_view() : r.substr(head_end + sep);
  size_t le = head.find('\n');
  std::string_view line = head.substr(0, le);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t s1 = line.find(' ');
  const size_t s2 = line.rfind(' ');
  out.ok = s1 != std::string_view::npos;
  if (!out.ok) return;
  out.req.method = line.substr(0, s1);
  if (s2 > s1) {
    out.req.uri = line.substr(s1 + 1, s2 - s1 - 1);
    out.req.protocol = line.substr(s2 + 1);
  } else {
    out.req.uri = line.substr(s1 + 1);
    out.req.protocol = "HTTP/0.9";
  }
  size_t i = le == std::string_view::npos ? head.size() : le + 1;
  bool chunked = false;
  long content_length = -1;
  while (i < head.size()) {
    size_t e = head.find('\n', i);
    if (e == std::string_view::npos) e = head.size();
    std::string_view h = head.substr(i, e - i);
    i = e + 1;
    if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = h.substr(0, colon), value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    out.headers.push_back({name, value});
    if (ieq(name, "transfer-encoding") && value.find("chunked") != std::string_view::npos) chunked = true;
    if (ieq(name, "content-length")) content_length = std::strtol(std::string(value).c_str(), nullptr, 10);
  }
  if (chunked) {
    // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length, which a proxy removes.
    std::erase_if(out.headers, [](const http_header& h) { return ieq(h.name, "content-length"); });
    out.body = dechunk(rest);
  }
  else if (content_length >= 0) out.body = std::string(rest.substr(0, static_cast<size_t>(content_length)));
  else out.body = std::string(rest);
  out.req.headers = out.headers;
  out.req.body = out.body;
  out.req.remote_addr = "198.18.0.2";
  out.req.remote_port = 40000;
  out.req.server_addr = "198.18.0.1";
  out.req.server_port = 80;
}

std::vector<crs_case> read_crs_cases(const char* path) {
  std::ifstream in(path);
  std::vector<crs_case> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string part;
    while (std::getline(ss, part, '\t')) f.push_back(part);
    f.resize(5);
    out.push_back({f[0], base64_decode(f[1]), f[2], f[3]});
  }
  return out;
}

std::vector<std::string> read_request_blocks(const char* path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line, cur;
  auto flush = [&] {
    if (cur.empty()) return;
    // Fill in Content-Length for a body, as a client would.
    const size_t split = cur.find("\r\n\r\n");
    if (split != std::string::npos && split + 4 < cur.size()) {
      std::string body = cur.substr(split + 4);
      while (body.size() >= 2 && body.compare(body.size() - 2, 2, "\r\n") == 0)
        body.resize(body.size() - 2);
      cur = cur.substr(0, split) + "\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
    } else if (split == std::string::npos) {
      cur += "\r\n";
    }
    out.push_back(cur);
    cur.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#' && cur.empty()) continue;
    if (line == "=====") {
      flush();
      continue;
    }
    cur += line + "\r\n";
  }
  flush();
  return out;
}

}  // namespace ravelin::waf::test
