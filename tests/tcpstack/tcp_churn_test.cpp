// Connection churn and SYN floods. Thousands of short connections between two stacks, with
// every way of ending one, must leave no connection, timer or mbuf behind (the timer
// bookkeeping bug class of mTCP #102). A SYN flood must stay within the half-open bounds,
// be answered with SYN cookies, and not stop a legitimate client (RFC 4987).
#include <map>

#include "pair_harness.h"
#include "tcp_fixture.h"

namespace ravelin::test {
namespace {

using ts::counter;
constexpr uint64_t k_s = 1'000'000'000;

uint64_t key(ts::conn_id c) { return (uint64_t{c.generation} << 32) | c.index; }

// Reads and verifies each connection's bytes (stream seed = the size it will receive);
// closes when the peer does, or first for every fifth connection.
struct churn_server : ts::tcp_handler {
  explicit churn_server(ts::stack& s) : stack(s) {}
  void on_accepted(ts::conn_id c, void*) override { got[key(c)] = 0; }
  void on_readable(ts::conn_id c, void*, ts::rx_view v) override {
    uint64_t& off = got[key(c)];
    v.for_each([&](const uint8_t* p, uint32_t n) {
      for (uint32_t i = 0; i < n; ++i) mismatches += p[i] != stream_byte(1, off + i);
      off += n;
    });
    bytes += v.length;
    stack.tcp().consume(c, v.length);
    if (off >= 1500 && c.index % 5 == 0) stack.tcp().close(c);
  }
  void on_peer_closed(ts::conn_id c, void*) override { stack.tcp().close(c); }
  void on_closed(ts::conn_id c, void*, ts::close_reason r) override {
    got.erase(key(c));
    ++closed;
    resets += r == ts::close_reason::reset;
  }
  ts::stack& stack;
  std::map<uint64_t, uint64_t> got;
  uint64_t bytes = 0, mismatches = 0;
  int closed = 0, resets = 0;
};

// Keeps `concurrency` connections going until `total` have ended: each sends 1500-4300
// bytes then closes; every ninth aborts instead.
struct churn_client : ts::tcp_handler {
  churn_client(ts::stack& s, int total, int concurrency)
      : stack(s), total(total), concurrency(concurrency) {}
  void launch() {
    while (started < total && started - ended < concurrency) {
      ++started;
      if (!stack.tcp().connect(k_ip_b, 6000, this, nullptr).valid()) ++refused;
    }
  }
  void on_connected(ts::conn_id c, void*) override {
    const uint32_t n = 1500 + (c.index * 700) % 2800;
    uint8_t buf[4300];
    for (uint32_t i = 0; i < n; ++i) buf[i] = stream_byte(1, i);
    sent += stack.tcp().send_copy(c, buf, n);
    if (++connected % 9 == 0) {
      stack.tcp().abort(c);
      ++aborted;
      ++ended;
      launch();
    } else {
      stack.tcp().close(c);
    }
  }
  void on_closed(ts::conn_id, void*, ts::close_reason r) override {
    ++ended;
    abnormal += r != ts::close_reason::normal && r != ts::close_reason::reset;
    launch();
  }
  ts::stack& stack;
  int total, concurrency;
  int started = 0, ended = 0, connected = 0, aborted = 0, refused = 0, abnormal = 0;
  uint64_t sent = 0;
};

TEST(tcp_churn, thousands_of_connections_leave_nothing_behind) {
  const unsigned baseline = pool_in_use(pair_pool());
  {
    ts::stack_limits l;
    l.tcp_secret = 3;
    l.tcp_max_connections = 512;
    l.tcp_time_wait_ns = 2 * k_s;
    link_faults f;
    f.loss = 0.01;
    f.duplicate = 0.01;
    f.reorder = 0.02;
    f.seed = 21;
    pair_harness h(l, l, f);
    churn_server server(h.b());
    ASSERT_TRUE(h.b().tcp().listen(6000, &server));
    churn_client client(h.a(), 3000, 64);
    client.launch();
    ASSERT_TRUE(h.run_until([&] { return client.ended >= 3000; }, 900 * k_s))
        << client.ended << " ended";
    ASSERT_TRUE(h.run_until(
        [&] { return h.a().tcp().connections() == 0 && h.b().tcp().connections() == 0; }, 180 * k_s,
        10'000'000))
        << h.a().tcp().connections() << " / " << h.b().tcp().connections() << " left";
    EXPECT_EQ(client.refused, 0);
    EXPECT_EQ(client.abnormal, 0);
    EXPECT_EQ(server.mismatches, 0u);
    EXPECT_GT(server.bytes, 3000u * 1000);
    EXPECT_TRUE(server.got.empty()) << "every accepted connection was reported closed";
    for (ts::stack* s : {&h.a(), &h.b()}) {
      EXPECT_EQ(s->tcp().timers(), 0u);
      EXPECT_EQ(s->tcp().held_mbufs(), 0u);
      EXPECT_EQ(s->held_mbufs(), 0u);
    }
    std::printf("[ churn ] %d connections (%d aborted), %lu frames, %lu dropped, %.1f s\n",
                client.ended, client.aborted, h.sent, h.dropped,
                static_cast<double>(h.now()) / k_s - 1);
  }
  EXPECT_EQ(pool_in_use(pair_pool()), baseline) << "mbuf leak";
}

TEST_F(tcp_test, time_wait_is_recycled_when_the_pool_is_full) {
  ts::stack_limits l = tcp_limits();
  l.tcp_max_connections = 4;
  rebuild(l);
  for (uint16_t i = 0; i < 10; ++i) {
    const uint16_t port = static_cast<uint16_t>(41000 + i);
    tcp_fields syn;
    syn.seq = k_peer_isn;
    send(syn, port);
    const parsed_tcp sa = one();
    tcp_fields a;
    a.flags = k_ack;
    a.seq = k_peer_isn + 1;
    a.ack = sa.seq + 1;
    send(a, port);
    const ts::conn_id c = rec_.last(tcp_event::accepted)->c;
    ASSERT_TRUE(stack_->tcp().close(c));  // we close first: TIME-WAIT is ours
    const parsed_tcp fin = one();
    a.flags = k_ack | k_fin;
    a.ack = fin.seq + 1;
    send(a, port);
    one();
    EXPECT_LE(stack_->tcp().connections(), 4u);
  }
  EXPECT_EQ(rec_.count(tcp_event::accepted), 10);
  EXPECT_EQ(stack_->counters().get(counter::tcp_time_wait_recycled) -
                before_.get(counter::tcp_time_wait_recycled),
            6u);
}

class syn_flood : public tcp_test {
 protected:
  void SetUp() override {
    tcp_test::SetUp();
    ts::stack_limits l = tcp_limits();
    l.tcp_max_half_open = 64;
    l.tcp_listen_backlog = 32;
    l.tcp_max_connections = 128;
    l.tcp_syn_cookies = cookies_;
    rebuild(l);
  }
  void flood(int n) {
    for (int i = 0; i < n; ++i) {
      tcp_fields f;
      f.seq = 0x1000u * static_cast<uint32_t>(i);
      f.options = cat({opt_mss(1460), opt_sack_permitted(), opt_timestamp(i, 0)});
      send(f, static_cast<uint16_t>(10000 + i));
      drain(0);
    }
  }
  uint64_t moved(counter c) const { return stack_->counters().get(c) - before_.get(c); }
  bool cookies_ = true;
};

TEST_F(syn_flood, half_open_state_is_bounded_and_cookies_answer) {
  flood(5000);
  EXPECT_EQ(stack_->tcp().connections(), 32u) << "the listener's backlog";
  EXPECT_EQ(moved(counter::tcp_syn_cookies_sent), 5000u - 32);
  EXPECT_EQ(stack_->tcp().held_mbufs(), 0u);
  // A legitimate client still gets in, through a cookie.
  const parsed_tcp sa = open();
  EXPECT_EQ(moved(counter::tcp_syn_cookies_accepted), 1u);
  ASSERT_TRUE(conn_.valid());
  EXPECT_EQ(sa.mss, 1460);
  EXPECT_EQ(sa.wscale, 1);
  EXPECT_TRUE(sa.sack_permitted);
  ts::conn_info i;
  ASSERT_TRUE(stack_->tcp().info(conn_, i));
  EXPECT_EQ(i.state, ts::tcp_state::established);
  EXPECT_EQ(i.send_wscale, 7) << "window scale recovered from the echoed timestamp";
  EXPECT_TRUE(i.sack);
  EXPECT_EQ(i.mss, 1460 - 12);
  peer_data({1, 2, 3, 4, 5});
  EXPECT_EQ(rec_.received[conn_.index].size(), 5u);
  // The flood's half-open connections time out; the real one stays.
  for (int k = 0; k < 70; ++k) {
    advance(1'000'000'000);
    drain(0);
  }
  EXPECT_EQ(stack_->tcp().connections(), 1u);
}

TEST_F(syn_flood, forged_cookie_is_rejected) {
  flood(100);
  tcp_fields a;
  a.flags = k_ack;
  a.seq = 5001;
  a.ack = 0x12345678;
  send(a, 50000);
  const parsed_tcp r = one();
  EXPECT_EQ(r.flags, k_rst);
  EXPECT_EQ(r.seq, 0x12345678u);
  EXPECT_EQ(moved(counter::tcp_syn_cookies_rejected), 1u);
  EXPECT_EQ(rec_.count(tcp_event::accepted), 0);
}

class syn_flood_no_cookies : public syn_flood {
 protected:
  void SetUp() override {
    cookies_ = false;
    syn_flood::SetUp();
  }
};

TEST_F(syn_flood_no_cookies, excess_syns_are_dropped_and_counted) {
  flood(1000);
  EXPECT_EQ(stack_->tcp().connections(), 32u);
  EXPECT_EQ(moved(counter::tcp_listen_overflow), 1000u - 32);
  EXPECT_EQ(moved(counter::tcp_syn_cookies_sent), 0u);
}

TEST(tcp_churn, transfer_survives_a_syn_flood) {
  const unsigned baseline = pool_in_use(pair_pool());
  {
    ts::stack_limits l;
    l.tcp_secret = 8;
    l.tcp_max_half_open = 128;
    l.tcp_max_connections = 256;
    pair_harness h(l, l, {});
    stream_sink sink(h.b(), 4);
    ASSERT_TRUE(h.b().tcp().listen(5001, &sink));
    stream_sender src(h.a(), 2u << 20, 4);
    ASSERT_TRUE(h.a().tcp().connect(k_ip_b, 5001, &src, nullptr).valid());
    // Spoofed SYNs from an address that never answers, 20 per step, into b directly.
    uint32_t n = 0;
    auto flood = [&] {
      for (int i = 0; i < 20; ++i, ++n) {
        tcp_fields f;
        f.sport = static_cast<uint16_t>(1024 + n % 60000);
        f.dport = 5001;
        f.seq = n * 7919;
        ipv4_fields ip;
        ip.src = ipv4_addr(198, 18, 0, 50);
        ip.dst = k_ip_b;
        rte_mbuf* m = to_mbuf(
            pair_pool(), build_tcp_frame({{{2, 0, 0, 0, 0xb, 1}}, {{2, 0, 0, 0, 0, 0x50}}}, ip, f));
        h.b().input(0, &m, 1, h.now());
      }
    };
    ASSERT_TRUE(h.run_until(
        [&] {
          flood();
          return sink.closed == 1 && src.closed == 1;
        },
        120 * k_s));
    EXPECT_EQ(sink.received, 2u << 20);
    EXPECT_EQ(sink.mismatches, 0u);
    EXPECT_GT(h.b().counters().get(counter::tcp_syn_cookies_sent), 0u);
    EXPECT_LE(h.b().tcp().connections(), 256u);
    std::printf("[ flood ] %u spoofed SYNs, %lu cookies\n", n,
                h.b().counters().get(counter::tcp_syn_cookies_sent));
  }
  EXPECT_EQ(pool_in_use(pair_pool()), baseline);
}

}  // namespace
}  // namespace ravelin::test
