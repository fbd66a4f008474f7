// Cutting the input anywhere changes nothing: every sample and every smuggling vector gives
// the same transcript whole, in two or three segments at every cut, byte by byte, and in
// random cuts.
#include <gtest/gtest.h>

#include <random>

#include "http_harness.h"
#include "http_vectors.h"

namespace ravelin::http::test {
namespace {

using namespace std::string_view_literals;

void expect_cut_independent(const char* name, std::string_view in, const harness_options& o) {
  std::string violations;
  const std::string whole = run_whole(in, o, &violations);
  ASSERT_EQ(violations, "") << name;
  for (std::size_t i = 0; i <= in.size(); ++i) {
    ASSERT_EQ(run_cut(in, {i}, o), whole) << name << " cut at " << i;
  }
  if (in.size() <= 200) {
    for (std::size_t i = 1; i < in.size(); ++i) {
      for (std::size_t j = i + 1; j < in.size(); ++j) {
        ASSERT_EQ(run_cut(in, {i, j}, o), whole) << name << " cut at " << i << ", " << j;
      }
    }
  }
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < in.size(); ++i) every.push_back(i);
  ASSERT_EQ(run_cut(in, every, o), whole) << name << " byte by byte";
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < in.size(); ++i) {
      if (rng() % 8 == 0) cuts.push_back(i);
    }
    ASSERT_EQ(run_cut(in, cuts, o), whole) << name << " random round " << round;
  }
}

TEST(split, samples) {
  for (const sample& s : samples()) {
    expect_cut_independent(s.name, s.input, s.options);
    EXPECT_EQ(run_whole(s.input, s.options).find("error"), std::string::npos)
        << s.name << "\n"
        << run_whole(s.input, s.options);
  }
}

TEST(split, smuggling_vectors) {
  for (const refused_vector& v : smuggling_vectors()) expect_cut_independent(v.name, v.input, {});
}

TEST(split, limits_are_cut_independent) {
  harness_options o;
  o.limits.max_start_line = 20;
  o.limits.max_head_bytes = 60;
  o.limits.max_fields = 2;
  const std::string_view inputs[] = {
      "GET /exactly-at-limit HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX-Long: 0123456789012345678901234567\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n",
      "GET /far-too-long-for-the-limit\0 HTTP/1.1\r\n\r\n"sv,
  };
  for (std::string_view in : inputs) expect_cut_independent("limits", in, o);
}

}  // namespace
}  // namespace ravelin::http::test
