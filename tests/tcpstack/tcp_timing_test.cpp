// Timers on the injected clock: RTO with exponential backoff and its collapse after a fresh
// sample (RFC 6298 §5), fast retransmit and NewReno partial ACKs (RFC 6582), SACK-driven
// recovery (RFC 6675), zero-window probes (RFC 9293 §3.8.6.1), keep-alives (§3.8.4), the
// FIN-WAIT-2 timer and giving up after the retry limit.
#include "tcp_fixture.h"

namespace ravelin::test {
namespace {

using ts::counter;
constexpr uint64_t k_ms = 1'000'000;

uint64_t delta(const ts::counter_set& now, const ts::counter_set& before, counter c) {
  return now.get(c) - before.get(c);
}

class tcp_timing : public tcp_test {
 protected:
  // Opens a connection and queues `n` full segments; returns what went out.
  std::vector<parsed_tcp> open_and_send(uint32_t n, const peer_syn& syn = {}) {
    open(syn);
    out();
    bytes data(n * 1448u);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(stack_->tcp().send_copy(conn_, data.data(), static_cast<uint32_t>(data.size())),
              data.size());
    return out();
  }
  void ack(uint32_t upto, std::vector<std::pair<uint32_t, uint32_t>> sack = {}) {
    tcp_fields f = seg(k_ack, peer_nxt_, upto);
    if (!sack.empty()) f.options = cat({f.options, opt_nops(2), opt_sack(sack)});
    send(f);
  }
};

TEST_F(tcp_timing, rto_backs_off_exponentially_and_collapses_after_a_sample) {
  const auto segs = open_and_send(1);
  ASSERT_EQ(segs.size(), 1u);
  // The handshake's RTT sample (a few µs) puts the RTO at its 200 ms floor.
  uint64_t rto = 200 * k_ms;
  for (int i = 0; i < 4; ++i) {
    advance(rto - k_ms);
    EXPECT_TRUE(out().empty()) << "retransmission " << i << " early";
    advance(2 * k_ms);
    const parsed_tcp r = one();
    EXPECT_EQ(r.seq, our_nxt_);
    EXPECT_EQ(r.payload.size(), 1448u);
    rto *= 2;
    now_ns_ -= k_ms;  // keep the schedule aligned with the retransmission time
  }
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.rto_ns, 3200 * k_ms);
  peer_ts_ += 10;
  ack(our_nxt_ + 1448);
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.rto_ns, 200 * k_ms) << "a timestamped ACK gives a fresh sample";
  EXPECT_EQ(i.retransmits, 4u);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rto_expired), 4u);
}

TEST_F(tcp_timing, retransmissions_give_up_after_the_retry_limit) {
  ts::stack_limits l = tcp_limits();
  l.tcp_max_retries = 3;
  rebuild(l);
  open_and_send(1);
  for (uint64_t rto : {200, 400, 800}) {
    advance(rto * k_ms + k_ms);
    EXPECT_EQ(out().size(), 1u);
  }
  advance(1600 * k_ms + k_ms);
  const parsed_tcp r = one();
  EXPECT_EQ(r.flags, k_rst | k_ack);
  ASSERT_NE(rec_.last(tcp_event::closed), nullptr);
  EXPECT_EQ(rec_.last(tcp_event::closed)->reason, ts::close_reason::timed_out);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_timeouts), 1u);
}

TEST_F(tcp_timing, three_duplicate_acks_fast_retransmit_then_newreno_partial_ack) {
  ts::stack_limits l = tcp_limits();
  l.tcp_congestion_control = ts::congestion_control::newreno;
  rebuild(l);
  peer_syn syn;
  syn.sack = false;
  const auto segs = open_and_send(8, syn);
  ASSERT_EQ(segs.size(), 8u);
  const uint32_t s0 = our_nxt_;
  ack(s0 + 1448);  // first segment arrives; the second and fourth are "lost"
  EXPECT_TRUE(out().empty());
  ack(s0 + 1448);
  ack(s0 + 1448);
  EXPECT_TRUE(out().empty()) << "two duplicates are not enough";
  ack(s0 + 1448);
  parsed_tcp r = one();
  EXPECT_EQ(r.seq, s0 + 1448) << "fast retransmit (RFC 5681 §3.2)";
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_fast_retransmits), 1u);
  // Partial ACK up to the next hole: it is retransmitted at once (RFC 6582 §3.2 step 5).
  ack(s0 + 3 * 1448);
  r = one();
  EXPECT_EQ(r.seq, s0 + 3 * 1448);
  ack(s0 + 8 * 1448);  // full ACK ends recovery
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.unacked_bytes, 0u);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rto_expired), 0u);
}

TEST_F(tcp_timing, sack_recovery_resends_only_the_holes) {
  // Twenty segments queued, the initial window sends ten: new data stays available, so
  // NextSeg() (RFC 6675 §4) resends only holes that IsLost() marks.
  const auto segs = open_and_send(20);
  ASSERT_EQ(segs.size(), 10u);
  const uint32_t s0 = our_nxt_;
  auto at = [&](uint32_t k) { return s0 + k * 1448; };
  auto resent = [&](const std::vector<parsed_tcp>& r, uint32_t k) {
    for (const auto& p : r) {
      if (p.seq == at(k)) return true;
    }
    return false;
  };
  // Segments 1 and 5 lost.
  ack(at(1), {{at(2), at(3)}});
  ack(at(1), {{at(2), at(4)}});
  EXPECT_FALSE(resent(out(), 1));
  ack(at(1), {{at(2), at(5)}});  // more than two segments SACKed above: IsLost(segment 1)
  auto r = out();
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r[0].seq, at(1));
  EXPECT_FALSE(resent(r, 5)) << "nothing SACKed above segment 5 yet";
  ack(at(1), {{at(6), at(8)}, {at(2), at(5)}});
  r = out();
  EXPECT_FALSE(resent(r, 5)) << "two segments above are not enough";
  ack(at(1), {{at(6), at(9)}, {at(2), at(5)}});
  r = out();
  EXPECT_TRUE(resent(r, 5));
  for (uint32_t k : {2u, 3u, 4u, 6u, 7u, 8u}) EXPECT_FALSE(resent(r, k)) << "SACKed " << k;
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_fast_retransmits), 1u);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_tx_retransmits), 2u);
}

