// The Internet checksum (RFC 1071) over mbuf chains, summing eight bytes per step. DPDK
// 22.11's rte_raw_cksum_mbuf adds two bytes per step and, for a segment that starts at an
// odd offset, truncates that segment's sum to 16 bits before swapping it, losing carries;
// TCP payloads built from application mbufs start at odd offsets whenever the application
// wrote odd-sized pieces, so the stack uses this instead.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>

namespace ravelin::tcpstack::internal {

// The one's-complement sum of the native-order 16-bit words of [p, p + len), unfolded; an
// odd last byte counts as the first byte of a word (RFC 1071 §4.1).
uint64_t sum_bytes(const uint8_t* p, uint32_t len);

// Folds an unfolded sum to 16 bits with end-around carries (RFC 1071 §2 (1)).
inline uint16_t fold(uint64_t sum) {
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// The folded sum of `len` bytes from `off` in the chain `m`, as rte_raw_cksum_mbuf defines
// it; false when the chain is shorter than off + len.
bool chain_sum(const rte_mbuf* m, uint32_t off, uint32_t len, uint16_t& out);

}  // namespace ravelin::tcpstack::internal
