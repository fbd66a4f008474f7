// The per-lcore network stack: Ethernet, ARP, IPv4, ICMP echo and TCP (tcp.h).
// One instance per lcore, share-nothing: it owns its ARP cache, connections, timers and
// counters and is never touched by another thread. The caller (dataplane) feeds rx bursts and
// drains tx batches.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ravelin/hw/port_caps.h"
#include "ravelin/tcpstack/counters.h"
#include "ravelin/tcpstack/tcp.h"

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

  // TCP, all per lcore. Every bound is counted when hit (counters.h, tcp_*).
  uint32_t tcp_max_connections = 4096;  // connection pool, TIME-WAIT and half-open included
  uint32_t tcp_max_half_open = 1024;    // SYN-RECEIVED in total; beyond it: SYN cookies
  uint32_t tcp_listen_backlog = 256;    // SYN-RECEIVED per listener unless listen() says
  uint32_t tcp_max_listeners = 32;
  uint32_t tcp_send_buffer = 256 * 1024;     // bytes queued per connection, sent or not
  uint32_t tcp_recv_buffer = 256 * 1024;     // bytes: unread plus out-of-order, per connection
  uint32_t tcp_recv_segments = 1024;         // mbuf segments of unread data per connection
  uint32_t tcp_reassembly_segments = 16384;  // out-of-order segments held, all connections
  uint32_t tcp_reassembly_per_conn = 256;    // out-of-order segments held per connection
  uint16_t tcp_mss = 1460;                   // our MSS option: interface MTU less 40
  uint16_t tcp_ephemeral_first = 32768;      // active-open local ports (RFC 6056)
  uint16_t tcp_ephemeral_last = 60999;
  uint32_t tcp_initial_window = 10;                // segments (RFC 6928)
  uint64_t tcp_rto_initial_ns = 1'000'000'000ULL;  // RFC 6298 §2.1
  uint64_t tcp_rto_min_ns = 200'000'000ULL;        // as Linux; RFC 6298 §2.4 suggests 1 s
  uint64_t tcp_rto_max_ns = 60'000'000'000ULL;     // RFC 6298 §2.5
  uint32_t tcp_syn_retries = 6;                    // SYN retransmissions before connect times out
  uint32_t tcp_synack_retries = 5;
  uint32_t tcp_max_retries = 15;                  // data retransmissions (RFC 9293 §3.8.3 R2)
  uint64_t tcp_delayed_ack_ns = 40'000'000ULL;    // RFC 9293 §3.8.6.3: under 0.5 s
  uint64_t tcp_time_wait_ns = 60'000'000'000ULL;  // 2 MSL
  uint64_t tcp_fin_wait_2_ns = 60'000'000'000ULL;
  uint64_t tcp_keepalive_idle_ns = 7'200'000'000'000ULL;  // RFC 9293 §3.8.4: >= 2 h
  uint64_t tcp_keepalive_interval_ns = 75'000'000'000ULL;
  uint32_t tcp_keepalive_probes = 9;
  uint32_t tcp_challenge_acks_per_s = 1000;  // RFC 5961 §7
  bool tcp_syn_cookies = true;
  bool tcp_sack = true;            // offer and accept SACK-permitted (RFC 2018)
  bool tcp_timestamps = true;      // offer and accept timestamps (RFC 7323 §3)
  bool tcp_window_scaling = true;  // offer and accept window scaling (RFC 7323 §2)
  // Hand segments of up to 64 KB to ports that offer TSO. Off by default: net_tap in DPDK
  // 22.11 refuses a TSO mbuf whose tso_segsz plus all headers, Ethernet's included, exceeds
  // the MTU, so a 1448-byte MSS never passes there; turn it on for NICs.
  bool tcp_tso = false;
  congestion_control tcp_congestion_control = congestion_control::cubic;
  uint64_t tcp_timer_tick_ns = 1'000'000ULL;  // timer wheel granularity
  uint32_t tcp_timer_slots = 4096;
  // Keys initial sequence numbers, timestamps offsets, SYN cookies and the connection
  // table hash. 0: drawn from rte_rand(). Tests set it for reproducible runs.
  uint64_t tcp_secret = 0;
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
  stack(std::span<const interface_addr> interfaces, const stack_limits& limits, rte_mempool* pool);
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

  // Runs ARP and TCP timers and resumes TCP output that an earlier call found no tx batch
  // room for. Cheap when nothing is due; call it every loop iteration (at least every
  // tcp_timer_tick_ns) and drain output() after it.
  void poll(uint64_t now_ns);

  tx_batch& output(uint16_t port_id);
  const counter_set& counters() const { return counters_; }

  // The TCP application interface (tcp.h).
  tcp_endpoint& tcp() { return tcp_; }

  // Uses the port's checksum offloads for TCP when `caps` offers them, and TSO when it also
  // offers both checksums and stack_limits::tcp_tso is set (the port must then be
  // configured with those tx offloads); without a call every checksum is computed in
  // software. Call before traffic flows.
  void set_port_offloads(uint16_t port_id, const hw::port_capabilities& caps);

  // mbufs the stack holds (ARP-held packets, TCP queues), for leak checks: with the tx
  // batches drained, the pool's in-use count equals this.
  uint32_t held_mbufs() const;

 private:
  friend class internal::tcp_engine;  // TCP's engine works on the stack's IPv4 layer
  struct impl;
  impl* impl_;
  counter_set counters_;
  tcp_endpoint tcp_;
};

}  // namespace ravelin::tcpstack
