// The load generator's log-linear histogram: percentiles on known inputs, within the
// stated 1/128 relative error.
#include "histogram.h"

#include <gtest/gtest.h>

namespace ravelin::bench {
namespace {

using hist = log_linear_histogram;

TEST(histogram, empty_reports_zero) {
  hist h;
  EXPECT_EQ(h.count(), 0U);
  EXPECT_EQ(h.value_at(50), 0U);
  EXPECT_EQ(h.max(), 0U);
}

TEST(histogram, small_values_are_exact) {
  hist h;
  for (uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.value_at(50), 50U);
  EXPECT_EQ(h.value_at(90), 90U);
  EXPECT_EQ(h.value_at(99), 99U);
  EXPECT_EQ(h.value_at(100), 100U);
  EXPECT_EQ(h.value_at(0), 1U);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(histogram, uniform_percentiles_within_one_bucket) {
  hist h;
  for (uint64_t v = 1; v <= 1'000'000; ++v) h.record(v * 1000);  // 1 us .. 1 s
  const struct {
    double p;
    double want;
  } cases[] = {{50, 500e6}, {90, 900e6}, {99, 990e6}, {99.9, 999e6}};
  for (const auto& c : cases) {
    const double got = static_cast<double>(h.value_at(c.p));
    EXPECT_GE(got, c.want) << c.p;                    // never under the true value
    EXPECT_LE(got, c.want * (1 + 1.0 / 128)) << c.p;  // at most one bucket over
  }
  EXPECT_EQ(h.value_at(100), 1'000'000'000U);
  EXPECT_EQ(h.max(), 1'000'000'000U);
}

TEST(histogram, tail_is_seen) {
  hist h;
  for (int i = 0; i < 999; ++i) h.record(100'000);  // 100 us
  h.record(50'000'000);                             // one 50 ms outlier
  EXPECT_LE(h.value_at(99), 100'000U * 129 / 128);
  EXPECT_EQ(h.value_at(99.95), 50'000'000U);
}

TEST(histogram, buckets_are_contiguous_and_bound_their_values) {
  for (uint64_t v : {127ULL, 128ULL, 129ULL, 255ULL, 256ULL, 1000ULL, 123456789ULL}) {
    const size_t i = hist::index_of(v);
    EXPECT_GE(hist::highest_of(i), v);
    if (i > 0) {
      EXPECT_LT(hist::highest_of(i - 1), v);
    }
  }
  EXPECT_EQ(hist::index_of(128), 128U);
  EXPECT_EQ(hist::highest_of(hist::k_buckets - 1), (uint64_t{1} << hist::k_max_bits) - 1);
}

TEST(histogram, merge_and_reset) {
  hist a, b;
  a.record(10);
  b.record(1000);
  b.record(2000);
  a.merge(b);
  EXPECT_EQ(a.count(), 3U);
  EXPECT_EQ(a.max(), 2000U);
  EXPECT_EQ(a.min(), 10U);
  a.reset();
  EXPECT_EQ(a.count(), 0U);
  EXPECT_EQ(a.value_at(99), 0U);
}

}  // namespace
}  // namespace ravelin::bench
