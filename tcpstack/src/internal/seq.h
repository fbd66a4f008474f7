// TCP sequence-number comparisons modulo 2^32 (RFC 9293 §3.4, "sequence number arithmetic"):
// a is before b when the signed 32-bit difference a - b is negative. Valid while the two
// numbers are less than 2^31 apart, which the window limits (RFC 7323 §2.3) guarantee.
#pragma once

#include <cstdint>

namespace ravelin::tcpstack::internal {

constexpr int32_t seq_diff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }
constexpr bool seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
constexpr bool seq_leq(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
constexpr bool seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
constexpr bool seq_geq(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }
constexpr uint32_t seq_max(uint32_t a, uint32_t b) { return seq_lt(a, b) ? b : a; }
constexpr uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }
// lo <= s < hi, the half-open interval walked forward from lo.
constexpr bool seq_in(uint32_t s, uint32_t lo, uint32_t hi) { return s - lo < hi - lo; }

}  // namespace ravelin::tcpstack::internal
