// HTTP/1.1 client: N connections, closed loop (each sends its next request when the last
// response is complete) or open loop at a fixed rate (latency from the intended send time,
// so a stalled server is not hidden: no coordinated omission). Keep-alive or one request per
// connection. Responses are framed by Content-Length (or end at close); anything else is a
// bad_response.
#include <algorithm>
#include <cstring>

#include "loadgen.h"

namespace ravelin::bench {
namespace {

using tcpstack::close_reason;
using tcpstack::conn_id;
using tcpstack::rx_view;

constexpr uint32_t k_header_max = 4096;  // bytes of a response header block we keep

bool starts_with_nocase(const char* p, const char* end, const char* lit) {
  for (; *lit != 0; ++p, ++lit) {
    if (p == end || (*p | 0x20) != *lit) return false;
  }
  return true;
}

uint64_t parse_decimal(const char* p, const char* end) {
  while (p != end && (*p == ' ' || *p == '\t')) ++p;
  uint64_t v = 0;
  for (; p != end && *p >= '0' && *p <= '9'; ++p) v = v * 10 + static_cast<uint64_t>(*p - '0');
  return v;
}

class http_client final : public role {
 public:
  http_client(tcpstack::tcp_endpoint& tcp, const options& opt, measurement& m,
              const uint64_t& now_ns)
      : role(tcp, opt, m, now_ns) {}

  bool start() override {
    std::string host = opt_.host;
    if (host.empty()) {
      const uint32_t a = opt_.target_ip;
      host = std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
             std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
      if (opt_.target_port != 80) host += ":" + std::to_string(opt_.target_port);
    }
    request_ = (opt_.body_bytes != 0 ? "POST " : "GET ") + opt_.path +
               " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: ravelin-loadgen\r\n";
    for (const auto& h : opt_.headers) request_ += h + "\r\n";
    if (opt_.body_bytes != 0) {
      request_ += "Content-Type: application/octet-stream\r\nContent-Length: " +
                  std::to_string(opt_.body_bytes) + "\r\n";
    }
    if (opt_.new_connection) request_ += "Connection: close\r\n";
    request_ += "\r\n";
    request_.append(opt_.body_bytes, 'x');
    slots_.resize(opt_.connections);
    headers_.resize(size_t{opt_.connections} * k_header_max);
    idle_.reserve(opt_.connections);
    unconnected_.reserve(opt_.connections);
    for (uint32_t i = opt_.connections; i-- > 0;) {
      slots_[i].in_unconnected = true;
      unconnected_.push_back(i);
    }
    interval_ns_ = opt_.rate > 0 ? 1e9 / opt_.rate : 0;
    next_due_ns_ = static_cast<double>(now_ns_);
    return true;
  }

  uint32_t tick() override {
    if (!running_) return 0;
    uint32_t work = 0;
    if (interval_ns_ == 0) {
      // Closed loop: every slot always has a request in flight or a connect under way.
      while (!unconnected_.empty() && connect(unconnected_.back(), now_ns_)) {
        unconnected_.pop_back();
        ++work;
      }
      return work;
    }
    // Open loop: one request per interval, at most a burst's worth per iteration.
    for (int burst = 0; burst < 32 && next_due_ns_ <= static_cast<double>(now_ns_); ++burst) {
      const auto due = static_cast<uint64_t>(next_due_ns_);
      next_due_ns_ += interval_ns_;
      ++work;
      while (!idle_.empty() && !usable(slots_[idle_.back()])) {
        slots_[idle_.back()].in_idle = false;
        idle_.pop_back();
      }
      if (!idle_.empty()) {
        slot& s = slots_[idle_.back()];
        idle_.pop_back();
        s.in_idle = false;
        send_request(s, due);
      } else if (!unconnected_.empty() && connect(unconnected_.back(), due)) {
        unconnected_.pop_back();
      } else {
        m_.error(error_kind::no_idle_connection);
      }
    }
    return work;
  }

  void stop() override {
    running_ = false;
    // Idle connections end with FIN; one with a request in flight with RST, since the
    // response would arrive after close() and be answered with RST anyway.
    for (auto& s : slots_) {
      if (s.c.valid()) {
        tcp_.set_opaque(s.c, nullptr);
        if (s.waiting) {
          tcp_.abort(s.c);
        } else {
          tcp_.close(s.c);
        }
        s.c = conn_id{};
      }
    }
  }

