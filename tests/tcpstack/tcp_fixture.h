// Fixture for TCP golden tests: the stack of stack_test with the peer's MAC already learnt,
// a listener on port 80 whose handler records every event, and helpers that speak as the
// peer (198.18.0.2:40000) with the builder of tcp_builder.h and parse what comes back.
#pragma once

#include <map>
#include <vector>

#include "stack_fixture.h"
#include "tcp_builder.h"

namespace ravelin::test {

struct tcp_event {
  enum kind { accepted, connected, readable, writable, peer_closed, closed };
  kind k;
  ts::conn_id c;
  uint32_t bytes = 0;
  ts::close_reason reason = ts::close_reason::normal;
};

// Records events; by default consumes and keeps everything readable.
class recorder : public ts::tcp_handler {
 public:
  void on_accepted(ts::conn_id c, void*) override { events.push_back({tcp_event::accepted, c}); }
  void on_connected(ts::conn_id c, void*) override { events.push_back({tcp_event::connected, c}); }
  void on_readable(ts::conn_id c, void*, ts::rx_view v) override;
  void on_writable(ts::conn_id c, void*) override { events.push_back({tcp_event::writable, c}); }
  void on_peer_closed(ts::conn_id c, void*) override {
    events.push_back({tcp_event::peer_closed, c});
  }
  void on_closed(ts::conn_id c, void*, ts::close_reason r) override {
    events.push_back({tcp_event::closed, c, 0, r});
  }
  int count(tcp_event::kind k) const;
  const tcp_event* last(tcp_event::kind k) const;

  ts::tcp_endpoint* tcp = nullptr;
  bool consume = true;
  std::vector<tcp_event> events;
  std::map<uint32_t, bytes> received;  // by connection index
};

// What the peer puts in its SYN.
struct peer_syn {
  bool ts = true;
  bool sack = true;
  std::optional<uint8_t> wscale = 7;
  uint16_t mss = 1460;
};

class tcp_test : public stack_test {
 protected:
  static constexpr uint16_t k_port = 80;
  static constexpr uint16_t k_peer_port = 40000;
  static constexpr uint32_t k_peer_isn = 1000;

  void SetUp() override;
  static ts::stack_limits tcp_limits();
  void rebuild(const ts::stack_limits& limits);

  // A segment from the peer to us; timestamps added when the connection uses them.
  tcp_fields seg(uint8_t flags, uint32_t seq, uint32_t ack, const bytes& payload = {}) const;
  void send(const tcp_fields& f, uint16_t sport = k_peer_port);
  std::vector<parsed_tcp> out();
  parsed_tcp one();  // exactly one TCP segment must have been sent

  // The three-way handshake on port 80; returns the SYN,ACK. Sets our_isn_, conn_, ts_.
  parsed_tcp open(const peer_syn& syn = {});
  // Data from the peer at its next sequence number.
  void peer_data(const bytes& payload, uint8_t flags = k_ack | k_psh);
  void advance(uint64_t ns);

  recorder rec_;
  ts::conn_id conn_{};
  uint32_t our_isn_ = 0;
  uint32_t peer_nxt_ = k_peer_isn + 1;  // the peer's next sequence number
  uint32_t our_nxt_ = 0;                // what the peer acknowledges
  bool ts_ = false;
  uint32_t peer_ts_ = 500;  // the peer's TSval clock
  uint32_t our_ts_ = 0;     // our last TSval seen
};

}  // namespace ravelin::test
