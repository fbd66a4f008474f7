// Flow control edge cases: window scaling at its limits (RFC 7323 §2), a right edge that
// never moves back and receiver SWS avoidance (RFC 9293 §3.8.6.2.2), a peer that shrinks
// its window, data beyond the window; and checksum offload flags (hw/port_caps.h).
#include <rte_ip.h>
#include <rte_tcp.h>

#include "ravelin/hw/port_caps.h"
#include "tcp_fixture.h"

namespace ravelin::test {
namespace {

using ts::counter;

TEST_F(tcp_test, advertised_right_edge_never_moves_back) {
  open();
  out();
  rec_.consume = false;
  uint32_t edge = 0;
  for (int i = 0; i < 60; ++i) {
    peer_data(bytes(1200, static_cast<uint8_t>(i)));
    for (const parsed_tcp& a : out()) {
      const uint32_t e = a.ack + (uint32_t{a.window} << 1);
      EXPECT_GE(static_cast<int32_t>(e - edge), 0) << "segment " << i;
      edge = e;
    }
  }
  EXPECT_EQ(stack_->counters().get(counter::tcp_rx_zero_window_data) -
                before_.get(counter::tcp_rx_zero_window_data),
            uint64_t{0});
}

TEST_F(tcp_test, data_beyond_the_window_is_cut_and_a_full_window_refuses_data) {
  open();
  out();
  rec_.consume = false;
  while (peer_nxt_ - (k_peer_isn + 1) + 1448 <= 64 * 1024) peer_data(bytes(1448, 1));
  const uint32_t room = 64 * 1024 - (peer_nxt_ - (k_peer_isn + 1));
  peer_data(bytes(1448, 2));
  const auto acks = out();
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().ack, peer_nxt_ - 1448 + room) << "only what fits the window";
  EXPECT_EQ(acks.back().window, 0);
  send(seg(k_ack, acks.back().ack, our_nxt_, bytes(100, 3)));
  EXPECT_EQ(one().ack, acks.back().ack);
  EXPECT_EQ(stack_->counters().get(counter::tcp_rx_zero_window_data) -
                before_.get(counter::tcp_rx_zero_window_data),
            1u);
  // SWS avoidance: reading a few bytes does not reopen the window...
  stack_->tcp().consume(conn_, 100);
  EXPECT_TRUE(out().empty());
  // ...reading a lot does.
  stack_->tcp().consume(conn_, 32 * 1024);
  EXPECT_GE(one().window, (32 * 1024) >> 1);
}

TEST_F(tcp_test, largest_window_scale_and_clamped_shift) {
  peer_syn syn;
  syn.wscale = 15;  // RFC 7323 §2.3: taken as 14
  open(syn);
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.send_wscale, 14);
  EXPECT_EQ(i.send_window, 65535u << 14);
}

TEST_F(tcp_test, no_window_scale_limits_our_window_to_64k) {
  ts::stack_limits l = tcp_limits();
  l.tcp_recv_buffer = 1 << 20;
  rebuild(l);
  peer_syn syn;
  syn.wscale.reset();
  const parsed_tcp sa = open(syn);
  EXPECT_FALSE(sa.wscale.has_value());
  peer_data(bytes(10, 1));
  advance(50'000'000);
  EXPECT_EQ(one().window, 65535);
}

