// Eight bytes per step: each 64-bit load contributes its two 32-bit halves to a 64-bit
// accumulator, which cannot overflow below 2^32 loads (RFC 1071 §2 (B), deferred carries).
#include "internal/checksum.h"

#include <cstring>

#include <rte_byteorder.h>

namespace ravelin::tcpstack::internal {

uint64_t sum_bytes(const uint8_t* p, uint32_t len) {
  uint64_t a = 0;
  uint64_t b = 0;  // two accumulators let the adds of consecutive words overlap
  while (len >= 16) {
    uint64_t x, y;
    std::memcpy(&x, p, 8);
    std::memcpy(&y, p + 8, 8);
    a += (x & 0xffffffff) + (x >> 32);
    b += (y & 0xffffffff) + (y >> 32);
    p += 16;
    len -= 16;
  }
  a += b;
  if (len >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    a += (x & 0xffffffff) + (x >> 32);
    p += 8;
    len -= 8;
  }
  if (len >= 4) {
    uint32_t x;
    std::memcpy(&x, p, 4);
    a += x;
    p += 4;
    len -= 4;
  }
  if (len >= 2) {
    uint16_t x;
    std::memcpy(&x, p, 2);
    a += x;
    p += 2;
    len -= 2;
  }
  if (len != 0) {
    uint16_t x = 0;
    std::memcpy(&x, p, 1);
    a += x;
  }
  return a;
}

bool chain_sum(const rte_mbuf* m, uint32_t off, uint32_t len, uint16_t& out) {
  while (m != nullptr && off >= m->data_len) {
    off -= m->data_len;
    m = m->next;
  }
  uint64_t sum = 0;
  uint32_t done = 0;
  for (; m != nullptr && done < len; m = m->next, off = 0) {
    const uint32_t n = m->data_len - off < len - done ? m->data_len - off : len - done;
    const uint16_t part = fold(sum_bytes(rte_pktmbuf_mtod_offset(m, const uint8_t*, off), n));
    // A piece starting at an odd offset has its bytes in the other halves of the words.
    sum += (done & 1) != 0 ? rte_bswap16(part) : part;
    done += n;
  }
  out = fold(sum);
  return done == len;
}

}  // namespace ravelin::tcpstack::internal
