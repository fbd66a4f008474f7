// Connection establishment as golden segments: passive open with and without options,
// segments to closed ports, malformed headers, active open, refusal and simultaneous open
// (RFC 9293 §3.5, §3.10.7.1-3; options RFC 9293 §3.7.1, RFC 7323, RFC 2018).
#include "tcp_fixture.h"

namespace ravelin::test {
namespace {

using ts::counter;

TEST_F(tcp_test, syn_to_closed_port_is_answered_with_rst) {
  tcp_fields f;
  f.dport = 81;
  f.seq = 777;
  f.payload = {1, 2, 3};
  send(f);
  const parsed_tcp r = one();
  EXPECT_EQ(r.flags, k_rst | k_ack);
  EXPECT_EQ(r.seq, 0u);
  EXPECT_EQ(r.ack, 777u + 1 + 3) << "SEG.SEQ + SEG.LEN, SYN counted";
  EXPECT_EQ(r.sport, 81);
  EXPECT_EQ(r.dport, k_peer_port);
  EXPECT_EQ(r.dst_ip, k_peer_ip);
  expect_deltas({{counter::eth_rx_packets, 1},
                 {counter::ipv4_rx_packets, 1},
                 {counter::tcp_rx_segments, 1},
                 {counter::tcp_rx_no_connection, 1},
                 {counter::tcp_tx_rst, 1},
                 {counter::tcp_tx_segments, 1}});
}

TEST_F(tcp_test, ack_to_closed_port_takes_rst_sequence_from_ack) {
  tcp_fields f = seg(k_ack, 5, 123456);
  f.dport = 81;
  send(f);
  const parsed_tcp r = one();
  EXPECT_EQ(r.flags, k_rst);
  EXPECT_EQ(r.seq, 123456u);
}

TEST_F(tcp_test, rst_to_closed_port_is_not_answered) {
  tcp_fields f = seg(k_rst, 5, 0);
  f.dport = 81;
  send(f);
  EXPECT_TRUE(out().empty());
  expect_deltas({{counter::eth_rx_packets, 1},
                 {counter::ipv4_rx_packets, 1},
                 {counter::tcp_rx_segments, 1},
                 {counter::tcp_rx_no_connection, 1}});
}

TEST_F(tcp_test, passive_open_with_all_options) {
  const parsed_tcp sa = open();
  EXPECT_EQ(sa.flags, k_syn | k_ack);
  EXPECT_EQ(sa.ack, k_peer_isn + 1);
  EXPECT_EQ(sa.sport, k_port);
  EXPECT_EQ(sa.dport, k_peer_port);
  EXPECT_EQ(sa.mss, 1460);
  ASSERT_TRUE(sa.wscale.has_value());
  EXPECT_EQ(*sa.wscale, 1) << "64 KiB buffer needs a shift of 1";
  EXPECT_TRUE(sa.sack_permitted);
  EXPECT_TRUE(sa.has_ts);
  EXPECT_EQ(sa.ts_ecr, 500u);
  EXPECT_EQ(sa.window, 65535) << "never scaled in a SYN";
  EXPECT_TRUE(sa.df);
  EXPECT_EQ(rec_.count(tcp_event::accepted), 1);
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.state, ts::tcp_state::established);
  EXPECT_EQ(i.mss, 1460 - 12) << "MSS less the timestamp option";
  EXPECT_TRUE(i.sack);
  EXPECT_TRUE(i.timestamps);
  EXPECT_EQ(i.send_wscale, 7);
  EXPECT_EQ(i.recv_wscale, 1);
  EXPECT_EQ(i.send_window, 65535u << 7);
  EXPECT_EQ(i.local_ip, k_our_ip0);
  EXPECT_EQ(i.remote_port, k_peer_port);
  EXPECT_EQ(
      stack_->counters().get(counter::tcp_passive_opens) - before_.get(counter::tcp_passive_opens),
      1u);
}

TEST_F(tcp_test, passive_open_without_options_uses_defaults) {
  tcp_fields f;
  f.seq = k_peer_isn;
  send(f);
  const parsed_tcp sa = one();
  EXPECT_EQ(sa.mss, 1460) << "our MSS is always offered";
  EXPECT_FALSE(sa.wscale.has_value()) << "no window scale unless the peer offered it";
  EXPECT_FALSE(sa.sack_permitted);
  EXPECT_FALSE(sa.has_ts);
  our_nxt_ = sa.seq + 1;
  send(seg(k_ack, peer_nxt_, our_nxt_));
  ASSERT_EQ(rec_.count(tcp_event::accepted), 1);
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(rec_.events[0].c, i));
  EXPECT_EQ(i.mss, 536) << "RFC 9293 §3.7.1 default";
  EXPECT_FALSE(i.timestamps);
  EXPECT_EQ(i.send_wscale, 0);
}

