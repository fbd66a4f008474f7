// The state behind tcpstack::stack and the per-layer entry points, each implemented in the
// file of its layer (ethernet.cpp, arp.cpp, ipv4.cpp, icmp.cpp; TCP in tcp_engine.h). Everything is
// sized in the constructor; the packet paths only index into it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "internal/arp_cache.h"
#include "ravelin/tcpstack/stack.h"

namespace ravelin::tcpstack {

namespace internal {
class tcp_engine;
}

struct stack::impl {
  // What the Ethernet layer needs to know about one DPDK port.
  struct port_info {
    bool configured = false;     // some interface lives on this port
    rte_ether_addr mac{};        // the port's address, from its first interface
    bool tx_ipv4_cksum = false;  // offloads TCP may use (set_port_offloads)
    bool tx_tcp_cksum = false;
    bool tso = false;  // with both checksum offloads: segments up to 64 KB, cut by the NIC
  };

  // Where a datagram to some destination leaves (RFC 1122 §3.3.1.1).
  struct route_result {
    int iface = -1;  // index into interfaces_; -1: no route
    uint32_t next_hop = 0;
    bool broadcast = false;
  };

  // The classes of IPv4 destination we accept (RFC 1122 §3.2.1.3, §3.3.6).
  enum class dst_class : uint8_t { not_ours, unicast, broadcast };

  impl(std::span<const interface_addr> interfaces, const stack_limits& limits, rte_mempool* pool,
       counter_set& counters);
  ~impl();

  void drop(rte_mbuf* m, counter c) {
    rte_pktmbuf_free(m);
    counters_.add(c);
  }
  // Appends to the port's tx batch; frees, counts and returns false when it is full.
  bool emit(uint16_t port_id, rte_mbuf* m);

  // ethernet.cpp
  void eth_input(uint16_t port_id, rte_mbuf* m, uint64_t now_ns);
  // Prepends and fills an Ethernet header (dst left for the caller). Null when there is no
  // headroom (the packet is then freed and counted).
  rte_ether_hdr* eth_prepend(rte_mbuf* m, const rte_ether_addr& src, uint16_t ether_type);

  // arp.cpp
  void arp_input(uint16_t port_id, rte_mbuf* m, uint64_t now_ns);
  // Sends `m` (Ethernet header already prepended) to `next_hop` via interface `iface`,
  // resolving it first when needed.
  void arp_output(uint16_t iface, uint32_t next_hop, rte_mbuf* m, uint64_t now_ns);
  void arp_poll(uint64_t now_ns);
  // The neighbour answered: mark it reachable and send what it held.
  void arp_resolved(internal::arp_entry& e, const rte_ether_addr& mac, uint64_t now_ns);
  void arp_evicted(const internal::arp_entry& victim);
  // Sends one request for an incomplete entry and schedules the next retry.
  void arp_request(internal::arp_entry& e, uint64_t now_ns);

  // ipv4.cpp
  void ipv4_input(uint16_t port_id, rte_mbuf* m, uint64_t now_ns);
  bool ipv4_send(rte_mbuf* m, uint64_t now_ns);
  route_result route(uint32_t dst, uint32_t src) const;
  dst_class classify_dst(uint16_t port_id, uint32_t dst) const;
  bool is_bad_source(uint16_t port_id, uint32_t src) const;

  // icmp.cpp: `m` starts at the Ethernet header; the IPv4 header has been validated.
  void icmp_input(uint16_t port_id, rte_mbuf* m, uint32_t ip_header_len, dst_class dst);

  std::vector<interface_addr> interfaces_;
  std::array<port_info, RTE_MAX_ETHPORTS> ports_{};
  std::unique_ptr<tx_batch[]> batches_;  // one per possible port id
  tx_batch spare_batch_;                 // handed out for impossible port ids; stays empty
  internal::arp_cache arp_;
  stack_limits limits_;
  rte_mempool* pool_;
  counter_set& counters_;
  uint32_t sweep_cursor_ = 0;  // where poll() resumes its sweep for expired entries
  uint64_t next_sweep_ns_ = 0;
  std::unique_ptr<internal::tcp_engine> tcp_;
};

}  // namespace ravelin::tcpstack
