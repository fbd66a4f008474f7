// Builds Ethernet / ARP / IPv4 / ICMP frames byte by byte for the stack's tests and fuzz
// seeds, with every field a knob so tests can corrupt one at a time. Deliberately written
// without the stack's code (own checksum, own byte order) so it can serve as the oracle.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

namespace ravelin::test {

using bytes = std::vector<uint8_t>;

constexpr uint32_t ipv4_addr(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}
rte_ether_addr mac_addr(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e, uint8_t f);
inline const rte_ether_addr k_broadcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

struct eth_fields {
  rte_ether_addr dst{};
  rte_ether_addr src{};
  uint16_t ether_type = 0x0800;
};

struct arp_fields {
  uint16_t htype = 1;
  uint16_t ptype = 0x0800;
  uint8_t hlen = 6;
  uint8_t plen = 4;
  uint16_t op = 1;  // 1 request, 2 reply
  rte_ether_addr sha{};
  uint32_t spa = 0;
  rte_ether_addr tha{};
  uint32_t tpa = 0;
};

struct ipv4_fields {
  uint8_t version = 4;
  std::optional<uint8_t> ihl;  // default: 5 + options / 4
  uint8_t tos = 0;
  std::optional<uint16_t> total_length;  // default: header + payload
  uint16_t id = 0x1234;
  uint16_t flags_fragment = 0;  // flags (top 3 bits) and fragment offset, host order
  uint8_t ttl = 64;
  uint8_t protocol = 1;
  std::optional<uint16_t> checksum;  // default: correct
  uint32_t src = 0;
  uint32_t dst = 0;
  bytes options;  // raw, a multiple of 4 bytes for a well-formed header
};

struct icmp_fields {
  uint8_t type = 8;
  uint8_t code = 0;
  uint16_t id = 0x4242;
  uint16_t seq = 1;
  bytes payload;
  std::optional<uint16_t> checksum;  // default: correct
};

// RFC 1071 Internet checksum of `data` (the value to store in a checksum field).
uint16_t inet_checksum(const uint8_t* data, std::size_t len);

bytes build_eth(const eth_fields& eth, const bytes& payload);
bytes build_arp(const eth_fields& eth, const arp_fields& arp);  // padded to 60 bytes
bytes build_icmp(const icmp_fields& icmp);                      // the ICMP message alone
bytes build_ipv4(const eth_fields& eth, const ipv4_fields& ip, const bytes& l4);
inline bytes build_echo(const eth_fields& eth, const ipv4_fields& ip, const icmp_fields& icmp) {
  return build_ipv4(eth, ip, build_icmp(icmp));
}
bytes padded(bytes frame, std::size_t min_len = 60);

// Copies `frame` into one mbuf, or a chain of `segment_size`-byte segments when non-zero.
// Null when the pool is empty. Aborts if the frame does not fit (a test bug).
rte_mbuf* to_mbuf(rte_mempool* pool, const bytes& frame, uint16_t segment_size = 0);
bytes to_bytes(const rte_mbuf* m);

// Helpers for checking what the stack emitted.
uint16_t read16(const bytes& b, std::size_t off);
uint32_t read32(const bytes& b, std::size_t off);

}  // namespace ravelin::test
