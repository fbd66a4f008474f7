#include "packet_builder.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ravelin::test {
namespace {

void put16(bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}
void put_mac(bytes& b, const rte_ether_addr& m) {
  b.insert(b.end(), m.addr_bytes, m.addr_bytes + RTE_ETHER_ADDR_LEN);
}
void set16(bytes& b, std::size_t off, uint16_t v) {
  b[off] = static_cast<uint8_t>(v >> 8);
  b[off + 1] = static_cast<uint8_t>(v);
}

}  // namespace

rte_ether_addr mac_addr(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e, uint8_t f) {
  return rte_ether_addr{{a, b, c, d, e, f}};
}

uint16_t inet_checksum(const uint8_t* data, std::size_t len) {
  uint64_t sum = 0;
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t{data[i]} << 8) | data[i + 1];
  if (len % 2 != 0) sum += uint32_t{data[len - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

bytes build_eth(const eth_fields& eth, const bytes& payload) {
  bytes b;
  put_mac(b, eth.dst);
  put_mac(b, eth.src);
  put16(b, eth.ether_type);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

bytes build_arp(const eth_fields& eth, const arp_fields& arp) {
  bytes p;
  put16(p, arp.htype);
  put16(p, arp.ptype);
  p.push_back(arp.hlen);
  p.push_back(arp.plen);
  put16(p, arp.op);
  put_mac(p, arp.sha);
  put32(p, arp.spa);
  put_mac(p, arp.tha);
  put32(p, arp.tpa);
  eth_fields e = eth;
  if (e.ether_type == 0x0800) e.ether_type = 0x0806;
  return padded(build_eth(e, p));
}

bytes build_icmp(const icmp_fields& icmp) {
  bytes b;
  b.push_back(icmp.type);
  b.push_back(icmp.code);
  put16(b, 0);
  put16(b, icmp.id);
  put16(b, icmp.seq);
  b.insert(b.end(), icmp.payload.begin(), icmp.payload.end());
  set16(b, 2, icmp.checksum.value_or(inet_checksum(b.data(), b.size())));
  return b;
}

bytes build_ipv4(const eth_fields& eth, const ipv4_fields& ip, const bytes& l4) {
  const std::size_t header_len = 20 + ip.options.size();
  bytes h;
  h.push_back(static_cast<uint8_t>((ip.version << 4) |
                                   (ip.ihl.value_or(static_cast<uint8_t>(header_len / 4)) & 0xf)));
  h.push_back(ip.tos);
  put16(h, ip.total_length.value_or(static_cast<uint16_t>(header_len + l4.size())));
  put16(h, ip.id);
  put16(h, ip.flags_fragment);
  h.push_back(ip.ttl);
  h.push_back(ip.protocol);
  put16(h, 0);
  put32(h, ip.src);
  put32(h, ip.dst);
  h.insert(h.end(), ip.options.begin(), ip.options.end());
  set16(h, 10, ip.checksum.value_or(inet_checksum(h.data(), h.size())));
  h.insert(h.end(), l4.begin(), l4.end());
  return build_eth(eth, h);
}

bytes padded(bytes frame, std::size_t min_len) {
  if (frame.size() < min_len) frame.resize(min_len, 0);
  return frame;
}

rte_mbuf* to_mbuf(rte_mempool* pool, const bytes& frame, uint16_t segment_size) {
  rte_mbuf* head = nullptr;
  std::size_t off = 0;
  do {
    rte_mbuf* seg = rte_pktmbuf_alloc(pool);
    if (seg == nullptr) {
      rte_pktmbuf_free(head);
      return nullptr;
    }
    std::size_t n = frame.size() - off;
    if (segment_size != 0 && n > segment_size) n = segment_size;
    if (n > rte_pktmbuf_tailroom(seg)) {
      std::fprintf(stderr, "to_mbuf: %zu bytes do not fit a segment\n", n);
      std::abort();
    }
    if (n != 0)
      std::memcpy(rte_pktmbuf_append(seg, static_cast<uint16_t>(n)), frame.data() + off, n);
    off += n;
    if (head == nullptr) {
      head = seg;
    } else if (rte_pktmbuf_chain(head, seg) != 0) {
      std::abort();
    }
  } while (off < frame.size());
  return head;
}

bytes to_bytes(const rte_mbuf* m) {
  bytes b(rte_pktmbuf_pkt_len(m));
  if (!b.empty()) {
    const void* p = rte_pktmbuf_read(m, 0, static_cast<uint32_t>(b.size()), b.data());
    if (p != b.data()) std::memcpy(b.data(), p, b.size());
  }
  return b;
}

uint16_t read16(const bytes& b, std::size_t off) {
  return static_cast<uint16_t>((b.at(off) << 8) | b.at(off + 1));
}
uint32_t read32(const bytes& b, std::size_t off) {
  return (uint32_t{read16(b, off)} << 16) | read16(b, off + 2);
}

}  // namespace ravelin::test
