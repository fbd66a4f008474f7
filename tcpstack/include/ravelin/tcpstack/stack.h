// The per-lcore network stack's first layers: Ethernet, ARP, IPv4 and ICMP echo.
// One instance per lcore, share-nothing: it owns its ARP cache and counters and is never
// touched by another thread. The caller (dataplane) feeds rx bursts and drains tx batches.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ravelin/tcpstack/counters.h"

namespace ravelin::tcpstack {

// One of the appliance's addresses, on one DPDK port. Host byte order.
struct interface_addr {
  uint16_t port_id = 0;
  rte_ether_addr mac{};
  uint32_t address = 0;
  uint8_t prefix_length = 32;
  uint32_t gateway = 0;  // 0 = no gateway: off-link destinations are unreachable
};

struct stack_limits {
  uint32_t arp_cache_entries = 1024;
  uint64_t arp_reachable_ns = 60'000'000'000ULL;
  uint64_t arp_retry_ns = 1'000'000'000ULL;
  uint32_t arp_max_retries = 3;
};

// Packets the stack wants sent on one port; the caller transmits them and calls clear().
// Fixed capacity: when full, further packets are freed and counted (tx_batch_full).
struct tx_batch {
  static constexpr uint16_t k_capacity = 64;
  rte_mbuf* pkts[k_capacity];
  uint16_t count = 0;
  void clear() { count = 0; }
};

class stack {
 public:
  // Allocates everything it will ever need here (ARP cache, batches); nothing after.
  // `pool` supplies mbufs for packets the stack originates (ARP requests).
  stack(std::span<const interface_addr> interfaces, const stack_limits& limits,
        rte_mempool* pool);
  ~stack();
  stack(const stack&) = delete;
  stack& operator=(const stack&) = delete;

  // Takes ownership of `n` packets received on `port_id` at time `now_ns` (monotonic).
  // Every packet is consumed, answered (reply appended to output(port_id)) or freed with a
  // drop counter.
  void input(uint16_t port_id, rte_mbuf** pkts, uint16_t n, uint64_t now_ns);

  // Sends an IPv4 packet whose IPv4 header is complete (the stack fills the Ethernet header
  // and, when needed, resolves the next hop; one packet per unresolved neighbour is held
  // until the reply arrives). Takes ownership. Returns false when it was dropped (counted).
  // Buffer convention: the mbuf's data starts at the IPv4 header; the stack prepends the
  // 14-byte Ethernet header into the headroom (RTE_PKTMBUF_HEADROOM is plenty) and sets
  // m->l2_len, so L3/L4 checksum offload flags set by the caller stay valid. No headroom:
  // dropped (tx_no_headroom). Limited and subnet broadcasts go out without ARP.
  bool send_ipv4(rte_mbuf* m, uint64_t now_ns);

  // Runs ARP timers: retries, expiry of held packets and stale entries.
  void poll(uint64_t now_ns);

  tx_batch& output(uint16_t port_id);
  const counter_set& counters() const { return counters_; }

 private:
  struct impl;
  impl* impl_;
  counter_set counters_;
};

}  // namespace ravelin::tcpstack
