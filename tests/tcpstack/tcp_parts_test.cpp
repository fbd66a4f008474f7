// The TCP engine's building blocks on their own: sequence arithmetic across the wrap, the
// timer wheel, the option codec, the connection table, the segment queue and the Toeplitz
// steering of rss.h (checked against Microsoft's published RSS verification vectors).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "internal/checksum.h"
#include "internal/conn_table.h"
#include "internal/seg_queue.h"
#include "internal/seq.h"
#include "internal/tcp_options.h"
#include "internal/timer_wheel.h"
#include "ravelin/tcpstack/rss.h"
#include "stack_fixture.h"

namespace ravelin::test {
namespace {

namespace in = ravelin::tcpstack::internal;

TEST(tcp_seq, comparisons_wrap_around) {
  EXPECT_TRUE(in::seq_lt(0xfffffff0u, 0x10u));
  EXPECT_TRUE(in::seq_gt(0x10u, 0xfffffff0u));
  EXPECT_TRUE(in::seq_leq(5u, 5u));
  EXPECT_EQ(in::seq_max(0xfffffff0u, 0x10u), 0x10u);
  EXPECT_TRUE(in::seq_in(0x2u, 0xfffffffeu, 0x5u));
  EXPECT_FALSE(in::seq_in(0x5u, 0xfffffffeu, 0x5u));
  EXPECT_EQ(in::seq_diff(0x10u, 0xfffffff0u), 0x20);
}

TEST(tcp_timer_wheel, fires_in_deadline_order_at_tick_granularity) {
  in::timer_wheel w(8, 16, 1000, 0);
  w.schedule(1, 5500);
  w.schedule(2, 2000);
  w.schedule(3, 100'000);  // beyond one revolution (16 ticks)
  std::vector<uint32_t> fired;
  auto rec = [&](uint32_t id) { fired.push_back(id); };
  w.advance(5000, rec);
  EXPECT_EQ(fired, std::vector<uint32_t>{2});
  w.advance(6000, rec);
  EXPECT_EQ(fired, (std::vector<uint32_t>{2, 1})) << "5500 rounds up to tick 6";
  w.advance(99'000, rec);
  EXPECT_EQ(fired.size(), 2u) << "a far deadline is skipped on earlier revolutions";
  w.advance(100'000, rec);
  EXPECT_EQ(fired.back(), 3u);
  EXPECT_EQ(w.size(), 0u);
}

TEST(tcp_timer_wheel, cancel_reschedule_and_rearm_from_fire) {
  in::timer_wheel w(4, 8, 10, 0);
  w.schedule(0, 50);
  w.schedule(1, 50);
  w.cancel(0);
  w.schedule(1, 200);
  int fires = 0;
  w.advance(100, [&](uint32_t) { ++fires; });
  EXPECT_EQ(fires, 0);
  // A handler re-arming itself in the past lands ahead, not a revolution later.
  w.advance(200, [&](uint32_t id) {
    ++fires;
    if (fires == 1) w.schedule(id, 0);
  });
  EXPECT_EQ(fires, 1);
  w.advance(210, [&](uint32_t) { ++fires; });
  EXPECT_EQ(fires, 2);
}

TEST(tcp_timer_wheel, a_firing_may_cancel_another_due_timer) {
  in::timer_wheel w(4, 8, 10, 0);
  w.schedule(0, 10);
  w.schedule(1, 10);
  std::vector<uint32_t> fired;
  w.advance(10, [&](uint32_t id) {
    fired.push_back(id);
    w.cancel(1 - id);
  });
  EXPECT_EQ(fired.size(), 1u);
  EXPECT_EQ(w.size(), 0u);
}

TEST(tcp_timer_wheel, long_jump_finds_everything_due) {
  in::timer_wheel w(100, 16, 1, 0);
  std::mt19937 rng(1);
  for (uint32_t i = 0; i < 100; ++i) w.schedule(i, rng() % 10'000);
  std::set<uint32_t> fired;
  w.advance(1'000'000, [&](uint32_t id) { fired.insert(id); });
  EXPECT_EQ(fired.size(), 100u);
}

TEST(tcp_options, round_trip_syn_set) {
  in::option_set o;
  o.mss = 1460;
  o.wscale = 7;
  o.sack_permitted = true;
  o.timestamp = true;
  o.ts_val = 0x01020304;
  o.ts_ecr = 0x0a0b0c0d;
  uint8_t buf[40];
  const uint32_t n = in::write_options(buf, o);
  EXPECT_EQ(n, 20u);
  EXPECT_EQ(n, in::options_length(o));
  in::tcp_options p;
  ASSERT_TRUE(in::parse_options(buf, n, true, p));
  EXPECT_EQ(p.mss, 1460);
  EXPECT_EQ(p.wscale, 7);
  EXPECT_TRUE(p.sack_permitted);
  EXPECT_TRUE(p.has_timestamp);
  EXPECT_EQ(p.ts_val, 0x01020304u);
  EXPECT_EQ(p.ts_ecr, 0x0a0b0c0du);
}

TEST(tcp_options, sack_blocks_fit_beside_timestamps) {
  in::sack_block b[4] = {{1, 2}, {3, 4}, {5, 6}, {7, 8}};
  in::option_set o;
  o.timestamp = true;
  o.sack = b;
  o.sack_count = 4;
  uint8_t buf[40];
  const uint32_t n = in::write_options(buf, o);
  EXPECT_EQ(n, 12u + 4 + 24) << "three blocks fit with timestamps (RFC 2018 §3)";
  in::tcp_options p;
  ASSERT_TRUE(in::parse_options(buf, n, false, p));
  EXPECT_EQ(p.sack_count, 3);
  EXPECT_EQ(p.sack[2].start, 5u);
  o.timestamp = false;
  EXPECT_EQ(in::write_options(buf, o), 36u) << "four without";
}

TEST(tcp_options, syn_only_options_ignored_elsewhere_and_shift_clamped) {
  const uint8_t opts[] = {2, 4, 5, 0xb4, 3, 3, 20, 4, 2, 1, 1, 1, 0};
  in::tcp_options p;
  ASSERT_TRUE(in::parse_options(opts, sizeof(opts), false, p));
  EXPECT_EQ(p.mss, 0);
  EXPECT_EQ(p.wscale, 0xff);
  EXPECT_FALSE(p.sack_permitted);
  in::tcp_options s;
  ASSERT_TRUE(in::parse_options(opts, sizeof(opts), true, s));
  EXPECT_EQ(s.wscale, 14) << "RFC 7323 §2.3: larger shifts are taken as 14";
}

TEST(tcp_options, malformed_lengths_stop_parsing) {
  const uint8_t zero_len[] = {99, 0, 2, 4, 5, 0xb4};
  const uint8_t past_end[] = {2, 4, 5, 0xb4, 8, 10, 0, 0};
  const uint8_t wrong_len[] = {2, 3, 5, 0};
  const uint8_t lone_kind[] = {1, 1, 8};
  for (auto [p, n] : {std::pair{zero_len, sizeof(zero_len)},
                      {past_end, sizeof(past_end)},
                      {wrong_len, sizeof(wrong_len)},
                      {lone_kind, sizeof(lone_kind)}}) {
    in::tcp_options o;
    EXPECT_FALSE(in::parse_options(p, static_cast<uint32_t>(n), true, o));
  }
  in::tcp_options o;
  in::parse_options(past_end, sizeof(past_end), true, o);
  EXPECT_EQ(o.mss, 1460) << "what came before the fault is kept";
  EXPECT_FALSE(o.has_timestamp);
}

TEST(tcp_conn_table, insert_find_erase_under_collisions) {
  std::vector<in::tcb> pool(512);
  in::conn_table t(512, {1, 2});
  for (uint32_t i = 0; i < 512; ++i) {
    pool[i].local_ip = 1;
    pool[i].remote_ip = 2;
    pool[i].local_port = 80;
    pool[i].remote_port = static_cast<uint16_t>(i);
    t.insert(in::key_of(pool[i]), i);
  }
  EXPECT_EQ(t.size(), 512u);
  for (uint32_t i = 0; i < 512; i += 2) t.erase(in::key_of(pool[i]), i);
  for (uint32_t i = 0; i < 512; ++i) {
    EXPECT_EQ(t.find(in::key_of(pool[i]), pool.data()), i % 2 ? i : in::k_none) << i;
  }
  EXPECT_EQ(t.find({1, 2, 81, 1}, pool.data()), in::k_none);
}

class seg_queue_test : public stack_test {};

TEST_F(seg_queue_test, append_drop_take) {
  in::seg_queue q;
  in::sq_append(q, to_mbuf(test_pool(), bytes(100, 1), 40));  // 40 + 40 + 20
  in::sq_append(q, to_mbuf(test_pool(), bytes(10, 2)));
  EXPECT_EQ(q.bytes, 110u);
  EXPECT_EQ(q.segs, 4u);
  EXPECT_EQ(in::sq_drop_front(q, 50), 1u);
  EXPECT_EQ(q.head_off, 10u);
  EXPECT_TRUE(in::sq_append_copy(q, bytes(5, 3).data(), 5));
  rte_mbuf* m = in::sq_take(q);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(rte_pktmbuf_pkt_len(m), 65u);
  EXPECT_EQ(m->nb_segs, 3);
  bytes want(50, 1);
  want.insert(want.end(), 10, 2);
  want.insert(want.end(), 5, 3);
  EXPECT_EQ(to_bytes(m), want);
  rte_pktmbuf_free(m);
  EXPECT_EQ(q.head, nullptr);
}

TEST_F(seg_queue_test, chain_trims) {
  rte_mbuf* m = to_mbuf(test_pool(), bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 3);
  m = in::chain_trim_front(m, 4);
  EXPECT_EQ(to_bytes(m), (bytes{5, 6, 7, 8, 9, 10}));
  in::chain_trim_back(m, 4);
  EXPECT_EQ(to_bytes(m), (bytes{5, 6, 7, 8}));
  rte_pktmbuf_free(m);
}

TEST_F(seg_queue_test, chain_checksum_matches_rfc1071_at_any_split) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    const std::size_t len = 1 + rng() % 1800;
    bytes data(len);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    if (round % 7 == 0) std::fill(data.begin(), data.end(), 0xff);  // carries everywhere
    // Build a chain with random, often odd, segment sizes.
    rte_mbuf* head = nullptr;
    for (std::size_t off = 0; off < len;) {
      const std::size_t n = std::min<std::size_t>(len - off, 1 + rng() % 300);
      rte_mbuf* s = to_mbuf(test_pool(), bytes(data.begin() + off, data.begin() + off + n));
      if (head == nullptr) {
        head = s;
      } else {
        ASSERT_EQ(rte_pktmbuf_chain(head, s), 0);
      }
      off += n;
    }
    const uint32_t from = static_cast<uint32_t>(rng() % len);
    uint16_t sum = 0;
    ASSERT_TRUE(in::chain_sum(head, from, static_cast<uint32_t>(len - from), sum));
    const uint16_t want = static_cast<uint16_t>(~inet_checksum(data.data() + from, len - from));
    // The native-order sum, stored, reads back as the network-order sum.
    EXPECT_EQ(rte_be_to_cpu_16(sum), want == 0 ? 0xffff : want) << "round " << round;
    rte_pktmbuf_free(head);
  }
}

// Microsoft's "Verifying the RSS Hash Calculation" IPv4/TCP vectors with the default key.
TEST(tcp_rss, toeplitz_matches_published_vectors) {
  const uint8_t* k = ts::k_default_rss_key.data();
  EXPECT_EQ(ts::toeplitz_ipv4_tcp(k, ipv4_addr(66, 9, 149, 187), ipv4_addr(161, 142, 100, 80), 2794,
                                  1766),
            0x51ccc178u);
  EXPECT_EQ(
      ts::toeplitz_ipv4_tcp(k, ipv4_addr(199, 92, 111, 2), ipv4_addr(65, 69, 140, 83), 14230, 4739),
      0xc626b0eau);
  EXPECT_EQ(ts::toeplitz_ipv4_tcp(k, ipv4_addr(24, 19, 198, 95), ipv4_addr(12, 22, 207, 184), 12898,
                                  38024),
            0x5c2b394au);
}

TEST(tcp_rss, chosen_ports_steer_replies_to_our_queue) {
  ts::rss_config cfg;
  cfg.key.assign(ts::k_default_rss_key.begin(), ts::k_default_rss_key.end());
  for (uint16_t i = 0; i < 128; ++i) cfg.reta.push_back(i % 4);
  const uint32_t local = ipv4_addr(198, 18, 0, 1);
  const uint32_t remote = ipv4_addr(198, 18, 2, 10);
  for (uint16_t q = 0; q < 4; ++q) {
    cfg.queue = q;
    int found = 0;
    uint16_t start = 40000;
    for (int n = 0; n < 50; ++n) {
      const uint16_t p = ts::choose_local_port(cfg, local, remote, 9000, 32768, 60999, start, 1000,
                                               [](uint16_t) { return true; });
      ASSERT_NE(p, 0);
      EXPECT_TRUE(ts::reply_lands_here(cfg, local, p, remote, 9000));
      start = static_cast<uint16_t>(p + 1);
      ++found;
    }
    EXPECT_EQ(found, 50);
  }
}

}  // namespace
}  // namespace ravelin::test
