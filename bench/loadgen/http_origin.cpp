// HTTP/1.1 origin: answers every request with the same 200 carrying `response_bytes` of
// body, after `delay_us` when set. Requests are framed by their Content-Length (a body is
// read and dropped); pipelined requests are answered in order. Per-connection state lives
// in a table indexed by the connection's slot, sized to the stack's connection pool.
#include <cstring>

#include "loadgen.h"

namespace ravelin::bench {
namespace {

using tcpstack::close_reason;
using tcpstack::conn_id;
using tcpstack::rx_view;

constexpr char k_terminator[] = "\r\n\r\n";
constexpr char k_length_field[] = "\ncontent-length:";  // matched lower-cased
constexpr uint32_t k_length_field_len = sizeof(k_length_field) - 1;

class http_origin final : public role {
 public:
  http_origin(tcpstack::tcp_endpoint& tcp, const options& opt, measurement& m,
              const uint64_t& now_ns)
      : role(tcp, opt, m, now_ns) {}

  bool start() override {
    response_ =
        "HTTP/1.1 200 OK\r\nServer: ravelin-loadgen\r\nContent-Type: text/plain\r\n"
        "Content-Length: " +
        std::to_string(opt_.response_bytes) + "\r\n\r\n";
    response_.append(opt_.response_bytes, 'o');
    conns_.resize(opt_.max_connections);
    delayed_.resize(opt_.max_connections);
    if (!tcp_.listen(opt_.listen_port, this, nullptr, 4096)) {
      std::fprintf(stderr, "loadgen: cannot listen on port %u\n", opt_.listen_port);
      return false;
    }
    return true;
  }

  uint32_t tick() override {
    uint32_t work = 0;
    const uint64_t delay_ns = opt_.delay_us * 1000;
    // The delay is the same for all, so the queue is in due order.
    while (delayed_count_ != 0) {
      const pending& p = delayed_[delayed_head_];
      if (p.queued_ns + delay_ns > now_ns_) break;
      if (conn_state* s = state_of(p.c)) {
        ++s->responses_due;
        pump(p.c, *s);
      }
      delayed_head_ = (delayed_head_ + 1) % delayed_.size();
      --delayed_count_;
      ++work;
    }
    return work;
  }

  void stop() override { tcp_.unlisten(opt_.listen_port); }

  void on_accepted(conn_id c, void*) override {
    if (c.index >= conns_.size()) {
      tcp_.abort(c);
      return;
    }
    conns_[c.index] = conn_state{};
    conns_[c.index].generation = c.generation;
    ++m_.connections;
  }

  void on_readable(conn_id c, void*, rx_view data) override {
    conn_state* s = state_of(c);
    if (s == nullptr) {
      tcp_.consume(c, data.length);
      return;
    }
    uint32_t requests = 0;
    data.for_each([&](const uint8_t* p, uint32_t len) { requests += scan(*s, p, len); });
    tcp_.consume(c, data.length);
    m_.bytes_rx += data.length;
    if (requests == 0) return;
    if (opt_.delay_us == 0) {
      s->responses_due += requests;
      pump(c, *s);
      return;
    }
    for (uint32_t i = 0; i < requests; ++i) {
      if (delayed_count_ == delayed_.size()) {
        m_.error(error_kind::delay_queue_full);
        ++s->responses_due;
        continue;
      }
      delayed_[(delayed_head_ + delayed_count_) % delayed_.size()] = {c, now_ns_};
      ++delayed_count_;
    }
    pump(c, *s);
  }

  void on_writable(conn_id c, void*) override {
    if (conn_state* s = state_of(c)) pump(c, *s);
  }

  void on_peer_closed(conn_id c, void*) override { tcp_.close(c); }

  void on_closed(conn_id c, void*, close_reason reason) override {
    if (state_of(c) != nullptr) conns_[c.index].generation = UINT32_MAX;
    if (reason != close_reason::normal) count_close(m_, reason);
  }

 private:
  struct conn_state {
    uint32_t generation = UINT32_MAX;  // of the connection that owns the entry
    uint32_t responses_due = 0;        // requests complete and not yet answered in full
    uint32_t response_sent = 0;        // bytes of the response being sent
    uint64_t body_left = 0;            // request body bytes still to skip
    uint64_t content_length = 0;
    uint8_t terminator = 0;  // bytes of "\r\n\r\n" matched
    uint8_t field = 0;       // bytes of "\ncontent-length:" matched
    bool in_length = false;  // reading the Content-Length digits
  };
  struct pending {
    conn_id c;
    uint64_t queued_ns = 0;
  };

  conn_state* state_of(conn_id c) {
    if (c.index >= conns_.size() || conns_[c.index].generation != c.generation) return nullptr;
    return &conns_[c.index];
  }

  // Advances the request parser over `len` bytes; returns the requests completed in them.
  static uint32_t scan(conn_state& s, const uint8_t* p, uint32_t len) {
    uint32_t done = 0;
    for (uint32_t i = 0; i < len; ++i) {
      if (s.body_left != 0) {
        const uint64_t skip = len - i < s.body_left ? len - i : s.body_left;
        s.body_left -= skip;
        i += static_cast<uint32_t>(skip) - 1;
        if (s.body_left == 0) ++done;
        continue;
      }
      const uint8_t b = p[i];
      if (s.in_length) {
        if (b >= '0' && b <= '9') {
          s.content_length = s.content_length * 10 + (b - '0');
        } else if (b != ' ' && b != '\t') {
          s.in_length = false;
        }
      }
      const uint8_t lower = b >= 'A' && b <= 'Z' ? b | 0x20 : b;
      if (lower == static_cast<uint8_t>(k_length_field[s.field])) {
        if (++s.field == k_length_field_len) {
          s.field = 0;
          s.in_length = true;
          s.content_length = 0;
        }
      } else {
        s.field = b == '\n' ? 1 : 0;
      }
      if (b == static_cast<uint8_t>(k_terminator[s.terminator])) {
        if (++s.terminator == 4) {
          s.terminator = 0;
          s.field = 0;
          s.in_length = false;
          if (s.content_length == 0) {
            ++done;
          } else {
            s.body_left = s.content_length;
          }
          s.content_length = 0;
        }
      } else {
        s.terminator = b == '\r' ? 1 : 0;
      }
    }
    return done;
  }

  void pump(conn_id c, conn_state& s) {
    const auto total = static_cast<uint32_t>(response_.size());
    while (s.responses_due != 0) {
      const uint32_t n =
          tcp_.send_copy(c, response_.data() + s.response_sent, total - s.response_sent);
      s.response_sent += n;
      m_.bytes_tx += n;
      if (s.response_sent < total) return;  // on_writable resumes
      s.response_sent = 0;
      --s.responses_due;
      ++m_.completed;
    }
  }

  std::string response_;
  std::vector<conn_state> conns_;
  std::vector<pending> delayed_;  // ring, capacity = connection pool
  size_t delayed_head_ = 0;
  size_t delayed_count_ = 0;
};

}  // namespace

std::unique_ptr<role> make_http_origin(tcpstack::tcp_endpoint& tcp, const options& opt,
                                       measurement& m, const uint64_t& now_ns) {
  return std::make_unique<http_origin>(tcp, opt, m, now_ns);
}

}  // namespace ravelin::bench
