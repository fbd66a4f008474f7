// Fixed-capacity neighbour table: hashing, probing and the two intrusive lists.
#include "internal/arp_cache.h"

#include <algorithm>
#include <bit>

namespace ravelin::tcpstack::internal {

arp_cache::arp_cache(uint32_t capacity) {
  capacity = std::max<uint32_t>(capacity, 1);  // a zero-sized cache could never send
  entries_.resize(capacity);
  // At most half the slots in use keeps linear probe sequences short.
  const uint32_t slots = std::bit_ceil(std::max<uint32_t>(capacity * 2, 2));
  slots_.assign(slots, k_nil);
  slot_mask_ = slots - 1;
  hash_shift_ = 32 - static_cast<uint32_t>(std::countr_zero(slots));
  for (uint32_t i = 0; i < capacity; ++i) entries_[i].next = i + 1 < capacity ? i + 1 : k_nil;
  free_head_ = 0;
}

// Fibonacci hashing: neighbours are usually consecutive addresses, which the multiply spreads.
uint32_t arp_cache::home_slot(uint32_t ip) const { return (ip * 0x9E3779B1u) >> hash_shift_; }

arp_entry* arp_cache::find(uint32_t ip) {
  for (uint32_t s = home_slot(ip);; s = (s + 1) & slot_mask_) {
    const uint32_t i = slots_[s];
    if (i == k_nil) return nullptr;
    if (entries_[i].ip == ip) return &entries_[i];
  }
}

arp_entry& arp_cache::insert(uint32_t ip, uint64_t deadline_ns, arp_entry* evicted) {
  evicted->state = arp_state::free;
  if (free_head_ == k_nil) {
    arp_entry* victim = least_recently_used();
    if (victim == nullptr) victim = first_waiting();
    *evicted = *victim;
    erase(*victim);
  }
  const uint32_t i = free_head_;
  arp_entry& e = entries_[i];
  free_head_ = e.next;
  e = arp_entry{};
  e.ip = ip;
  e.state = arp_state::incomplete;
  e.deadline_ns = deadline_ns;
  uint32_t s = home_slot(ip);
  while (slots_[s] != k_nil) s = (s + 1) & slot_mask_;
  slots_[s] = i;
  link_back(k_waiting, e);
  ++size_;
  return e;
}

void arp_cache::make_reachable(arp_entry& e, const rte_ether_addr& mac, uint64_t expiry_ns) {
  unlink(list_of(e.state), e);
  e.state = arp_state::reachable;
  e.mac = mac;
  e.deadline_ns = expiry_ns;
  e.requests_sent = 0;
  e.held = nullptr;  // the caller has taken it to send
  link_front(k_reachable, e);
}

void arp_cache::requeue_waiting(arp_entry& e, arp_state s, uint64_t deadline_ns) {
  unlink(list_of(e.state), e);
  e.state = s;
  e.deadline_ns = deadline_ns;
  link_back(k_waiting, e);
}

void arp_cache::touch(arp_entry& e) {
  if (lists_[k_reachable].head == index_of(e)) return;
  unlink(k_reachable, e);
  link_front(k_reachable, e);
}

void arp_cache::erase(arp_entry& e) {
  const uint32_t i = index_of(e);
  uint32_t hole = home_slot(e.ip);
  while (slots_[hole] != i) hole = (hole + 1) & slot_mask_;
  // Backward-shift deletion: pull later members of the probe run into the hole unless that
  // would move one in front of its home slot.
  for (uint32_t s = (hole + 1) & slot_mask_; slots_[s] != k_nil; s = (s + 1) & slot_mask_) {
    const uint32_t home = home_slot(entries_[slots_[s]].ip);
    const bool home_in_gap = hole <= s ? (home > hole && home <= s) : (home > hole || home <= s);
    if (home_in_gap) continue;
    slots_[hole] = slots_[s];
    hole = s;
  }
  slots_[hole] = k_nil;
  unlink(list_of(e.state), e);
  e = arp_entry{};
  e.next = free_head_;
  free_head_ = i;
  --size_;
}

void arp_cache::link_front(int which, arp_entry& e) {
  list& l = lists_[which];
  const uint32_t i = index_of(e);
  e.prev = k_nil;
  e.next = l.head;
  if (l.head != k_nil) entries_[l.head].prev = i;
  l.head = i;
  if (l.tail == k_nil) l.tail = i;
}

void arp_cache::link_back(int which, arp_entry& e) {
  list& l = lists_[which];
  const uint32_t i = index_of(e);
  e.next = k_nil;
  e.prev = l.tail;
  if (l.tail != k_nil) entries_[l.tail].next = i;
  l.tail = i;
  if (l.head == k_nil) l.head = i;
}

void arp_cache::unlink(int which, arp_entry& e) {
  list& l = lists_[which];
  if (e.prev != k_nil)
    entries_[e.prev].next = e.next;
  else
    l.head = e.next;
  if (e.next != k_nil)
    entries_[e.next].prev = e.prev;
  else
    l.tail = e.prev;
  e.prev = e.next = k_nil;
}

}  // namespace ravelin::tcpstack::internal
