// The synchronized states as golden segments: data in and out, delayed and immediate ACKs,
// out-of-order data with SACK blocks, window updates, both ways of closing and the
// simultaneous close (RFC 9293 §3.6, §3.8.6, §3.10.7.4; RFC 5681 §4.2; RFC 2018 §4).
#include "tcp_fixture.h"

namespace ravelin::test {
namespace {

using ts::counter;

bytes pattern(std::size_t n, uint8_t seed = 0) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

TEST_F(tcp_test, one_segment_is_acknowledged_after_the_delayed_ack_time) {
  open();
  out();
  peer_data(pattern(100));
  EXPECT_EQ(rec_.received[conn_.index], pattern(100));
  EXPECT_TRUE(out().empty()) << "first segment: ACK delayed (RFC 9293 §3.8.6.3)";
  advance(39'000'000);
  EXPECT_TRUE(out().empty());
  advance(2'000'000);
  const parsed_tcp a = one();
  EXPECT_EQ(a.flags, k_ack);
  EXPECT_EQ(a.ack, peer_nxt_);
  EXPECT_EQ(a.seq, our_nxt_);
  EXPECT_EQ(
      stack_->counters().get(counter::tcp_delayed_acks) - before_.get(counter::tcp_delayed_acks),
      1u);
}

TEST_F(tcp_test, every_second_segment_is_acknowledged_at_once) {
  open();
  peer_data(pattern(1000));
  EXPECT_TRUE(out().empty());
  peer_data(pattern(1000, 3));
  const parsed_tcp a = one();
  EXPECT_EQ(a.ack, peer_nxt_);
  EXPECT_EQ(rec_.received[conn_.index].size(), 2000u);
}

TEST_F(tcp_test, out_of_order_data_gets_a_duplicate_ack_with_sack_blocks) {
  open();
  const uint32_t base = peer_nxt_;
  send(seg(k_ack, base + 1000, our_nxt_, pattern(500, 1)));
  parsed_tcp d = one();
  EXPECT_EQ(d.ack, base) << "immediate duplicate ACK (RFC 5681 §4.2)";
  ASSERT_EQ(d.sack.size(), 1u);
  EXPECT_EQ(d.sack[0], std::make_pair(base + 1000, base + 1500));
  send(seg(k_ack, base + 2000, our_nxt_, pattern(500, 2)));
  d = one();
  ASSERT_EQ(d.sack.size(), 2u);
  EXPECT_EQ(d.sack[0], std::make_pair(base + 2000, base + 2500)) << "latest block first";
  EXPECT_EQ(d.sack[1], std::make_pair(base + 1000, base + 1500));
  EXPECT_TRUE(rec_.received[conn_.index].empty());
  // The hole fills: everything is delivered in order and acknowledged at once.
  send(seg(k_ack, base, our_nxt_, pattern(1000, 0)));
  d = one();
  EXPECT_EQ(d.ack, base + 1500);
  ASSERT_EQ(d.sack.size(), 1u);
  EXPECT_EQ(d.sack[0], std::make_pair(base + 2000, base + 2500));
  send(seg(k_ack, base + 1500, our_nxt_, pattern(500, 9)));
  d = one();
  EXPECT_EQ(d.ack, base + 2500);
  EXPECT_TRUE(d.sack.empty());
  bytes want = pattern(1000, 0);
  for (uint8_t s : {1, 9, 2}) {
    const bytes p = pattern(500, s);
    want.insert(want.end(), p.begin(), p.end());
  }
  EXPECT_EQ(rec_.received[conn_.index], want);
  EXPECT_EQ(
      stack_->counters().get(counter::tcp_rx_ooo_queued) - before_.get(counter::tcp_rx_ooo_queued),
      2u);
}

TEST_F(tcp_test, overlapping_retransmissions_are_trimmed) {
  open();
  const uint32_t base = peer_nxt_;
  const bytes all = pattern(3000, 5);
  auto piece = [&](uint32_t from, uint32_t len) {
    return bytes(all.begin() + from, all.begin() + from + len);
  };
  send(seg(k_ack, base + 1000, our_nxt_, piece(1000, 1000)));
  send(seg(k_ack, base + 500, our_nxt_, piece(500, 2000)));   // covers and extends
  send(seg(k_ack, base + 1200, our_nxt_, piece(1200, 100)));  // inside what we hold
  send(seg(k_ack, base, our_nxt_, piece(0, 700)));            // overlaps the held start
  out();
  EXPECT_EQ(rec_.received[conn_.index], piece(0, 2500));
  send(seg(k_ack, base, our_nxt_, piece(0, 3000)));  // old and new bytes together
  EXPECT_EQ(rec_.received[conn_.index], all);
}

TEST_F(tcp_test, data_is_sent_and_retransmitted_on_timeout) {
  open();
  out();
  const bytes msg = pattern(3000, 11);
  EXPECT_EQ(stack_->tcp().send_copy(conn_, msg.data(), 3000), 3000u);
  auto segs = out();
  ASSERT_EQ(segs.size(), 3u) << "1448-byte segments within the initial window";
  EXPECT_EQ(segs[0].payload.size(), 1448u);
  EXPECT_EQ(segs[0].seq, our_nxt_);
  EXPECT_EQ(segs[2].flags, k_ack | k_psh) << "PSH on the last queued byte";
  bytes joined;
  for (auto& s : segs) joined.insert(joined.end(), s.payload.begin(), s.payload.end());
  EXPECT_EQ(joined, msg);
  // The peer acknowledges only the first; the RTO (initial 1 s) resends the second.
  send(seg(k_ack, peer_nxt_, our_nxt_ + 1448));
  EXPECT_TRUE(out().empty());
  advance(1'001'000'000);
  const parsed_tcp r = one();
  EXPECT_EQ(r.seq, our_nxt_ + 1448);
  EXPECT_EQ(r.payload.size(), 1448u);
  send(seg(k_ack, peer_nxt_, our_nxt_ + 3000));
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.unacked_bytes, 0u);
  EXPECT_EQ(i.retransmits, 1u);
}

TEST_F(tcp_test, send_buffer_applies_back_pressure_then_writable) {
  open();
  out();
  const bytes big = pattern(100 * 1024);
  const uint32_t taken = stack_->tcp().send_copy(conn_, big.data(), 100 * 1024);
  EXPECT_EQ(taken, 64u * 1024) << "bounded by tcp_send_buffer";
  EXPECT_EQ(stack_->tcp().send_space(conn_), 0u);
  rte_mbuf* m = to_mbuf(test_pool(), pattern(10));
  EXPECT_EQ(stack_->tcp().send(conn_, m), ts::send_status::would_block);
  rte_pktmbuf_free(m);
  // on_writable once a quarter of the buffer is free again: after two windows of ACKs.
  uint32_t acked = 0;
  for (int round = 0; round < 2; ++round) {
    for (auto& s : out()) acked += static_cast<uint32_t>(s.payload.size());
    EXPECT_EQ(rec_.count(tcp_event::writable), 0);
    send(seg(k_ack, peer_nxt_, our_nxt_ + acked));
  }
  EXPECT_EQ(rec_.count(tcp_event::writable), 1);
  EXPECT_GE(stack_->tcp().send_space(conn_), 16u * 1024);
}

// The proxy's pattern: look at send_space(), queue exactly that much, then wait. The
// look found room, so no refusal registered interest; filling the buffer must.
TEST_F(tcp_test, filling_the_buffer_exactly_still_earns_on_writable) {
  open();
  out();
  const uint32_t space = stack_->tcp().send_space(conn_);
  ASSERT_EQ(space, 64u * 1024);
  const bytes big = pattern(space);
  ASSERT_EQ(stack_->tcp().send_copy(conn_, big.data(), space), space);
  uint32_t acked = 0;
  for (int round = 0; round < 8 && rec_.count(tcp_event::writable) == 0; ++round) {
    for (auto& s : out()) acked += static_cast<uint32_t>(s.payload.size());
    send(seg(k_ack, peer_nxt_, our_nxt_ + acked));
  }
  EXPECT_EQ(rec_.count(tcp_event::writable), 1);
  EXPECT_GE(stack_->tcp().send_space(conn_), 16u * 1024);
}

TEST_F(tcp_test, zero_window_then_window_update) {
  open();
  out();
  rec_.consume = false;
  // 64 KiB buffer: fill it completely without reading.
  const bytes chunk = pattern(1448);
  uint32_t sent = 0;
  while (sent + 1448 <= 64 * 1024) {
    peer_data(chunk);
    sent += 1448;
  }
  auto acks = out();
  ASSERT_FALSE(acks.empty());
  const parsed_tcp last = acks.back();
  EXPECT_LT(uint32_t{last.window} << 1, 2 * 1448u) << "window nearly closed";
  // Reading it all reopens the window with an unsolicited update.
  stack_->tcp().consume(conn_, 64 * 1024);
  const parsed_tcp upd = one();
  EXPECT_EQ(upd.ack, peer_nxt_);
  EXPECT_GE(uint32_t{upd.window} << 1, 60u * 1024);
}

TEST_F(tcp_test, peer_close_then_ours) {
  open();
  peer_data(pattern(10), k_ack | k_fin);
  const parsed_tcp a = one();
  EXPECT_EQ(a.ack, peer_nxt_) << "data and FIN acknowledged at once";
  ASSERT_EQ(rec_.count(tcp_event::peer_closed), 1);
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.state, ts::tcp_state::close_wait);
  ASSERT_TRUE(stack_->tcp().close(conn_));
  const parsed_tcp fin = one();
  EXPECT_EQ(fin.flags, k_ack | k_fin);
  EXPECT_EQ(fin.seq, our_nxt_);
  send(seg(k_ack, peer_nxt_, our_nxt_ + 1));
  const tcp_event* e = rec_.last(tcp_event::closed);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->reason, ts::close_reason::normal);
  EXPECT_EQ(stack_->tcp().connections(), 0u) << "LAST-ACK -> CLOSED, no TIME-WAIT";
}

