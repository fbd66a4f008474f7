// One declaration of a module's counters as an X-macro list `X(name, description)` becomes an
// enum, a name/description table and a cache-line sized per-lcore counter set. Every module's
// counters share this shape so that stats readers can treat them alike.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ravelin {

struct counter_info {
  const char* name;
  const char* description;
};

// Written only by the owning lcore; read by others with relaxed loads (a torn read of a
// counter is impossible on x86-64 for aligned 64-bit words, and staleness is acceptable).
template <typename Counter, std::size_t N>
struct alignas(64) counter_array {
  std::array<uint64_t, N> values{};
  void add(Counter c, uint64_t n = 1) { values[static_cast<std::size_t>(c)] += n; }
  uint64_t get(Counter c) const { return values[static_cast<std::size_t>(c)]; }
};

}  // namespace ravelin

#define RAVELIN_COUNTER_ENUM_(name, desc) name,
#define RAVELIN_COUNTER_INFO_(name, desc) ::ravelin::counter_info{#name, desc},

// Declares `counter`, `k_counter_count`, `k_counter_table` and `counter_set` in the current
// namespace from LIST.
#define RAVELIN_DEFINE_COUNTERS(LIST)                                                 \
  enum class counter : uint16_t { LIST(RAVELIN_COUNTER_ENUM_) count_ };              \
  inline constexpr std::size_t k_counter_count = static_cast<std::size_t>(counter::count_); \
  using counter_info = ::ravelin::counter_info;                                        \
  inline constexpr std::array<counter_info, k_counter_count> k_counter_table = {      \
      {LIST(RAVELIN_COUNTER_INFO_)}};                                                  \
  using counter_set = ::ravelin::counter_array<counter, k_counter_count>
