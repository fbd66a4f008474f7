// The neighbour table of one stack: IPv4 next hop -> Ethernet address (RFC 826), with a hard
// capacity fixed at construction. Pure bookkeeping: it never reads a clock, sends, or frees a
// packet; the ARP code in arp.cpp decides what happens on expiry, retry and eviction.
#pragma once

#include <cstdint>
#include <vector>

#include <rte_ether.h>
#include <rte_mbuf.h>

namespace ravelin::tcpstack::internal {

// probe: the reachable time ran out while traffic still flows; the known address stays in
// use while unicast requests verify it (RFC 1122 §2.3.2.1, Linux's STALE/PROBE), so an
// expiry never costs a busy neighbour its packets.
enum class arp_state : uint8_t { free, incomplete, probe, reachable };

inline constexpr uint32_t k_nil = UINT32_MAX;

struct arp_entry {
  uint32_t ip = 0;       // the next hop, host byte order; the key
  rte_ether_addr mac{};  // meaningful when reachable or probe
  arp_state state = arp_state::free;
  uint32_t requests_sent = 0;  // incomplete or probe: the first request plus retries so far
  uint16_t iface = 0;          // index of the interface that reaches this neighbour
  uint64_t deadline_ns = 0;    // reachable: expiry; incomplete or probe: next retry
  rte_mbuf* held = nullptr;    // incomplete: the one packet waiting for the answer
  uint32_t prev = k_nil;       // links in the list of its state (or the free list)
  uint32_t next = k_nil;
};

// Open addressing with linear probing over a power-of-two slot array at most half full, and
// backward-shift deletion so no tombstones accumulate. Entries live on one of two lists:
//  - waiting (incomplete and probe), in deadline order (each (re)request moves the entry to
//    the tail with deadline now + retry interval, so the head is always the next one due);
//  - reachable, most recently used first, so eviction takes the tail.
class arp_cache {
 public:
  explicit arp_cache(uint32_t capacity);

  arp_entry* find(uint32_t ip);

  // Adds `ip` (which must be absent) as incomplete with the given first deadline, at the
  // tail of the waiting list. When the table is full it first evicts the least recently
  // used reachable entry or, if every entry is waiting on ARP, the oldest waiting one; a
  // copy of the victim goes to `*evicted` (state free when nothing was evicted) so the
  // caller can free its held packet and count the eviction.
  arp_entry& insert(uint32_t ip, uint64_t deadline_ns, arp_entry* evicted);

  void make_reachable(arp_entry& e, const rte_ether_addr& mac, uint64_t expiry_ns);
  // Moves an entry to the tail of the waiting list in state `s` (incomplete or probe) with
  // its next deadline.
  void requeue_waiting(arp_entry& e, arp_state s, uint64_t deadline_ns);
  void touch(arp_entry& e);  // marks a reachable entry most recently used
  void erase(arp_entry& e);

  arp_entry* first_waiting() { return at_or_null(lists_[k_waiting].head); }
  arp_entry* least_recently_used() { return at_or_null(lists_[k_reachable].tail); }
  arp_entry* next_of(const arp_entry& e) { return at_or_null(e.next); }
  arp_entry& entry(uint32_t index) { return entries_[index]; }

  uint32_t capacity() const { return static_cast<uint32_t>(entries_.size()); }
  uint32_t size() const { return size_; }

 private:
  static constexpr int k_waiting = 0;
  static constexpr int k_reachable = 1;
  struct list {
    uint32_t head = k_nil;
    uint32_t tail = k_nil;
  };

  uint32_t index_of(const arp_entry& e) const {
    return static_cast<uint32_t>(&e - entries_.data());
  }
  arp_entry* at_or_null(uint32_t i) { return i == k_nil ? nullptr : &entries_[i]; }
  uint32_t home_slot(uint32_t ip) const;
  void link_front(int which, arp_entry& e);
  void link_back(int which, arp_entry& e);
  void unlink(int which, arp_entry& e);
  static int list_of(arp_state s) { return s == arp_state::reachable ? k_reachable : k_waiting; }

  std::vector<arp_entry> entries_;
  std::vector<uint32_t> slots_;  // entry index or k_nil
  uint32_t slot_mask_ = 0;
  uint32_t hash_shift_ = 0;
  uint32_t free_head_ = k_nil;
  uint32_t size_ = 0;
  list lists_[2];
};

}  // namespace ravelin::tcpstack::internal
