// hs_matcher::bytes_of: the lower-cased bytes of a value, which byte gates test rules against.
// Short and long values take different code; both must give what a plain byte walk gives, or
// a gate would skip a rule whose pattern the value can match.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "internal/hs_matcher.h"

namespace ravelin::waf {
namespace {

hs_matcher::byte_mask reference(std::string_view v) {
  hs_matcher::byte_mask m{};
  for (const unsigned char c : v) {
    const unsigned lc = c >= 'A' && c <= 'Z' ? c | 0x20 : c;
    m[lc / 64] |= uint64_t{1} << (lc % 64);
  }
  return m;
}

hs_matcher::byte_mask of(std::string_view v) {
  // Stale bits must go.
  hs_matcher::byte_mask m{~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}};
  hs_matcher::bytes_of(v, m);
  return m;
}

TEST(ByteMask, RandomValuesOfEveryLengthMatchAByteWalk) {
  std::mt19937 rng(7);
  for (size_t n = 0; n <= 300; ++n) {
    for (int round = 0; round < 20; ++round) {
      std::string v(n, '\0');
      // Half the rounds draw from a narrow range so that some bytes stay absent.
      const int lo = round % 2 ? 0 : 0x40, span = round % 2 ? 256 : 64;
      for (auto& c : v) c = static_cast<char>(lo + static_cast<int>(rng() % span));
      EXPECT_EQ(of(v), reference(v)) << "length " << n << " round " << round;
    }
  }
}

TEST(ByteMask, CapitalsCountAsSmallLettersInLongAndShortValues) {
  for (const std::string_view v : {"SELECT", "ABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{"}) {
    const auto m = of(v);
    EXPECT_EQ(m, reference(v)) << v;
    EXPECT_EQ(m[1] & 0x07FFFFFEull, 0u) << v;          // no capital letter is left
    EXPECT_NE(m[1] & (0x07FFFFFEull << 32), 0u) << v;  // their small letters are there
  }
}

TEST(ByteMask, EveryByteValueIsSeen) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  const auto m = of(all);
  EXPECT_EQ(m[0], ~uint64_t{0});
  EXPECT_EQ(m[1], ~uint64_t{0} & ~0x07FFFFFEull);
  EXPECT_EQ(m[2], ~uint64_t{0});
  EXPECT_EQ(m[3], ~uint64_t{0});
}

}  // namespace
}  // namespace ravelin::waf