TEST_F(tcp_test, sender_respects_a_shrunken_peer_window) {
  open();
  out();
  tcp_fields f = seg(k_ack, peer_nxt_, our_nxt_);
  f.window = 16;  // 16 << 7 = 2048 bytes
  send(f);
  const bytes data(10'000, 9);
  stack_->tcp().send_copy(conn_, data.data(), 10'000);
  auto furthest = [&] {
    uint32_t end = 0;
    for (const parsed_tcp& p : out()) {
      end = std::max<uint32_t>(end, p.seq + static_cast<uint32_t>(p.payload.size()) - our_nxt_);
    }
    return end;
  };
  EXPECT_EQ(furthest(), 1448u) << "a full segment; the 600-byte rest waits (sender SWS)";
  advance(201'000'000);  // the RTO resends; nothing goes past the window
  EXPECT_LE(furthest(), 2048u);
  // The peer takes the segment and offers 640 bytes: a short segment, held by SWS avoidance
  // until the override timer finds nothing in flight and sends what fits.
  tcp_fields a = seg(k_ack, peer_nxt_, our_nxt_ + 1448);
  a.window = 5;  // 640 bytes
  send(a);
  EXPECT_TRUE(out().empty());
  advance(1'000'000'000);
  our_nxt_ += 1448;
  EXPECT_EQ(furthest(), 640u);
}

TEST_F(tcp_test, checksum_offload_leaves_checksums_to_the_nic) {
  open();
  out();
  ravelin::hw::port_capabilities caps;
  caps.tx_tcp_cksum = true;
  caps.tx_ipv4_cksum = true;
  stack_->set_port_offloads(0, caps);
  stack_->tcp().send_copy(conn_, "hello", 5);
  ts::tx_batch& b = stack_->output(0);
  ASSERT_EQ(b.count, 1);
  rte_mbuf* m = b.pkts[0];
  EXPECT_EQ(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM),
            RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM);
  EXPECT_EQ(m->l2_len, 14);
  EXPECT_EQ(m->l3_len, 20);
  EXPECT_EQ(m->l4_len, 32);
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, 14);
  auto* th = reinterpret_cast<rte_tcp_hdr*>(ip + 1);
  EXPECT_EQ(ip->hdr_checksum, 0) << "left for the NIC";
  EXPECT_EQ(th->cksum, rte_ipv4_phdr_cksum(ip, m->ol_flags)) << "pseudo-header sum only";
  drain(0);
}

TEST_F(tcp_test, received_checksum_flags_from_the_nic_are_trusted) {
  open();
  out();
  tcp_fields f = seg(k_ack | k_psh, peer_nxt_, our_nxt_, {1, 2, 3});
  f.checksum = 0xdead;
  const bytes frame = build_tcp_frame(to_us(), peer_to_us(6), f);
  feed(frame, 0, 0, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
  EXPECT_EQ(rec_.received[conn_.index].size(), 3u);
  peer_nxt_ += 3;
  f = seg(k_ack | k_psh, peer_nxt_, our_nxt_, {4, 5, 6});
  feed(build_tcp_frame(to_us(), peer_to_us(6), f), 0, 0, RTE_MBUF_F_RX_L4_CKSUM_BAD);
  EXPECT_EQ(rec_.received[conn_.index].size(), 3u);
  EXPECT_EQ(stack_->counters().get(counter::tcp_rx_bad_checksum) -
                before_.get(counter::tcp_rx_bad_checksum),
            1u);
}

}  // namespace
}  // namespace ravelin::test

namespace ravelin::test {
namespace {

TEST_F(tcp_test, tso_sends_whole_windows_for_the_nic_to_cut) {
  ts::stack_limits l = tcp_limits();
  l.tcp_tso = true;
  rebuild(l);
  open();
  out();
  ravelin::hw::port_capabilities caps;
  caps.tx_tcp_cksum = true;
  caps.tx_ipv4_cksum = true;
  caps.tso = true;
  stack_->set_port_offloads(0, caps);
  const bytes data(30'000, 5);
  stack_->tcp().send_copy(conn_, data.data(), 30'000);
  ts::tx_batch& b = stack_->output(0);
  ASSERT_EQ(b.count, 1) << "the initial window in one segment";
  rte_mbuf* m = b.pkts[0];
  EXPECT_NE(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG, 0u);
  EXPECT_EQ(m->tso_segsz, 1448);
  EXPECT_EQ(rte_pktmbuf_pkt_len(m), 14u + 20 + 32 + 10 * 1448);
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, 14);
  auto* th = reinterpret_cast<rte_tcp_hdr*>(ip + 1);
  EXPECT_EQ(th->cksum, rte_ipv4_phdr_cksum(ip, m->ol_flags)) << "length-free pseudo header";
  drain(0);
  // Retransmissions are one MSS, cut by the stack itself.
  advance(201'000'000);
  ASSERT_EQ(b.count, 1);
  EXPECT_EQ(b.pkts[0]->ol_flags & RTE_MBUF_F_TX_TCP_SEG, 0u);
  EXPECT_EQ(rte_pktmbuf_pkt_len(b.pkts[0]), 14u + 20 + 32 + 1448);
  drain(0);
}

TEST_F(tcp_test, tso_stays_off_unless_configured) {
  open();
  out();
  ravelin::hw::port_capabilities caps;
  caps.tx_tcp_cksum = caps.tx_ipv4_cksum = caps.tso = true;
  stack_->set_port_offloads(0, caps);
  const bytes data(30'000, 5);
  stack_->tcp().send_copy(conn_, data.data(), 30'000);
  EXPECT_EQ(stack_->output(0).count, 10);
  drain(0);
}

TEST_F(tcp_test, nagle_holds_small_writes_while_data_is_unacknowledged) {
  open();
  out();
  ASSERT_TRUE(stack_->tcp().set_nagle(conn_, true));
  stack_->tcp().send_copy(conn_, "first", 5);
  EXPECT_EQ(one().payload.size(), 5u);
  stack_->tcp().send_copy(conn_, "second", 6);
  stack_->tcp().send_copy(conn_, "third", 5);
  EXPECT_TRUE(out().empty()) << "RFC 9293 §3.7.4";
  send(seg(k_ack, peer_nxt_, our_nxt_ + 5));
  const parsed_tcp p = one();
  EXPECT_EQ(p.payload.size(), 11u) << "coalesced once the ACK came";
  ASSERT_TRUE(stack_->tcp().set_nagle(conn_, false));
  stack_->tcp().send_copy(conn_, "now", 3);
  EXPECT_EQ(one().payload.size(), 3u);
}

}  // namespace
}  // namespace ravelin::test