TEST_F(tcp_timing, bogus_sack_blocks_are_ignored) {
  open_and_send(10);
  const uint32_t s0 = our_nxt_;
  auto at = [&](uint32_t k) { return s0 + k * 1448; };
  ack(at(1), {{at(20), at(30)}});  // beyond anything sent
  ack(at(1), {{s0 - 5000, s0}});   // below the cumulative ACK (a D-SACK)
  ack(at(1), {{at(5), at(3)}});    // reversed
  ack(at(1), {{at(3), at(3)}});    // empty
  EXPECT_TRUE(out().empty());
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_fast_retransmits), 0u);
  // None of them counted as a duplicate ACK either: real SACKs are still needed.
  ack(at(1), {{at(2), at(5)}});
  EXPECT_EQ(out().front().seq, at(1));
}

TEST_F(tcp_timing, zero_window_is_probed_until_it_opens) {
  open();
  out();
  // The peer closes its window.
  send([&] {
    tcp_fields f = seg(k_ack, peer_nxt_, our_nxt_);
    f.window = 0;
    return f;
  }());
  const bytes data(3000, 0x42);
  EXPECT_EQ(stack_->tcp().send_copy(conn_, data.data(), 3000), 3000u);
  EXPECT_TRUE(out().empty()) << "nothing goes into a closed window";
  advance(201 * k_ms);
  parsed_tcp p = one();
  EXPECT_EQ(p.seq, our_nxt_ - 1) << "probe with an old sequence number";
  EXPECT_TRUE(p.payload.empty());
  advance(401 * k_ms);
  p = one();
  EXPECT_EQ(p.seq, our_nxt_ - 1) << "probes back off";
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_zero_window_probes), 2u);
  // Still zero: the answer to a probe keeps the connection alive.
  send([&] {
    tcp_fields f = seg(k_ack, peer_nxt_, our_nxt_);
    f.window = 0;
    return f;
  }());
  EXPECT_TRUE(out().empty());
  // The window opens: the data follows at once.
  send(seg(k_ack, peer_nxt_, our_nxt_));
  const auto d = out();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].seq, our_nxt_);
}

TEST_F(tcp_timing, keepalive_probes_then_times_out) {
  ts::stack_limits l = tcp_limits();
  l.tcp_keepalive_idle_ns = 10'000 * k_ms;
  l.tcp_keepalive_interval_ns = 1000 * k_ms;
  l.tcp_keepalive_probes = 3;
  rebuild(l);
  open();
  out();
  ASSERT_TRUE(stack_->tcp().set_keepalive(conn_, true));
  advance(9'999 * k_ms);
  EXPECT_TRUE(out().empty());
  advance(2 * k_ms);
  parsed_tcp p = one();
  EXPECT_EQ(p.seq, our_nxt_ - 1);
  EXPECT_EQ(p.flags, k_ack);
  // An answer resets the count and the idle time.
  send(seg(k_ack, peer_nxt_, our_nxt_));
  advance(5'000 * k_ms);
  EXPECT_TRUE(out().empty());
  advance(5'001 * k_ms);
  EXPECT_EQ(out().size(), 1u);
  for (int i = 0; i < 2; ++i) {
    advance(1'001 * k_ms);
    EXPECT_EQ(out().size(), 1u);
  }
  advance(1'001 * k_ms);
  p = one();
  EXPECT_EQ(p.flags & k_rst, k_rst);
  ASSERT_NE(rec_.last(tcp_event::closed), nullptr);
  EXPECT_EQ(rec_.last(tcp_event::closed)->reason, ts::close_reason::timed_out);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_keepalive_probes), 4u);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_keepalive_timeouts), 1u);
}

TEST_F(tcp_timing, fin_wait_2_ends_after_its_timer) {
  open();
  ASSERT_TRUE(stack_->tcp().close(conn_));
  one();
  send(seg(k_ack, peer_nxt_, our_nxt_ + 1));
  advance(59'999 * k_ms);
  EXPECT_EQ(rec_.count(tcp_event::closed), 0);
  advance(2 * k_ms);
  ASSERT_NE(rec_.last(tcp_event::closed), nullptr);
  EXPECT_EQ(rec_.last(tcp_event::closed)->reason, ts::close_reason::timed_out);
  EXPECT_EQ(stack_->tcp().connections(), 0u);
  EXPECT_EQ(stack_->tcp().timers(), 0u);
}

TEST_F(tcp_timing, half_open_connections_expire) {
  tcp_fields f;
  f.seq = k_peer_isn;
  send(f);
  one();
  EXPECT_EQ(stack_->tcp().connections(), 1u);
  uint64_t rto = 1000 * k_ms;
  for (int i = 0; i < 5; ++i) {
    advance(rto + k_ms);
    EXPECT_EQ(one().flags, k_syn | k_ack) << "SYN,ACK retransmission " << i;
    rto *= 2;
  }
  advance(rto + k_ms);
  EXPECT_EQ(stack_->tcp().connections(), 0u);
  EXPECT_EQ(rec_.count(tcp_event::closed), 0) << "never accepted, never reported";
}

}  // namespace
}  // namespace ravelin::test
