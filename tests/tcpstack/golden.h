// Golden packet-in / packet-out cases: one input frame, the exact frames expected on each
// port, and the counters that must move (all others must not).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "stack_fixture.h"

namespace ravelin::test {

struct golden_case {
  std::string name;
  bytes input;
  std::vector<bytes> out_port0;
  std::vector<bytes> out_port1;
  counter_deltas deltas;
  uint16_t port = 0;
  uint16_t segment_size = 0;
  uint64_t ol_flags = 0;
};

inline void PrintTo(const golden_case& c, std::ostream* os) { *os << c.name; }

class golden_test : public stack_test, public ::testing::WithParamInterface<golden_case> {
 protected:
  void run_case() {
    const golden_case& c = GetParam();
    feed(c.input, c.port, c.segment_size, c.ol_flags);
    EXPECT_EQ(drain(0), c.out_port0);
    EXPECT_EQ(drain(1), c.out_port1);
    expect_deltas(c.deltas);
  }
};

inline std::string case_name(const ::testing::TestParamInfo<golden_case>& info) {
  return info.param.name;
}

}  // namespace ravelin::test
