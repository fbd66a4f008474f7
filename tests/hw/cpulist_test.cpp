#include <gtest/gtest.h>

#include <vector>

#include "ravelin/hw/topology.h"

namespace ravelin::hw {
namespace {

using cpus = std::vector<unsigned>;

TEST(cpulist, ranges_and_singles) {
  bool ok = false;
  EXPECT_EQ(parse_cpulist("0-3,8,10-11", &ok), (cpus{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_TRUE(ok);
  EXPECT_EQ(parse_cpulist("5"), (cpus{5}));
  EXPECT_EQ(parse_cpulist("2-2"), (cpus{2}));
}

TEST(cpulist, trailing_newline_unsorted_and_duplicates) {
  bool ok = false;
  EXPECT_EQ(parse_cpulist("8,0-1,1\n", &ok), (cpus{0, 1, 8}));
  EXPECT_TRUE(ok);
}

TEST(cpulist, empty_is_a_valid_empty_list) {
  bool ok = false;
  EXPECT_TRUE(parse_cpulist("\n", &ok).empty());
  EXPECT_TRUE(ok);
}

TEST(cpulist, garbage_gives_empty_and_not_ok) {
  for (const char* text : {"abc", "1-", "-1", "3-1", "1,,2", "1,", "0-3:2/4", "1.5", "0-4294967295",
                           "99999999999", "1 2"}) {
    bool ok = true;
    EXPECT_TRUE(parse_cpulist(text, &ok).empty()) << text;
    EXPECT_FALSE(ok) << text;
  }
}

TEST(cpulist, format_is_the_inverse) {
  const cpus list{11, 0, 1, 2, 3, 8, 10};
  EXPECT_EQ(format_cpulist(list), "0-3,8,10-11");
  EXPECT_EQ(parse_cpulist(format_cpulist(list)), (cpus{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(format_cpulist(cpus{}), "");
}

}  // namespace
}  // namespace ravelin::hw
