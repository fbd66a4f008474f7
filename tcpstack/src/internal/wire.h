// Wire-format constants and checksum helpers shared by the layers. Header structs come from
// DPDK (rte_ether.h, rte_arp.h, rte_ip.h, rte_icmp.h); everything on the wire is big-endian.
#pragma once

#include <cstdint>

#include <rte_byteorder.h>
#include <rte_ip.h>

namespace ravelin::tcpstack::internal {

inline constexpr uint32_t k_eth_header_len = 14;
inline constexpr uint32_t k_eth_min_frame = 60;  // 64-byte minimum less the FCS (IEEE 802.3)
inline constexpr uint32_t k_arp_len = 28;        // RFC 826 for Ethernet + IPv4
inline constexpr uint32_t k_ipv4_min_header = 20;
inline constexpr uint32_t k_icmp_header_len = 8;
inline constexpr uint8_t k_ipv4_reply_ttl = 64;  // RFC 1700 default TTL, as Linux uses
inline constexpr uint8_t k_proto_icmp = 1;
inline constexpr uint8_t k_proto_tcp = 6;
inline constexpr uint8_t k_icmp_echo_reply = 0;
inline constexpr uint8_t k_icmp_echo_request = 8;
inline constexpr uint32_t k_ipv4_limited_broadcast = 0xffffffffu;

// Folded one's-complement sum (non-complemented) == 0xffff means the checksum verifies.
inline bool checksum_ok(uint16_t folded_sum) { return folded_sum == 0xffff; }

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one changed 16-bit word m -> m'. All values
// in network byte order as stored; the one's-complement sum is byte-order independent.
inline uint16_t checksum_adjust(uint16_t hc, uint16_t old_word, uint16_t new_word) {
  uint32_t sum = static_cast<uint16_t>(~hc);
  sum += static_cast<uint16_t>(~old_word);
  sum += new_word;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

inline uint32_t netmask(uint8_t prefix_length) {
  return prefix_length == 0 ? 0 : ~uint32_t{0} << (32 - prefix_length);
}

}  // namespace ravelin::tcpstack::internal
