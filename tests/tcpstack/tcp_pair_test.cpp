// Two stacks back to back (pair_harness.h): bulk transfers verified byte by byte, clean and
// under loss, duplication and reordering, with each congestion control and with options
// switched off; an echo in both directions; and the end state: no connection, timer or
// mbuf left behind.
#include <gtest/gtest.h>

#include "pair_harness.h"

namespace ravelin::test {
namespace {

constexpr uint64_t k_s = 1'000'000'000;

struct transfer_case {
  const char* name;
  link_faults faults;
  uint64_t bytes;
  ts::congestion_control cc = ts::congestion_control::cubic;
  bool sack = true;
  bool timestamps = true;
  bool window_scaling = true;
};

void PrintTo(const transfer_case& c, std::ostream* os) { *os << c.name; }

ts::stack_limits limits_for(const transfer_case& c) {
  ts::stack_limits l;
  l.tcp_secret = 99;
  l.tcp_congestion_control = c.cc;
  l.tcp_sack = c.sack;
  l.tcp_timestamps = c.timestamps;
  l.tcp_window_scaling = c.window_scaling;
  return l;
}

class transfer : public ::testing::TestWithParam<transfer_case> {
 protected:
  void SetUp() override { baseline_ = pool_in_use(pair_pool()); }
  void TearDown() override { EXPECT_EQ(pool_in_use(pair_pool()), baseline_) << "mbuf leak"; }
  unsigned baseline_ = 0;
};

TEST_P(transfer, every_byte_arrives_intact) {
  const transfer_case& c = GetParam();
  {
    pair_harness h(limits_for(c), limits_for(c), c.faults);
    stream_sink sink(h.b(), 7);
    ASSERT_TRUE(h.b().tcp().listen(5001, &sink));
    stream_sender src(h.a(), c.bytes, 7);
    const ts::conn_id id = h.a().tcp().connect(k_ip_b, 5001, &src, nullptr);
    ASSERT_TRUE(id.valid());
    ASSERT_TRUE(h.run_until([&] { return sink.closed == 1 && src.closed == 1; }, 600 * k_s))
        << "received " << sink.received << " of " << c.bytes;
    const double seconds = static_cast<double>(h.now()) / k_s - 1;
    EXPECT_EQ(sink.received, c.bytes);
    EXPECT_EQ(sink.mismatches, 0u);
    EXPECT_EQ(sink.closed_abnormally, 0);
    EXPECT_EQ(src.closed_abnormally, 0);
    // The active closer holds TIME-WAIT for 2 MSL, then nothing remains anywhere.
    ASSERT_TRUE(h.run_until(
        [&] { return h.a().tcp().connections() == 0 && h.b().tcp().connections() == 0; }, 70 * k_s,
        10'000'000));
    for (ts::stack* s : {&h.a(), &h.b()}) {
      EXPECT_EQ(s->tcp().timers(), 0u);
      EXPECT_EQ(s->held_mbufs(), 0u);
    }
    const auto& ca = h.a().counters();
    std::printf(
        "[ %s ] %.1f s simulated, %lu frames, %lu dropped, %lu retransmits, %lu fast, "
        "%lu RTO\n",
        c.name, seconds, h.sent, h.dropped, ca.get(ts::counter::tcp_tx_retransmits),
        ca.get(ts::counter::tcp_fast_retransmits), ca.get(ts::counter::tcp_rto_expired));
  }
}

link_faults lossy(double loss, double dup, double reorder, uint64_t seed) {
  link_faults f;
  f.loss = loss;
  f.duplicate = dup;
  f.reorder = reorder;
  f.seed = seed;
  return f;
}

const transfer_case k_cases[] = {
    {"clean_cubic", {}, 8u << 20},
    {"clean_newreno", {}, 4u << 20, ts::congestion_control::newreno},
    {"loss1_cubic_sack", lossy(0.01, 0, 0, 1), 2u << 20},
    {"loss1_newreno_no_sack", lossy(0.01, 0, 0, 2), 2u << 20, ts::congestion_control::newreno,
     false},
    {"loss5_cubic_sack", lossy(0.05, 0, 0, 3), 1u << 20},
    {"loss5_newreno_sack", lossy(0.05, 0, 0, 4), 1u << 20, ts::congestion_control::newreno},
    {"loss5_no_options", lossy(0.05, 0, 0, 5), 512u << 10, ts::congestion_control::newreno, false,
     false, false},
    {"reorder_dup", lossy(0, 0.02, 0.1, 6), 2u << 20},
    {"everything", lossy(0.02, 0.02, 0.05, 7), 2u << 20},
    {"everything_no_timestamps", lossy(0.02, 0.02, 0.05, 8), 1u << 20,
     ts::congestion_control::cubic, true, false},
    {"heavy_loss", lossy(0.15, 0.01, 0.05, 9), 256u << 10},
};

INSTANTIATE_TEST_SUITE_P(tcp_pair, transfer, ::testing::ValuesIn(k_cases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(tcp_pair, echo_both_directions_under_faults) {
  const unsigned baseline = pool_in_use(pair_pool());
  {
    ts::stack_limits l;
    l.tcp_secret = 5;
    pair_harness h(l, l, lossy(0.02, 0.01, 0.05, 11));
    stream_sink echo(h.b(), 3, /*echo=*/true);
    ASSERT_TRUE(h.b().tcp().listen(7, &echo));
    // The client checks the echoed stream with a sink of its own.
    struct client : stream_sink {
      client(ts::stack& s, stream_sender& tx) : stream_sink(s, 3), tx_(tx) {}
      void on_connected(ts::conn_id c, void* o) override {
        stream_sink::on_connected(c, o);
        tx_.pump(c);
      }
      void on_writable(ts::conn_id c, void*) override { tx_.pump(c); }
      stream_sender& tx_;
    };
    stream_sender tx(h.a(), 1u << 20, 3, /*close_when_done=*/false);
    client rx(h.a(), tx);
    ASSERT_TRUE(h.a().tcp().connect(k_ip_b, 7, &rx, nullptr).valid());
    ASSERT_TRUE(h.run_until([&] { return rx.closed == 1 && echo.closed == 1; }, 600 * k_s))
        << "echoed back " << rx.received;
    EXPECT_EQ(echo.received, 1u << 20);
    EXPECT_EQ(echo.mismatches, 0u);
    EXPECT_EQ(rx.received, 1u << 20);
    EXPECT_EQ(rx.mismatches, 0u);
    EXPECT_EQ(rx.closed_abnormally + echo.closed_abnormally, 0);
  }
  EXPECT_EQ(pool_in_use(pair_pool()), baseline);
}

}  // namespace
}  // namespace ravelin::test
