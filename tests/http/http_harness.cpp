// Transcript rendering for the HTTP parser tests (http_harness.h).
#include "http_harness.h"

#include <cstdio>
#include <memory>
#include <span>

namespace ravelin::http::test {

namespace {

const char* framing_name(body_framing f) {
  switch (f) {
    case body_framing::none:
      return "none";
    case body_framing::length:
      return "length";
    case body_framing::chunked:
      return "chunked";
    case body_framing::until_close:
      return "close";
    case body_framing::tunnel:
      return "tunnel";
  }
  return "?";
}

void render_head(std::string& out, const message_head& h) {
  char num[64];
  if (h.status != 0) {
    std::snprintf(num, sizeof num, "%u", h.status);
    out += "head " + std::string(num) + " [" + std::string(h.reason) + "]";
  } else {
    out += "head " + std::string(h.method_token) + " " + std::string(h.target);
    std::snprintf(num, sizeof num, " m%d host=", static_cast<int>(h.method));
    out += num + std::string(h.host);
  }
  std::snprintf(num, sizeof num, " 1.%u %s cl=%llu ka=%d ec=%d up=%d\n", h.version_minor,
                framing_name(h.framing), static_cast<unsigned long long>(h.content_length),
                h.keep_alive, h.expect_continue, h.upgrade);
  out += num;
  for (const header_field& f : h.fields) {
    out += "  [" + std::string(f.name) + "][" + std::string(f.value) + "]\n";
  }
}

// Every view the parser hands out must lie inside what it was given.
class view_check {
 public:
  view_check(std::string& out, std::span<const char> scratch) : out_(out), scratch_(scratch) {}
  void fed(std::string_view seg) { fed_.push_back(seg); }
  void head(const message_head& h) {
    for (std::string_view v : {h.method_token, h.target, h.reason, h.host}) inside(v);
    fields(h.fields);
  }
  void fields(std::span<const header_field> fs) {
    for (const header_field& f : fs) {
      inside(f.name);
      inside(f.value);
    }
  }
  void data(std::string_view d, std::string_view seg) {
    if (d.data() < seg.data() || d.data() + d.size() > seg.data() + seg.size()) {
      out_ += "data outside the segment\n";
    }
  }

 private:
  void inside(std::string_view v) {
    if (v.empty()) return;
    auto within = [&](const char* b, std::size_t n) {
      return v.data() >= b && v.data() + v.size() <= b + n;
    };
    if (within(scratch_.data(), scratch_.size())) return;
    for (std::string_view s : fed_) {
      if (within(s.data(), s.size())) return;
    }
    out_ += "view outside the input and the scratch\n";
  }
  std::string& out_;
  std::span<const char> scratch_;
  std::vector<std::string_view> fed_;
};

// Appends consecutive data events of one kind into one line, however they were cut.
void add_data(std::string& out, std::string& pending, const char*& pending_kind, const char* kind,
              std::string_view data) {
  if (pending_kind != kind && pending_kind != nullptr) {
    out += std::string(pending_kind) + " [" + pending + "]\n";
    pending.clear();
  }
  pending_kind = kind;
  pending += data;
}

}  // namespace

std::string run(const std::vector<std::string_view>& segments, const harness_options& o,
                std::string* violations) {
  std::vector<header_field> table(o.table_size);
  const std::unique_ptr<char[]> scratch(new char[o.scratch_size]);  // not cleared: the parser
                                                                    // must not read unwritten
  parser p(o.role, o.limits, table, {scratch.get(), o.scratch_size});
  std::size_t next_request = 0;
  auto expect_next = [&] {
    if (next_request < o.requests.size()) {
      p.expect_response(o.requests[next_request++], o.upgrade_requested);
    }
  };
  if (o.role == role::response) expect_next();

  std::string out, pending;
  const char* pending_kind = nullptr;
  std::string ignored;
  std::string& bad = violations != nullptr ? *violations : ignored;
  view_check check(bad, {scratch.get(), o.scratch_size});
  std::string_view current;
  auto flush = [&] {
    if (pending_kind != nullptr) out += std::string(pending_kind) + " [" + pending + "]\n";
    pending.clear();
    pending_kind = nullptr;
  };
  // Returns false when the parser will say nothing more.
  auto handle = [&](const feed_result& r) {
    if (r.consumed > current.size()) bad += "consumed more than the segment\n";
    if (r.what == event::body || r.what == event::tunnel) {
      check.data(r.data, current);
      add_data(out, pending, pending_kind, r.what == event::body ? "body" : "tunnel", r.data);
      return true;
    }
    if (r.what == event::need_more) return true;
    flush();
    switch (r.what) {
      case event::head:
        check.head(p.head());
        render_head(out, p.head());
        break;
      case event::done:
        check.head(p.head());  // still valid: the next message has not started
        check.fields(p.trailers());
        out += "done";
        for (const header_field& f : p.trailers()) {
          out += " [" + std::string(f.name) + "][" + std::string(f.value) + "]";
        }
        out += "\n";
        if (o.role == role::response && p.head().status >= 200) expect_next();
        break;
      case event::paused:
        out += "paused\n";
        if (o.accept_upgrade) {
          p.start_tunnel();
        } else {
          p.resume();
        }
        break;
      case event::closed:
        out += "closed\n";
        return false;
      case event::error:
        out += "error " + std::string(info_of(p.last_error()).name) + "\n";
        return false;
      default:
        break;
    }
    return true;
  };
  for (std::string_view seg : segments) {
    check.fed(seg);
    for (;;) {
      current = seg;
      const feed_result r = p.feed(seg);
      seg.remove_prefix(r.consumed);
      if (!handle(r)) return out;
      if (r.what == event::need_more) break;
    }
  }
  current = {};
  for (;;) {
    const feed_result r = p.finish();
    if (!handle(r)) return out;
    if (r.what != event::done) return out;
  }
}

std::string run_cut(std::string_view input, const std::vector<std::size_t>& cuts,
                    const harness_options& o, std::string* violations) {
  std::vector<std::string_view> segments;
  std::size_t from = 0;
  for (std::size_t c : cuts) {
    segments.push_back(input.substr(from, c - from));
    from = c;
  }
  segments.push_back(input.substr(from));
  return run(segments, o, violations);
}

error error_of(std::string_view input, const harness_options& o) {
  std::vector<header_field> table(o.table_size);
  std::vector<char> scratch(o.scratch_size);
  parser p(o.role, o.limits, table, scratch);
  if (o.role == role::response) {
    p.expect_response(o.requests.empty() ? method::get : o.requests.front(), o.upgrade_requested);
  }
  for (;;) {
    const feed_result r = p.feed(input);
    input.remove_prefix(r.consumed);
    if (r.what == event::error) return p.last_error();
    if (r.what == event::need_more || r.what == event::closed) break;
    if (r.what == event::paused) p.resume();
  }
  const feed_result f = p.finish();
  return f.what == event::error ? p.last_error() : error::none;
}

}  // namespace ravelin::http::test
