// The neighbour table on its own: hashing with deletions against a model, the list orders
// that eviction and retries depend on, and the capacity bound.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "internal/arp_cache.h"

namespace ravelin::tcpstack::internal {
namespace {

rte_ether_addr mac_of(uint32_t n) {
  return rte_ether_addr{{2, 0, static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                         static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)}};
}

TEST(arp_cache, matches_a_model_under_random_inserts_and_erases) {
  arp_cache cache(64);
  std::map<uint32_t, uint32_t> model;  // ip -> tag stored in deadline_ns
  std::mt19937 rng(7);                 // fixed seed: hermetic
  for (int step = 0; step < 20000; ++step) {
    // A small key space (and consecutive addresses) forces collisions and long probe runs.
    const uint32_t ip = 0xc6120000u + (rng() % 96);
    arp_entry* e = cache.find(ip);
    ASSERT_EQ(e != nullptr, model.count(ip) == 1) << "step " << step;
    if (e != nullptr) {
      ASSERT_EQ(e->deadline_ns, model[ip]);
      if (rng() % 2 == 0) {
        cache.erase(*e);
        model.erase(ip);
      }
    } else if (cache.size() < cache.capacity()) {
      arp_entry evicted;
      cache.insert(ip, step, &evicted);
      ASSERT_EQ(evicted.state, arp_state::free);
      model[ip] = static_cast<uint32_t>(step);
    }
    ASSERT_EQ(cache.size(), model.size());
  }
}

TEST(arp_cache, evicts_least_recently_used_reachable_first) {
  arp_cache cache(3);
  arp_entry evicted;
  for (uint32_t ip = 1; ip <= 3; ++ip) {
    cache.make_reachable(cache.insert(ip, 0, &evicted), mac_of(ip), 100);
  }
  cache.touch(*cache.find(1));  // order now 1, 3, 2 (most recent first)
  cache.insert(4, 0, &evicted);
  EXPECT_EQ(evicted.state, arp_state::reachable);
  EXPECT_EQ(evicted.ip, 2u);
  EXPECT_EQ(cache.find(2), nullptr);
  EXPECT_EQ(cache.size(), 3u);
  // 4 is incomplete; the reachable ones go first: 3 then 1.
  cache.insert(5, 0, &evicted);
  EXPECT_EQ(evicted.ip, 3u);
  cache.insert(6, 0, &evicted);
  EXPECT_EQ(evicted.ip, 1u);
  // Only incomplete entries left: the oldest one goes.
  cache.insert(7, 0, &evicted);
  EXPECT_EQ(evicted.ip, 4u);
  EXPECT_EQ(evicted.state, arp_state::incomplete);
}

TEST(arp_cache, incomplete_list_stays_in_deadline_order) {
  arp_cache cache(8);
  arp_entry evicted;
  arp_entry& a = cache.insert(1, 10, &evicted);
  cache.insert(2, 20, &evicted);
  cache.requeue_waiting(a, arp_state::incomplete, 30);
  ASSERT_NE(cache.first_waiting(), nullptr);
  EXPECT_EQ(cache.first_waiting()->ip, 2u);
  EXPECT_EQ(cache.next_of(*cache.first_waiting())->ip, 1u);
  cache.make_reachable(*cache.find(2), mac_of(2), 50);
  EXPECT_EQ(cache.first_waiting()->ip, 1u);
  EXPECT_EQ(cache.least_recently_used()->ip, 2u);
}

TEST(arp_cache, zero_capacity_is_raised_to_one) {
  arp_cache cache(0);
  EXPECT_EQ(cache.capacity(), 1u);
  arp_entry evicted;
  cache.insert(1, 0, &evicted);
  cache.insert(2, 0, &evicted);
  EXPECT_EQ(evicted.ip, 1u);
  EXPECT_NE(cache.find(2), nullptr);
}

}  // namespace
}  // namespace ravelin::tcpstack::internal
