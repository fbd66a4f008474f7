// The application interface around the segments: opaque pointers and handler changes,
// stale handles, unlisten, zero-copy take(), a new SYN for a 4-tuple in TIME-WAIT
// (RFC 6191) and reuse of a TIME-WAIT tuple by an explicit connect.
#include <set>

#include "tcp_fixture.h"

namespace ravelin::test {
namespace {

using ts::counter;

class tcp_api : public tcp_test {
 protected:
  // Ends our side first; after the peer's FIN the 4-tuple is in TIME-WAIT.
  void to_time_wait() {
    ASSERT_TRUE(stack_->tcp().close(conn_));
    const parsed_tcp fin = one();
    send(seg(k_ack | k_fin, peer_nxt_, fin.seq + 1));
    ++peer_nxt_;
    EXPECT_EQ(one().ack, peer_nxt_);
    ts::conn_info i;
    EXPECT_FALSE(stack_->tcp().info(conn_, i)) << "reported closed";
  }
};

TEST_F(tcp_api, opaque_and_handler_follow_the_connection) {
  int tag = 7;
  ASSERT_TRUE(stack_->tcp().unlisten(k_port));
  ASSERT_TRUE(stack_->tcp().listen(k_port, &rec_, &tag));
  open();
  EXPECT_EQ(stack_->tcp().opaque(conn_), &tag) << "inherited from the listener";
  int other = 8;
  ASSERT_TRUE(stack_->tcp().set_opaque(conn_, &other));
  recorder second;
  second.tcp = &stack_->tcp();
  ASSERT_TRUE(stack_->tcp().set_handler(conn_, &second));
  peer_data({1, 2, 3});
  EXPECT_EQ(second.count(tcp_event::readable), 1);
  EXPECT_EQ(rec_.count(tcp_event::readable), 0);
}

TEST_F(tcp_api, stale_handles_fail_harmlessly) {
  open();
  const ts::conn_id old = conn_;
  send(seg(k_rst, peer_nxt_, 0));
  ASSERT_EQ(rec_.count(tcp_event::closed), 1);
  auto& tcp = stack_->tcp();
  EXPECT_EQ(tcp.send_copy(old, "x", 1), 0u);
  rte_mbuf* m = to_mbuf(test_pool(), {1});
  EXPECT_EQ(tcp.send(old, m), ts::send_status::invalid);
  rte_pktmbuf_free(m);
  EXPECT_EQ(tcp.readable(old).length, 0u);
  EXPECT_EQ(tcp.take(old), nullptr);
  EXPECT_FALSE(tcp.close(old));
  EXPECT_FALSE(tcp.shutdown(old));
  ts::conn_info i;
  EXPECT_FALSE(tcp.info(old, i));
  // The slot is reused by the next connection; the old handle must not reach it.
  peer_nxt_ = k_peer_isn + 1;
  open();
  EXPECT_EQ(conn_.index, old.index);
  EXPECT_FALSE(tcp.info(old, i));
  EXPECT_TRUE(tcp.info(conn_, i));
}

TEST_F(tcp_api, send_after_shutdown_is_refused) {
  open();
  ASSERT_TRUE(stack_->tcp().shutdown(conn_));
  rte_mbuf* m = to_mbuf(test_pool(), {1});
  EXPECT_EQ(stack_->tcp().send(conn_, m), ts::send_status::closed);
  rte_pktmbuf_free(m);
  EXPECT_EQ(stack_->tcp().send_copy(conn_, "x", 1), 0u);
}

TEST_F(tcp_api, take_hands_over_a_well_formed_chain) {
  open();
  rec_.consume = false;
  peer_data(bytes(1000, 1));
  peer_data(bytes(1000, 2));
  rte_mbuf* m = stack_->tcp().take(conn_);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(rte_pktmbuf_pkt_len(m), 2000u);
  bytes want(1000, 1);
  want.insert(want.end(), 1000, 2);
  EXPECT_EQ(to_bytes(m), want);
  rte_pktmbuf_free(m);
  EXPECT_EQ(stack_->tcp().readable(conn_).length, 0u);
  EXPECT_EQ(stack_->tcp().held_mbufs(), 0u);
}

TEST_F(tcp_api, unlisten_resets_handshakes_and_refuses_new_ones) {
  tcp_fields f;
  f.seq = k_peer_isn;
  send(f);
  one();
  ASSERT_TRUE(stack_->tcp().unlisten(k_port));
  EXPECT_EQ(one().flags & k_rst, k_rst);
  EXPECT_EQ(stack_->tcp().connections(), 0u);
  send(f);
  EXPECT_EQ(one().flags, k_rst | k_ack);
  EXPECT_FALSE(stack_->tcp().unlisten(k_port));
}

TEST_F(tcp_api, newer_syn_reopens_a_time_wait_tuple) {
  open();
  to_time_wait();
  EXPECT_EQ(stack_->tcp().connections(), 1u);
  // An older SYN (timestamp not newer) is answered as a segment of the old connection.
  tcp_fields old_syn;
  old_syn.seq = peer_nxt_ + 1000;
  old_syn.options = cat({opt_mss(1460), opt_timestamp(peer_ts_ - 1, 0)});
  send(old_syn);
  EXPECT_EQ(one().flags, k_ack);
  // A newer one starts a new incarnation (RFC 6191 §2).
  tcp_fields syn = old_syn;
  syn.options = cat({opt_mss(1460), opt_timestamp(peer_ts_ + 100, 0)});
  send(syn);
  const parsed_tcp sa = one();
  EXPECT_EQ(sa.flags, k_syn | k_ack);
  EXPECT_EQ(sa.ack, syn.seq + 1);
  EXPECT_EQ(stack_->counters().get(counter::tcp_time_wait_reused) -
                before_.get(counter::tcp_time_wait_reused),
            1u);
}

TEST_F(tcp_api, connect_reuses_a_time_wait_tuple_after_a_second) {
  // Our active open ends in TIME-WAIT, then the same local port is asked for again.
  conn_ = stack_->tcp().connect(k_peer_ip, 8080, &rec_, nullptr);
  const parsed_tcp syn = one();
  tcp_fields sa;
  sa.sport = 8080;
  sa.dport = syn.sport;
  sa.flags = k_syn | k_ack;
  sa.seq = 5000;
  sa.ack = syn.seq + 1;
  sa.options = cat({opt_mss(1460), opt_timestamp(10, syn.ts_val)});
  feed(build_tcp_frame(to_us(), peer_to_us(6), sa));
  one();
  ASSERT_TRUE(stack_->tcp().close(conn_));
  one();
  sa.flags = k_ack | k_fin;
  sa.seq = 5001;
  sa.ack = syn.seq + 2;
  sa.options = cat({opt_nops(2), opt_timestamp(11, 0)});
  feed(build_tcp_frame(to_us(), peer_to_us(6), sa));
  one();
  ts::connect_options o;
  o.local_port = syn.sport;
  EXPECT_FALSE(stack_->tcp().connect(k_peer_ip, 8080, &rec_, nullptr, o).valid()) << "too soon";
  advance(1'001'000'000);
  EXPECT_TRUE(stack_->tcp().connect(k_peer_ip, 8080, &rec_, nullptr, o).valid());
  EXPECT_EQ(one().flags, k_syn);
}

TEST_F(tcp_api, ephemeral_ports_do_not_collide) {
  std::set<uint16_t> ports;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(stack_->tcp().connect(k_peer_ip, 8080, &rec_, nullptr).valid());
    ports.insert(one().sport);
  }
  EXPECT_EQ(ports.size(), 200u);
}

}  // namespace
}  // namespace ravelin::test
