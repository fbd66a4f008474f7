// Receive-side steering for active opens: pick the local port of a connection so that the
// peer's replies, hashed by the NIC's Toeplitz RSS function over (src ip, dst ip, src port,
// dst port) and looked up in its redirection table, land on the queue of the lcore that
// opened it (the queue-affinity bug of F-Stack #380 and Seastar #50). Computed in software
// with DPDK's rte_softrss, so it also serves a software dispatcher.
//
// Devices without RSS (every virtual device here): a dispatcher lcore receives from the
// single queue, computes dispatch_queue() over the same key and a redirection table of its
// own whose entries are worker indices, and hands the mbuf to that worker's rte_ring.
// Each worker's rss_config holds that key and table with `queue` = its own index, so
// connect() picks ports the dispatcher maps back to it; passive connections stay put
// because the function depends only on the 4-tuple. Frames that are not TCP over IPv4
// (ARP) should go to every worker, since each has its own ARP cache.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <rte_mbuf.h>

namespace ravelin::tcpstack {

// The 40-byte key Microsoft's RSS specification and most PMDs default to; also the
// software dispatcher's key unless configured otherwise.
extern const std::array<uint8_t, 40> k_default_rss_key;

struct rss_config {
  std::vector<uint8_t> key;    // the port's RSS key (rte_eth_dev_rss_hash_conf_get), >= 16 bytes
  std::vector<uint16_t> reta;  // queue of each redirection-table entry (rte_eth_dev_rss_reta_query)
  uint16_t queue = 0;          // the queue this lcore polls
  bool enabled() const { return key.size() >= 16 && !reta.empty(); }
};

// The Toeplitz hash a NIC computes for an IPv4/TCP packet (addresses and ports in host
// order, as they appear in the packet from src to dst).
uint32_t toeplitz_ipv4_tcp(const uint8_t* key, uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
                           uint16_t dst_port);

// The queue a packet with hash `hash` goes to: reta[hash % reta.size()] (the low bits, for
// the power-of-two table sizes NICs use).
uint16_t rss_queue(const rss_config& cfg, uint32_t hash);

// True when a packet from remote to local would be received on cfg.queue.
bool reply_lands_here(const rss_config& cfg, uint32_t local_ip, uint16_t local_port,
                      uint32_t remote_ip, uint16_t remote_port);

// Finds a local port in [first, last], scanning from `start`, whose replies land on
// cfg.queue and for which `usable(port)` holds (e.g. the 4-tuple is free). Returns 0 when
// none is found within `max_tries` candidates. Each candidate costs an XOR of precomputed
// per-bit contributions (Toeplitz is linear in its input), not a full hash.
template <typename Usable>
uint16_t choose_local_port(const rss_config& cfg, uint32_t local_ip, uint32_t remote_ip,
                           uint16_t remote_port, uint16_t first, uint16_t last, uint16_t start,
                           uint32_t max_tries, Usable&& usable);

// The queue (or worker index) for a received frame starting at its Ethernet header, or -1
// when it is not IPv4/TCP with its headers in the first segment.
int dispatch_queue(const rss_config& cfg, const rte_mbuf* frame);

namespace detail {
// Hash of the reply tuple with local port 0, and the contribution of each local-port bit.
struct port_hash_basis {
  uint32_t base = 0;
  uint32_t bit[16] = {};
};
port_hash_basis port_basis(const uint8_t* key, uint32_t local_ip, uint32_t remote_ip,
                           uint16_t remote_port);
}  // namespace detail

template <typename Usable>
uint16_t choose_local_port(const rss_config& cfg, uint32_t local_ip, uint32_t remote_ip,
                           uint16_t remote_port, uint16_t first, uint16_t last, uint16_t start,
                           uint32_t max_tries, Usable&& usable) {
  if (first > last) return 0;
  const uint32_t span = uint32_t{last} - first + 1;
  const bool steer = cfg.enabled();
  detail::port_hash_basis b;
  if (steer) b = detail::port_basis(cfg.key.data(), local_ip, remote_ip, remote_port);
  uint32_t offset = start < first || start > last ? 0 : start - first;
  for (uint32_t i = 0; i < max_tries && i < span; ++i) {
    const uint16_t port = static_cast<uint16_t>(first + (offset + i) % span);
    if (steer) {
      uint32_t h = b.base;
      for (uint32_t bit = 0; bit < 16; ++bit) {
        if ((port >> bit) & 1) h ^= b.bit[bit];
      }
      if (rss_queue(cfg, h) != cfg.queue) continue;
    }
    if (usable(port)) return port;
  }
  return 0;
}

}  // namespace ravelin::tcpstack