  void on_connected(conn_id c, void* opaque) override {
    if (opaque == nullptr) return;
    primed_ = true;
    ++m_.connections;
    slot& s = *static_cast<slot*>(opaque);
    s.c = c;
    send_request(s, s.due_ns);
  }

  void on_writable(conn_id, void* opaque) override {
    if (opaque != nullptr) push(*static_cast<slot*>(opaque));
  }

  void on_readable(conn_id c, void* opaque, rx_view) override {
    if (opaque == nullptr) {
      tcp_.consume(c, UINT32_MAX);
      return;
    }
    read_response(*static_cast<slot*>(opaque));
  }

  void on_peer_closed(conn_id, void* opaque) override {
    if (opaque == nullptr) return;
    slot& s = *static_cast<slot*>(opaque);
    if (s.waiting && s.until_close) {
      s.waiting = false;
      complete(s, false);
    } else if (s.waiting) {
      m_.error(error_kind::closed_early);
    }
    drop(s);
  }

  void on_closed(conn_id, void* opaque, close_reason reason) override {
    if (opaque == nullptr) return;
    count_close(m_, reason);
    probing_ = primed_;  // a failed first connect may be retried
    slot& s = *static_cast<slot*>(opaque);
    s.c = conn_id{};
    s.waiting = false;
    recycle(s);
  }

 private:
  struct slot {
    conn_id c;
    uint64_t due_ns = 0;  // latency origin of the request in flight
    uint32_t sent = 0;    // bytes of request_ queued so far
    uint32_t header_len = 0;
    uint64_t body_left = 0;
    uint16_t status = 0;
    bool waiting = false;  // a request is in flight
    bool in_body = false;
    bool until_close = false;  // no Content-Length: the body ends with the connection
    bool server_closes = false;
    bool in_idle = false;         // listed in idle_
    bool in_unconnected = false;  // listed in unconnected_
  };

  static bool usable(const slot& s) { return s.c.valid() && !s.waiting; }

  uint32_t index_of(const slot& s) const { return static_cast<uint32_t>(&s - slots_.data()); }
  char* header_of(const slot& s) { return headers_.data() + size_t{index_of(s)} * k_header_max; }

  bool connect(uint32_t i, uint64_t due_ns) {
    // One connection first: the stack holds a single packet per unresolved neighbour, so
    // a burst of SYNs before ARP completes would lose all but one.
    if (!primed_ && probing_) return false;
    slot& s = slots_[i];
    const bool listed_idle = s.in_idle;  // a stale entry may still be in idle_
    s = slot{};
    s.in_idle = listed_idle;
    s.due_ns = due_ns;
    const conn_id c = tcp_.connect(opt_.target_ip, opt_.target_port, this, &s);
    if (!c.valid()) {
      m_.error(error_kind::connect_failed);
      return false;
    }
    s.c = c;
    s.in_unconnected = false;
    probing_ = true;
    return true;
  }

  void send_request(slot& s, uint64_t due_ns) {
    s.due_ns = due_ns;
    s.sent = 0;
    s.header_len = 0;
    s.in_body = s.until_close = s.server_closes = false;
    s.waiting = true;
    push(s);
  }

  void push(slot& s) {
    if (!s.waiting || s.sent == request_.size()) return;
    const uint32_t n = tcp_.send_copy(s.c, request_.data() + s.sent,
                                      static_cast<uint32_t>(request_.size() - s.sent));
    s.sent += n;
    m_.bytes_tx += n;
  }