TEST_F(tcp_test, our_close_goes_through_time_wait) {
  open();
  ASSERT_TRUE(stack_->tcp().close(conn_));
  const parsed_tcp fin = one();
  EXPECT_EQ(fin.flags, k_ack | k_fin);
  send(seg(k_ack, peer_nxt_, our_nxt_ + 1));
  EXPECT_TRUE(out().empty());
  peer_data({}, k_ack | k_fin);
  const parsed_tcp a = one();
  EXPECT_EQ(a.ack, peer_nxt_);
  ASSERT_NE(rec_.last(tcp_event::closed), nullptr);
  EXPECT_EQ(rec_.last(tcp_event::closed)->reason, ts::close_reason::normal);
  EXPECT_EQ(stack_->tcp().connections(), 1u) << "TIME-WAIT holds the 4-tuple";
  // A retransmitted FIN is acknowledged again.
  send(seg(k_ack | k_fin, peer_nxt_ - 1, our_nxt_ + 1));
  EXPECT_EQ(one().ack, peer_nxt_);
  advance(60'001'000'000);
  EXPECT_EQ(stack_->tcp().connections(), 0u);
}

TEST_F(tcp_test, simultaneous_close) {
  open();
  ASSERT_TRUE(stack_->tcp().close(conn_));
  const parsed_tcp fin = one();
  // The peer's FIN crosses ours: it does not acknowledge our FIN.
  peer_data({}, k_ack | k_fin);
  const parsed_tcp a = one();
  EXPECT_EQ(a.ack, peer_nxt_);
  send(seg(k_ack, peer_nxt_, fin.seq + 1));
  ASSERT_NE(rec_.last(tcp_event::closed), nullptr);
  EXPECT_EQ(rec_.last(tcp_event::closed)->reason, ts::close_reason::normal);
  EXPECT_EQ(stack_->tcp().connections(), 1u) << "CLOSING -> TIME-WAIT";
}

TEST_F(tcp_test, half_close_keeps_receiving) {
  open();
  ASSERT_TRUE(stack_->tcp().shutdown(conn_));
  one();
  send(seg(k_ack, peer_nxt_, our_nxt_ + 1));
  peer_data(pattern(50));
  EXPECT_EQ(rec_.received[conn_.index], pattern(50));
  peer_data({}, k_ack | k_fin);
  EXPECT_EQ(rec_.count(tcp_event::peer_closed), 1);
  EXPECT_EQ(rec_.count(tcp_event::closed), 1);
}

TEST_F(tcp_test, data_after_close_resets) {
  open();
  ASSERT_TRUE(stack_->tcp().close(conn_));
  one();
  peer_data(pattern(20));
  const parsed_tcp r = one();
  EXPECT_EQ(r.flags & k_rst, k_rst);
  ASSERT_NE(rec_.last(tcp_event::closed), nullptr);
  EXPECT_EQ(rec_.last(tcp_event::closed)->reason, ts::close_reason::aborted);
  EXPECT_EQ(stack_->tcp().connections(), 0u);
}

TEST_F(tcp_test, abort_sends_rst_and_forgets) {
  open();
  ASSERT_TRUE(stack_->tcp().abort(conn_));
  const parsed_tcp r = one();
  EXPECT_EQ(r.flags, k_rst | k_ack);
  EXPECT_EQ(r.seq, our_nxt_);
  EXPECT_EQ(rec_.count(tcp_event::closed), 0) << "no callback after abort";
  EXPECT_EQ(stack_->tcp().connections(), 0u);
  EXPECT_FALSE(stack_->tcp().abort(conn_)) << "the handle is stale";
}

}  // namespace
}  // namespace ravelin::test
