// Counter tables for the router and balancer, in the same shape as
// ravelin/tcpstack/counter_table.h (an X-macro list `X(name, description)` becomes an enum, a
// name/description table and a per-lcore block). A copy because these libraries must build
// without DPDK, which tcpstack pulls in; stats readers can treat both alike.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ravelin::plain_counters {

struct counter_info {
  const char* name;
  const char* description;
};

// Written only by the owning lcore; other lcores may read with plain loads (aligned 64-bit
// words do not tear on x86-64; staleness is acceptable for stats).
template <typename Counter, std::size_t N>
struct alignas(64) counter_block {
  std::array<uint64_t, N> values{};
  void add(Counter c, uint64_t n = 1) { values[static_cast<std::size_t>(c)] += n; }
  uint64_t get(Counter c) const { return values[static_cast<std::size_t>(c)]; }
};

}  // namespace ravelin::plain_counters

#define RAVELIN_PLAIN_COUNTER_ENUM_(name, desc) name,
#define RAVELIN_PLAIN_COUNTER_INFO_(name, desc) ::ravelin::plain_counters::counter_info{#name, desc},

// Declares `counter`, `k_counter_count`, `k_counter_table` and `counter_set` in the current
// namespace from LIST.
#define RAVELIN_PLAIN_COUNTERS(LIST)                                                       \
  enum class counter : uint16_t { LIST(RAVELIN_PLAIN_COUNTER_ENUM_) count_ };             \
  inline constexpr std::size_t k_counter_count = static_cast<std::size_t>(counter::count_); \
  inline constexpr std::array<::ravelin::plain_counters::counter_info, k_counter_count>    \
      k_counter_table = {{LIST(RAVELIN_PLAIN_COUNTER_INFO_)}};                             \
  using counter_set = ::ravelin::plain_counters::counter_block<counter, k_counter_count>