TEST_F(tcp_test, handshake_ack_with_wrong_number_is_reset) {
  tcp_fields f;
  f.seq = k_peer_isn;
  send(f);
  const parsed_tcp sa = one();
  send(seg(k_ack, k_peer_isn + 1, sa.seq + 7));
  const parsed_tcp r = one();
  EXPECT_EQ(r.flags, k_rst);
  EXPECT_EQ(r.seq, sa.seq + 7);
  EXPECT_EQ(rec_.count(tcp_event::accepted), 0);
}

TEST_F(tcp_test, retransmitted_syn_gets_the_syn_ack_again) {
  tcp_fields f;
  f.seq = k_peer_isn;
  send(f);
  const parsed_tcp first = one();
  send(f);
  const parsed_tcp again = one();
  EXPECT_EQ(again.flags, k_syn | k_ack);
  EXPECT_EQ(again.seq, first.seq);
  EXPECT_EQ(stack_->tcp().connections(), 1u);
}

TEST_F(tcp_test, malformed_headers_are_dropped) {
  tcp_fields f;
  f.data_offset = 4;
  send(f);
  f.data_offset = 15;  // 60 bytes of header in a 20-byte segment
  send(f);
  tcp_fields bad;
  bad.checksum = 0x1234;
  send(bad);
  EXPECT_TRUE(out().empty());
  expect_deltas({{counter::eth_rx_packets, 3},
                 {counter::ipv4_rx_packets, 3},
                 {counter::tcp_rx_segments, 3},
                 {counter::tcp_rx_malformed, 2},
                 {counter::tcp_rx_bad_checksum, 1}});
}

TEST_F(tcp_test, malformed_option_is_counted_and_the_rest_ignored) {
  tcp_fields f;
  f.seq = k_peer_isn;
  f.options = cat({opt_mss(1000), bytes{8, 0, 0, 0}});  // timestamp option of length 0
  send(f);
  const parsed_tcp sa = one();
  EXPECT_FALSE(sa.has_ts);
  EXPECT_EQ(stack_->counters().get(counter::tcp_rx_bad_options) -
                before_.get(counter::tcp_rx_bad_options),
            1u);
}

TEST_F(tcp_test, syn_to_broadcast_is_dropped) {
  tcp_fields f;
  ipv4_fields ip = peer_to_us(6);
  ip.dst = ipv4_addr(198, 18, 0, 255);
  feed(build_tcp_frame({k_broadcast_mac, k_peer_mac, 0x0800}, ip, f));
  EXPECT_TRUE(out().empty());
  expect_deltas({{counter::eth_rx_packets, 1},
                 {counter::ipv4_rx_packets, 1},
                 {counter::tcp_rx_segments, 1},
                 {counter::tcp_rx_broadcast, 1}});
}

class active_open : public tcp_test {
 protected:
  parsed_tcp connect() {
    conn_ = stack_->tcp().connect(k_peer_ip, 8080, &rec_, nullptr);
    EXPECT_TRUE(conn_.valid());
    parsed_tcp syn = one();
    our_isn_ = syn.seq;
    our_nxt_ = syn.seq + 1;
    return syn;
  }
  tcp_fields from_server(uint8_t flags, uint32_t seq, uint32_t ack) {
    tcp_fields f = seg(flags, seq, ack);
    f.sport = 8080;
    return f;
  }
  void send_from_server(tcp_fields f, uint16_t our_port) {
    f.dport = our_port;
    feed(build_tcp_frame(to_us(), peer_to_us(6), f));
  }
};

