// Toeplitz hashing for reply steering, on DPDK's software implementation (rte_thash.h).
#include "ravelin/tcpstack/rss.h"

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_thash.h>

namespace ravelin::tcpstack {

const std::array<uint8_t, 40> k_default_rss_key = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

uint32_t toeplitz_ipv4_tcp(const uint8_t* key, uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
                           uint16_t dst_port) {
  // rte_ipv4_tuple's word order: src, dst, then sport in the high half of the third word.
  uint32_t tuple[RTE_THASH_V4_L4_LEN] = {src_ip, dst_ip, (uint32_t{src_port} << 16) | dst_port};
  return rte_softrss(tuple, RTE_THASH_V4_L4_LEN, key);
}

uint16_t rss_queue(const rss_config& cfg, uint32_t hash) {
  return cfg.reta[hash % cfg.reta.size()];
}

bool reply_lands_here(const rss_config& cfg, uint32_t local_ip, uint16_t local_port,
                      uint32_t remote_ip, uint16_t remote_port) {
  if (!cfg.enabled()) return true;
  const uint32_t h =
      toeplitz_ipv4_tcp(cfg.key.data(), remote_ip, local_ip, remote_port, local_port);
  return rss_queue(cfg, h) == cfg.queue;
}

namespace detail {

port_hash_basis port_basis(const uint8_t* key, uint32_t local_ip, uint32_t remote_ip,
                           uint16_t remote_port) {
  port_hash_basis b;
  b.base = toeplitz_ipv4_tcp(key, remote_ip, local_ip, remote_port, 0);
  for (uint32_t bit = 0; bit < 16; ++bit) {
    b.bit[bit] = toeplitz_ipv4_tcp(key, 0, 0, 0, static_cast<uint16_t>(1u << bit));
  }
  return b;
}

}  // namespace detail

int dispatch_queue(const rss_config& cfg, const rte_mbuf* frame) {
  constexpr uint32_t k_eth = sizeof(rte_ether_hdr);
  if (!cfg.enabled() || rte_pktmbuf_data_len(frame) < k_eth + sizeof(rte_ipv4_hdr)) return -1;
  const auto* eth = rte_pktmbuf_mtod(frame, const rte_ether_hdr*);
  if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4)) return -1;
  const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
  const uint32_t ihl = rte_ipv4_hdr_len(ip);
  if (ip->next_proto_id != IPPROTO_TCP ||
      rte_pktmbuf_data_len(frame) < k_eth + ihl + sizeof(rte_tcp_hdr)) {
    return -1;
  }
  const auto* tcp =
      reinterpret_cast<const rte_tcp_hdr*>(reinterpret_cast<const uint8_t*>(ip) + ihl);
  const uint32_t h = toeplitz_ipv4_tcp(
      cfg.key.data(), rte_be_to_cpu_32(ip->src_addr), rte_be_to_cpu_32(ip->dst_addr),
      rte_be_to_cpu_16(tcp->src_port), rte_be_to_cpu_16(tcp->dst_port));
  return rss_queue(cfg, h);
}

}  // namespace ravelin::tcpstack
