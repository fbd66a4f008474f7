// Blind-attack defences and PAWS as golden segments: RST and SYN handling with challenge
// ACKs (RFC 5961 §3-4), the ACK acceptance range (§5), the challenge-ACK rate limit (§7),
// PAWS (RFC 7323 §5) and sequence numbers that wrap around 2^32.
#include "tcp_fixture.h"

namespace ravelin::test {
namespace {

using ts::counter;

uint64_t delta(const ts::counter_set& now, const ts::counter_set& before, counter c) {
  return now.get(c) - before.get(c);
}

TEST_F(tcp_test, rst_at_rcv_nxt_resets) {
  open();
  send(seg(k_rst, peer_nxt_, 0));
  EXPECT_TRUE(out().empty());
  ASSERT_NE(rec_.last(tcp_event::closed), nullptr);
  EXPECT_EQ(rec_.last(tcp_event::closed)->reason, ts::close_reason::reset);
  EXPECT_EQ(stack_->tcp().connections(), 0u);
}

TEST_F(tcp_test, rst_in_window_but_not_exact_is_challenged) {
  open();
  out();
  send(seg(k_rst, peer_nxt_ + 100, 0));
  const parsed_tcp c = one();
  EXPECT_EQ(c.flags, k_ack) << "RFC 5961 §3.2 challenge ACK";
  EXPECT_EQ(c.seq, our_nxt_);
  EXPECT_EQ(c.ack, peer_nxt_);
  EXPECT_EQ(rec_.count(tcp_event::closed), 0);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rx_rst_challenged), 1u);
}

TEST_F(tcp_test, rst_outside_the_window_is_ignored) {
  open();
  out();
  send(seg(k_rst, peer_nxt_ + 10'000'000, 0));
  send(seg(k_rst, peer_nxt_ - 1, 0));
  EXPECT_TRUE(out().empty());
  EXPECT_EQ(rec_.count(tcp_event::closed), 0);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rx_rst_ignored), 2u);
}

TEST_F(tcp_test, syn_on_established_connection_is_challenged) {
  open();
  out();
  tcp_fields s = seg(k_syn, peer_nxt_ + 5, 0);
  send(s);
  const parsed_tcp c = one();
  EXPECT_EQ(c.flags, k_ack) << "RFC 5961 §4.2";
  EXPECT_EQ(c.ack, peer_nxt_);
  EXPECT_EQ(rec_.count(tcp_event::closed), 0);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rx_syn_challenged), 1u);
}

TEST_F(tcp_test, ack_of_unsent_data_is_challenged_and_dropped) {
  open();
  out();
  send(seg(k_ack, peer_nxt_, our_nxt_ + 5000, {1, 2, 3}));
  const parsed_tcp c = one();
  EXPECT_EQ(c.flags, k_ack);
  EXPECT_EQ(c.ack, peer_nxt_) << "the data was not accepted";
  EXPECT_TRUE(rec_.received[conn_.index].empty());
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rx_ack_challenged), 1u);
}

TEST_F(tcp_test, challenge_acks_are_rate_limited) {
  ts::stack_limits l = tcp_limits();
  l.tcp_challenge_acks_per_s = 3;
  rebuild(l);
  open();
  out();
  for (int i = 0; i < 10; ++i) send(seg(k_rst, peer_nxt_ + 1 + i, 0));
  EXPECT_EQ(out().size(), 3u);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_challenge_acks_limited), 7u);
  advance(1'000'000'000);
  send(seg(k_rst, peer_nxt_ + 1, 0));
  EXPECT_EQ(out().size(), 1u) << "a new second, a new budget";
}

TEST_F(tcp_test, paws_drops_old_timestamps) {
  open();
  out();
  peer_ts_ = 400;  // older than the 500 of the handshake
  send(seg(k_ack, peer_nxt_, our_nxt_, {1, 2, 3}));
  const parsed_tcp a = one();
  EXPECT_EQ(a.ack, peer_nxt_) << "dropped, with an ACK (RFC 7323 §5.3 R1)";
  EXPECT_TRUE(rec_.received[conn_.index].empty());
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rx_paws_rejected), 1u);
  peer_ts_ = 600;
  peer_data({1, 2, 3});
  EXPECT_EQ(rec_.received[conn_.index].size(), 3u);
}

TEST_F(tcp_test, paws_timestamp_wraps_around) {
  peer_ts_ = 0xfffffff0u;
  open();
  out();
  peer_ts_ = 0x10;  // 32 ticks later, across the wrap
  peer_data({1, 2, 3});
  EXPECT_EQ(rec_.received[conn_.index].size(), 3u);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rx_paws_rejected), 0u);
}

TEST_F(tcp_test, segment_without_negotiated_timestamp_is_dropped) {
  open();
  out();
  ts_ = false;
  send(seg(k_ack, peer_nxt_, our_nxt_, {1, 2, 3}));
  EXPECT_TRUE(rec_.received[conn_.index].empty());
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rx_no_timestamp), 1u);
}

TEST_F(tcp_test, old_duplicate_is_acknowledged_not_delivered) {
  open();
  peer_data({1, 2, 3, 4});
  out();
  send(seg(k_ack, peer_nxt_ - 4, our_nxt_, {1, 2, 3, 4}));
  const parsed_tcp a = one();
  EXPECT_EQ(a.ack, peer_nxt_);
  EXPECT_EQ(rec_.received[conn_.index].size(), 4u);
  EXPECT_EQ(delta(stack_->counters(), before_, counter::tcp_rx_out_of_window), 1u);
}

TEST_F(tcp_test, receive_sequence_wraps_around) {
  tcp_fields f;
  const uint32_t isn = 0xffffff00u;
  f.seq = isn;
  f.options = cat({opt_mss(1460), opt_sack_permitted()});
  send(f);
  const parsed_tcp sa = one();
  our_nxt_ = sa.seq + 1;
  peer_nxt_ = isn + 1;
  send(seg(k_ack, peer_nxt_, our_nxt_));
  ASSERT_EQ(rec_.count(tcp_event::accepted), 1);
  conn_ = rec_.events[0].c;
  bytes all(1000);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  // Second half first (it starts past 2^32), then the first half.
  const bytes a(all.begin(), all.begin() + 500);
  const bytes b(all.begin() + 500, all.end());
  send(seg(k_ack, peer_nxt_ + 500, our_nxt_, b));
  const parsed_tcp d = one();
  ASSERT_EQ(d.sack.size(), 1u);
  EXPECT_EQ(d.sack[0].first, peer_nxt_ + 500);
  send(seg(k_ack, peer_nxt_, our_nxt_, a));
  const parsed_tcp ack = one();
  EXPECT_EQ(ack.ack, static_cast<uint32_t>(peer_nxt_ + 1000));
  EXPECT_LT(ack.ack, 0x1000u) << "wrapped";
  EXPECT_EQ(rec_.received[conn_.index], all);
}

}  // namespace
}  // namespace ravelin::test
