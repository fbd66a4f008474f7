// The parser as a filter for the differential test (differential/http_diff.py). Reads
// records from stdin, each a header line and a message:
//   <request|response> <methods|-> <upgrade 0|1> <cut seed> <max_start_line> <max_head_bytes>
//   <max_fields> <max_chunk_line> <max_body_bytes> <length>\n<length bytes>
// feeds each message in segments cut at random (seeded) places and prints one JSON line per
// record with everything the parser reported. Bytes >= 0x80 print as \u00XX (latin-1).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ravelin/http/parser.h"

namespace {

namespace http = ravelin::http;

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string json_fields(std::span<const http::header_field> fields) {
  std::string out = "[";
  for (const http::header_field& f : fields) {
    if (out.size() > 1) out += ",";
    out += "[" + json_string(f.name) + "," + json_string(f.value) + "]";
  }
  return out + "]";
}

const char* framing_name(http::body_framing f) {
  constexpr const char* k_names[] = {"none", "length", "chunked", "until_close", "tunnel"};
  return k_names[static_cast<int>(f)];
}

http::method method_from(std::string_view m) {
  if (m == "HEAD") return http::method::head;
  if (m == "CONNECT") return http::method::connect;
  return http::method::get;  // only HEAD and CONNECT change response framing
}

struct record {
  bool response = false;
  std::vector<http::method> requests;
  bool upgrade = false;
  unsigned seed = 0;
  http::limits limits;
  std::string message;
};

// Everything reported for one record, as JSON.
class report {
 public:
  void head(const http::message_head& h) {
    close_message();
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "{\"status\":%u,\"version\":%u,\"framing\":\"%s\",\"content_length\":%llu,"
                  "\"keep_alive\":%s,\"expect_continue\":%s,\"upgrade\":%s,",
                  h.status, h.version_minor, framing_name(h.framing),
                  static_cast<unsigned long long>(h.content_length),
                  h.keep_alive ? "true" : "false", h.expect_continue ? "true" : "false",
                  h.upgrade ? "true" : "false");
    message_ = buf;
    message_ += "\"method\":" + json_string(h.method_token) +
                ",\"target\":" + json_string(h.target) + ",\"reason\":" + json_string(h.reason) +
                ",\"fields\":" + json_fields(h.fields);
    body_.clear();
  }
  void body(std::string_view d) { body_ += d; }
  void tunnel(std::string_view d) { tunnel_ += d; }
  void done(std::span<const http::header_field> trailers) {
    message_ += ",\"body\":" + json_string(body_) + ",\"trailers\":" + json_fields(trailers) +
                ",\"done\":true}";
    close_message();
  }
  std::string finish(const char* end, http::error e) {
    close_message();
    return "{\"messages\":[" + messages_ + "],\"tunnel\":" + json_string(tunnel_) + ",\"end\":\"" +
           end + "\",\"error\":\"" + http::info_of(e).name +
           "\",\"status\":" + std::to_string(http::status_of(e)) + "}";
  }

 private:
  void close_message() {
    if (message_.empty()) return;
    if (message_.back() != '}') {
      message_ += ",\"body\":" + json_string(body_) + ",\"trailers\":[],\"done\":false}";
    }
    messages_ += (messages_.empty() ? "" : ",") + message_;
    message_.clear();
  }
  std::string messages_, message_, body_, tunnel_;
};

std::string run(const record& r) {
  std::vector<http::header_field> table(256);
  const std::size_t scratch_size = 2 * std::size_t{r.limits.max_head_bytes};
  const std::unique_ptr<char[]> scratch(new char[scratch_size]);
  http::parser p(r.response ? http::role::response : http::role::request, r.limits, table,
                 {scratch.get(), scratch_size});
  std::size_t next = 0;
  auto expect_next = [&] {
    if (next < r.requests.size()) p.expect_response(r.requests[next++], r.upgrade);
  };
  if (r.response) expect_next();
  report out;
  // Returns the end word once the parser will report nothing more.
  auto handle = [&](const http::feed_result& f) -> const char* {
    switch (f.what) {
      case http::event::head:
        out.head(p.head());
        break;
      case http::event::body:
        out.body(f.data);
        break;
      case http::event::tunnel:
        out.tunnel(f.data);
        break;
      case http::event::done:
        out.done(p.trailers());
        if (r.response && p.head().status >= 200) expect_next();
        break;
      case http::event::paused:
        p.start_tunnel();
        break;
      case http::event::closed:
        return "closed";
      case http::event::error:
        return "error";
      case http::event::need_more:
        break;
    }
    return nullptr;
  };
  std::mt19937 rng(r.seed);
  std::string_view rest = r.message;
  while (!rest.empty()) {
    std::string_view seg = rest.substr(0, 1 + rng() % (r.seed % 3 == 0 ? rest.size() : 16));
    rest.remove_prefix(seg.size());
    for (;;) {
      const http::feed_result f = p.feed(seg);
      seg.remove_prefix(f.consumed);
      if (const char* end = handle(f)) return out.finish(end, p.last_error());
      if (f.what == http::event::need_more) break;
    }
  }
  for (;;) {
    const http::feed_result f = p.finish();
    if (const char* end = handle(f)) return out.finish(end, p.last_error());
  }
}

bool read_record(std::istream& in, record& r) {
  std::string line;
  if (!std::getline(in, line)) return false;
  std::istringstream h(line);
  std::string role, methods;
  unsigned long long max_body = 0;
  std::size_t length = 0;
  h >> role >> methods >> r.upgrade >> r.seed >> r.limits.max_start_line >>
      r.limits.max_head_bytes >> r.limits.max_fields >> r.limits.max_chunk_line >> max_body >>
      length;
  r.limits.max_body_bytes = max_body;
  r.response = role == "response";
  r.requests.clear();
  std::istringstream m(methods);
  for (std::string one; std::getline(m, one, ',');) {
    if (one != "-") r.requests.push_back(method_from(one));
  }
  r.message.assign(length, '\0');
  return static_cast<bool>(in.read(r.message.data(), static_cast<std::streamsize>(length)));
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  record r;
  while (read_record(std::cin, r)) std::cout << run(r) << '\n';
  return 0;
}