TEST_F(active_open, syn_offers_every_option_and_completes) {
  const parsed_tcp syn = connect();
  EXPECT_EQ(syn.flags, k_syn);
  EXPECT_EQ(syn.dport, 8080);
  EXPECT_GE(syn.sport, 32768);
  EXPECT_LE(syn.sport, 60999);
  EXPECT_EQ(syn.mss, 1460);
  EXPECT_TRUE(syn.sack_permitted);
  EXPECT_TRUE(syn.has_ts);
  EXPECT_EQ(syn.ts_ecr, 0u);
  ASSERT_TRUE(syn.wscale.has_value());
  tcp_fields sa = from_server(k_syn | k_ack, 9000, our_nxt_);
  sa.options = cat({opt_mss(1400), opt_sack_permitted(), opt_timestamp(77, syn.ts_val), opt_nops(1),
                    opt_wscale(3)});
  send_from_server(sa, syn.sport);
  const parsed_tcp ack = one();
  EXPECT_EQ(ack.flags, k_ack);
  EXPECT_EQ(ack.seq, our_nxt_);
  EXPECT_EQ(ack.ack, 9001u);
  EXPECT_EQ(ack.ts_ecr, 77u);
  ASSERT_EQ(rec_.count(tcp_event::connected), 1);
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.state, ts::tcp_state::established);
  EXPECT_EQ(i.mss, 1400 - 12);
  EXPECT_EQ(i.send_wscale, 3);
}

TEST_F(active_open, rst_answer_means_refused) {
  const parsed_tcp syn = connect();
  send_from_server(from_server(k_rst | k_ack, 0, our_nxt_), syn.sport);
  EXPECT_TRUE(out().empty());
  const tcp_event* e = rec_.last(tcp_event::closed);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->reason, ts::close_reason::refused);
  EXPECT_EQ(stack_->tcp().connections(), 0u);
}

TEST_F(active_open, rst_without_acceptable_ack_is_ignored) {
  const parsed_tcp syn = connect();
  send_from_server(from_server(k_rst, 0, 0), syn.sport);
  EXPECT_EQ(rec_.count(tcp_event::closed), 0);
  send_from_server(from_server(k_rst | k_ack, 0, our_nxt_ + 5), syn.sport);
  EXPECT_EQ(rec_.count(tcp_event::closed), 0);
  EXPECT_EQ(out().size(), 0u) << "no RST in answer to a RST";
}

TEST_F(active_open, bad_syn_ack_is_reset) {
  const parsed_tcp syn = connect();
  send_from_server(from_server(k_syn | k_ack, 9000, our_isn_ + 100), syn.sport);
  const parsed_tcp r = one();
  EXPECT_EQ(r.flags, k_rst);
  EXPECT_EQ(r.seq, our_isn_ + 100);
}

TEST_F(active_open, simultaneous_open) {
  const parsed_tcp syn = connect();
  tcp_fields s = from_server(k_syn, 9000, 0);
  s.options = cat({opt_mss(1460), opt_timestamp(77, 0)});
  send_from_server(s, syn.sport);
  ts_ = true;  // both SYNs carried timestamps
  const parsed_tcp sa = one();
  EXPECT_EQ(sa.flags, k_syn | k_ack) << "RFC 9293 Figure 8";
  EXPECT_EQ(sa.seq, our_isn_);
  EXPECT_EQ(sa.ack, 9001u);
  send_from_server(from_server(k_ack, 9001, our_nxt_), syn.sport);
  EXPECT_EQ(rec_.count(tcp_event::connected), 1);
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.state, ts::tcp_state::established);
}

TEST_F(active_open, syn_retransmits_back_off_then_time_out) {
  connect();
  uint64_t rto = 1'000'000'000;
  for (int i = 0; i < 6; ++i) {
    advance(rto - 1'000'000);
    EXPECT_TRUE(out().empty()) << "retry " << i << " too early";
    advance(2'000'000);
    const parsed_tcp syn = one();
    EXPECT_EQ(syn.flags, k_syn);
    EXPECT_EQ(syn.seq, our_isn_);
    rto *= 2;
  }
  advance(rto + 1'000'000);
  const tcp_event* e = rec_.last(tcp_event::closed);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->reason, ts::close_reason::timed_out);
  EXPECT_EQ(stack_->tcp().connections(), 0u);
}

TEST_F(active_open, no_route_is_refused_and_counted) {
  ts::stack_limits l = tcp_limits();
  std::vector<ts::interface_addr> ifs = {{0, k_our_mac0, k_our_ip0, 24, 0}};
  make_stack(ifs, l);
  const ts::conn_id c = stack_->tcp().connect(ipv4_addr(203, 0, 113, 1), 80, &rec_, nullptr);
  EXPECT_FALSE(c.valid());
  expect_deltas({{counter::tcp_connect_no_route, 1}});
}

}  // namespace
}  // namespace ravelin::test
