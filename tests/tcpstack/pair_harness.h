// Two stacks back to back in one process on an injected clock: what one transmits reaches
// the other after a delay, through a link that can lose, duplicate and reorder frames with
// a seeded random generator (the in-process stand-in for net_ring plus netem). Every frame
// is copied on the way, as a NIC would, so the receiver never shares the sender's buffers.
// Applications: a stream sender and a verifying sink whose bytes come from a keyed
// generator, so every byte received is checked against what must have been sent.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include <rte_mempool.h>

#include "ravelin/tcpstack/stack.h"

namespace ravelin::test {

namespace ts = ravelin::tcpstack;

inline constexpr uint32_t k_ip_a = 0xc6120001;  // 198.18.0.1
inline constexpr uint32_t k_ip_b = 0xc6120002;  // 198.18.0.2

rte_mempool* pair_pool();  // 16383 mbufs, no cache (exact in-use counts)
unsigned pool_in_use(rte_mempool* p);

struct link_faults {
  double loss = 0;              // probability a frame is dropped
  double duplicate = 0;         // probability a frame is delivered twice
  double reorder = 0;           // probability a frame is held back by up to `jitter_ns`
  uint64_t delay_ns = 500'000;  // one way
  uint64_t jitter_ns = 2'000'000;
  uint64_t seed = 1;
};

class pair_harness {
 public:
  pair_harness(const ts::stack_limits& la, const ts::stack_limits& lb, const link_faults& f);
  ~pair_harness();

  ts::stack& a() { return *a_; }
  ts::stack& b() { return *b_; }
  uint64_t now() const { return now_; }

  // Advances the clock, delivers what is due (in bursts), polls both stacks, then puts what
  // they sent on the link.
  void step(uint64_t dt_ns);
  // Steps until `done()` or `max_ns` of simulated time; returns done().
  bool run_until(const std::function<bool()>& done, uint64_t max_ns, uint64_t step_ns = 100'000);
  // Drops chosen frames: called with the sender (0 = a, 1 = b) and the frame.
  std::function<bool(int from, const rte_mbuf* frame)> drop_if;

  uint64_t sent = 0, dropped = 0, duplicated = 0, reordered = 0;

 private:
  struct in_flight {
    uint64_t at;
    uint64_t order;
    int to;
    rte_mbuf* m;
  };
  void collect(int from);
  void deliver();
  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

  rte_mempool* pool_;
  std::unique_ptr<ts::stack> a_;
  std::unique_ptr<ts::stack> b_;
  link_faults faults_;
  std::mt19937_64 rng_;
  std::vector<in_flight> wire_;
  uint64_t now_ = 1'000'000'000;
  uint64_t order_ = 0;
};

// The byte at `offset` of stream `seed`.
uint8_t stream_byte(uint64_t seed, uint64_t offset);

// Sends `total` bytes of its stream on every connection it is given (accepted or connected),
// alternating zero-copy mbuf chains and copied bytes, then closes (or just shuts down).
class stream_sender : public ts::tcp_handler {
 public:
  stream_sender(ts::stack& s, uint64_t total, uint64_t seed, bool close_when_done = true)
      : stack_(s), total_(total), seed_(seed), close_(close_when_done) {}
  void on_accepted(ts::conn_id c, void*) override { pump(c); }
  void on_connected(ts::conn_id c, void*) override { pump(c); }
  void on_writable(ts::conn_id c, void*) override { pump(c); }
  void on_readable(ts::conn_id c, void*, ts::rx_view v) override;
  void on_peer_closed(ts::conn_id c, void*) override;
  void on_closed(ts::conn_id, void*, ts::close_reason r) override;
  void pump(ts::conn_id c);

  uint64_t written = 0;
  int closed = 0;
  int closed_abnormally = 0;
  ts::close_reason last_reason = ts::close_reason::normal;

 private:
  ts::stack& stack_;
  uint64_t total_;
  uint64_t seed_;
  bool close_;
  bool finished_ = false;
  uint64_t chunk_ = 0;
};

// Checks every byte against the stream, consumes it (or takes it, every other time), and
// closes when the peer does. Optionally echoes what it reads back (an echo server).
class stream_sink : public ts::tcp_handler {
 public:
  stream_sink(ts::stack& s, uint64_t seed, bool echo = false)
      : stack_(s), seed_(seed), echo_(echo) {}
  void on_accepted(ts::conn_id, void*) override { ++accepted; }
  void on_connected(ts::conn_id, void*) override { ++accepted; }
  void on_readable(ts::conn_id c, void*, ts::rx_view v) override;
  void on_writable(ts::conn_id c, void*) override { flush_echo(c); }
  void on_peer_closed(ts::conn_id c, void*) override;
  void on_closed(ts::conn_id, void*, ts::close_reason r) override;
  void flush_echo(ts::conn_id c);

  uint64_t received = 0;
  uint64_t mismatches = 0;
  uint64_t echoed = 0;
  int accepted = 0;
  int closed = 0;
  int closed_abnormally = 0;
  bool peer_closed = false;

 private:
  ts::stack& stack_;
  uint64_t seed_;
  bool echo_;
  bool take_ = false;
  std::vector<uint8_t> echo_backlog_;
};

}  // namespace ravelin::test