  void read_response(slot& s) {
    for (;;) {
      const rx_view v = tcp_.readable(s.c);
      if (v.length == 0) return;
      if (!s.waiting) {  // bytes nobody asked for
        m_.error(error_kind::bad_response);
        drop(s);
        return;
      }
      if (!s.in_body) {
        // Copy what may still be header, find its end, give back what follows it.
        char* h = header_of(s);
        const uint32_t old = s.header_len;
        const uint32_t n = v.copy_to(h + old, k_header_max - old);
        const uint32_t from = old > 3 ? old - 3 : 0;
        const char* end = nullptr;
        for (uint32_t i = from; i + 4 <= old + n; ++i) {
          if (std::memcmp(h + i, "\r\n\r\n", 4) == 0) {
            end = h + i + 4;
            break;
          }
        }
        if (end == nullptr) {
          s.header_len = old + n;
          tcp_.consume(s.c, n);
          m_.bytes_rx += n;
          if (s.header_len == k_header_max) {
            m_.error(error_kind::header_too_large);
            drop(s);
            return;
          }
          continue;
        }
        s.header_len = static_cast<uint32_t>(end - h);
        tcp_.consume(s.c, s.header_len - old);
        m_.bytes_rx += s.header_len - old;
        if (!parse_header(s, h, end)) {
          m_.error(error_kind::bad_response);
          drop(s);
          return;
        }
        s.in_body = true;
      } else {
        const uint32_t n = s.until_close
                               ? v.length
                               : static_cast<uint32_t>(std::min<uint64_t>(v.length, s.body_left));
        tcp_.consume(s.c, n);
        m_.bytes_rx += n;
        if (!s.until_close) s.body_left -= n;
      }
      if (s.in_body && !s.until_close && s.body_left == 0) {
        s.waiting = false;
        complete(s, true);
        if (!s.c.valid() || s.waiting == false) return;
      }
    }
  }

  // Status line and the two fields that frame the body. False: not HTTP/1.x, or chunked.
  bool parse_header(slot& s, const char* h, const char* end) {
    if (end - h < 12 || std::memcmp(h, "HTTP/1.", 7) != 0) return false;
    s.status = static_cast<uint16_t>(parse_decimal(h + 8, h + 12));
    bool has_length = false;
    for (const char* line = h; line < end;) {
      const char* eol = static_cast<const char*>(std::memchr(line, '\n', end - line));
      if (eol == nullptr) break;
      const char* next = eol + 1;
      if (starts_with_nocase(next, end, "content-length:")) {
        s.body_left = parse_decimal(next + 15, end);
        has_length = true;
      } else if (starts_with_nocase(next, end, "transfer-encoding:")) {
        return false;
      } else if (starts_with_nocase(next, end, "connection:")) {
        const char* p = next + 11;
        while (p < end && *p == ' ') ++p;
        s.server_closes = starts_with_nocase(p, end, "close");
      }
      line = next;
    }
    const bool no_body = s.status / 100 == 1 || s.status == 204 || s.status == 304;
    if (no_body) s.body_left = 0;
    s.until_close = !has_length && !no_body;
    return true;
  }

  // A response is complete: count it and start what follows.
  void complete(slot& s, bool connection_usable) {
    const uint16_t cls = s.status / 100;
    if (cls == 2) {
      ++m_.completed;
      m_.latency_ns.record(now_ns_ - s.due_ns);
    } else if (cls == 4) {
      m_.error(error_kind::status_4xx);
    } else if (cls == 5) {
      m_.error(error_kind::status_5xx);
    } else {
      m_.error(error_kind::status_3xx);
    }
    if (!connection_usable || opt_.new_connection || s.server_closes) {
      drop(s);
      return;
    }
    if (!running_) return;
    if (interval_ns_ == 0) {
      send_request(s, now_ns_);
    } else if (!s.in_idle) {
      s.in_idle = true;
      idle_.push_back(index_of(s));
    }
  }

  // Closes the slot's connection (its later events carry no slot) and frees the slot.
  void drop(slot& s) {
    if (s.c.valid()) {
      tcp_.set_opaque(s.c, nullptr);
      tcp_.close(s.c);
      s.c = conn_id{};
    }
    s.waiting = false;
    recycle(s);
  }

  // Lists the slot for a new connection, once: both lists stay within their reserved N.
  void recycle(slot& s) {
    if (s.in_unconnected) return;
    s.in_unconnected = true;
    unconnected_.push_back(index_of(s));
  }

  bool running_ = true;
  bool primed_ = false;   // a connection has been established (ARP resolved)
  bool probing_ = false;  // the first connection is under way
  std::string request_;
  std::vector<slot> slots_;
  std::vector<char> headers_;          // k_header_max bytes per slot
  std::vector<uint32_t> idle_;         // open loop: connected, no request in flight
  std::vector<uint32_t> unconnected_;  // to connect; capacity reserved
  double interval_ns_ = 0;
  double next_due_ns_ = 0;
};

}  // namespace

std::unique_ptr<role> make_http_client(tcpstack::tcp_endpoint& tcp, const options& opt,
                                       measurement& m, const uint64_t& now_ns) {
  return std::make_unique<http_client>(tcp, opt, m, now_ns);
}

}  // namespace ravelin::bench
