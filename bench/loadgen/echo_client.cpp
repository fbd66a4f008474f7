// Echo client (RFC 862 peer). cps: each of N slots connects, sends `bytes`, reads them back,
// closes and starts over; latency = connect() to the last echoed byte. stream: N
// connections send continuously; bytes/s = echoed bytes read back. Every echoed byte is
// compared with what was sent.
#include <cstring>

#include "loadgen.h"

namespace ravelin::bench {
namespace {

using tcpstack::close_reason;
using tcpstack::conn_id;
using tcpstack::rx_view;

class echo_client final : public role {
 public:
  echo_client(tcpstack::tcp_endpoint& tcp, const options& opt, measurement& m,
              const uint64_t& now_ns, bool stream)
      : role(tcp, opt, m, now_ns), stream_(stream) {}

  bool start() override {
    bytes_ = opt_.bytes != 0 ? opt_.bytes : (stream_ ? 16384 : 64);
    if (bytes_ > pattern::k_period) bytes_ = pattern::k_period;
    slots_.resize(opt_.connections);
    idle_.reserve(opt_.connections);
    for (uint32_t i = opt_.connections; i-- > 0;) idle_.push_back(i);
    return true;
  }

  uint32_t tick() override {
    uint32_t started = 0;
    while (running_ && !idle_.empty()) {
      // One connection first: the stack holds a single packet per unresolved neighbour,
      // so a burst of SYNs before ARP completes would lose all but one.
      if (!primed_ && probing_) break;
      const uint32_t i = idle_.back();
      slot& s = slots_[i];
      s = slot{};
      s.started_ns = now_ns_;
      s.c = tcp_.connect(opt_.target_ip, opt_.target_port, this, &s);
      if (!s.c.valid()) {
        m_.error(error_kind::connect_failed);
        break;  // retried next iteration
      }
      idle_.pop_back();
      s.active = true;
      probing_ = true;
      ++started;
    }
    return started;
  }

  void stop() override {
    running_ = false;
    for (auto& s : slots_) {
      if (s.active) finish(s, true);
    }
  }

  void on_connected(conn_id c, void* opaque) override {
    if (opaque == nullptr) return;
    primed_ = true;
    ++m_.connections;
    send_more(c, *static_cast<slot*>(opaque));
  }

  void on_writable(conn_id c, void* opaque) override {
    if (opaque != nullptr) send_more(c, *static_cast<slot*>(opaque));
  }

  void on_readable(conn_id c, void* opaque, rx_view data) override {
    if (opaque == nullptr) {
      tcp_.consume(c, data.length);
      return;
    }
    slot& s = *static_cast<slot*>(opaque);
    bool same = true;
    uint64_t at = s.received;
    data.for_each([&](const uint8_t* p, uint32_t len) {
      while (len != 0 && same) {
        const uint32_t n = len < pattern::k_period ? len : pattern::k_period;
        same = std::memcmp(p, pattern_.at(at), n) == 0;
        p += n;
        len -= n;
        at += n;
      }
    });
    tcp_.consume(c, data.length);
    s.received += data.length;
    m_.bytes_rx += data.length;
    if (!same || s.received > s.sent) {
      m_.error(error_kind::corrupt);
      finish(s, true);
      return;
    }
    if (stream_) {
      send_more(c, s);
    } else if (s.received == bytes_) {
      ++m_.completed;
      m_.latency_ns.record(now_ns_ - s.started_ns);
      finish(s, false);
    }
  }

  void on_peer_closed(conn_id, void* opaque) override {
    if (opaque == nullptr) return;
    m_.error(error_kind::closed_early);
    finish(*static_cast<slot*>(opaque), true);
  }

  void on_closed(conn_id, void* opaque, close_reason reason) override {
    if (opaque == nullptr) return;  // a connection we had finished with
    count_close(m_, reason);
    probing_ = primed_;  // a failed first connect may be retried
    slot& s = *static_cast<slot*>(opaque);
    s.c = conn_id{};
    release(s);
  }

 private:
  struct slot {
    conn_id c;
    uint64_t started_ns = 0;
    uint64_t sent = 0;
    uint64_t received = 0;
    bool active = false;
  };

  void send_more(conn_id c, slot& s) {
    // cps sends `bytes_` once; stream keeps a window of data in flight.
    const uint64_t limit = stream_ ? s.received + 4 * uint64_t{bytes_} : bytes_;
    while (s.sent < limit) {
      const uint64_t want = limit - s.sent;
      const uint32_t chunk = want < bytes_ ? static_cast<uint32_t>(want) : bytes_;
      const uint32_t n = tcp_.send_copy(c, pattern_.at(s.sent), chunk);
      s.sent += n;
      m_.bytes_tx += n;
      if (n < chunk) return;  // on_writable resumes
    }
  }

  // Hands the connection back to the stack (its later events carry no slot) and frees
  // the slot for the next connect.
  void finish(slot& s, bool abort) {
    tcp_.set_opaque(s.c, nullptr);
    if (abort) {
      tcp_.abort(s.c);
    } else {
      tcp_.close(s.c);
    }
    release(s);
  }

  void release(slot& s) {
    if (!s.active) return;
    s.active = false;
    idle_.push_back(static_cast<uint32_t>(&s - slots_.data()));
  }

  bool stream_;
  bool running_ = true;
  bool primed_ = false;   // a connection has been established (ARP resolved)
  bool probing_ = false;  // the first connection is under way
  uint32_t bytes_ = 0;
  pattern pattern_;
  std::vector<slot> slots_;
  std::vector<uint32_t> idle_;  // slot indexes free to connect; capacity reserved
};

}  // namespace

std::unique_ptr<role> make_echo_client(tcpstack::tcp_endpoint& tcp, const options& opt,
                                       measurement& m, const uint64_t& now_ns, bool stream) {
  return std::make_unique<echo_client>(tcp, opt, m, now_ns, stream);
}

}  // namespace ravelin::bench
