// IPv4 receive validation and demultiplexing (RFC 791 §3.1, RFC 1122 §3.2.1), and the
// transmit path: route to an interface and next hop, then hand over to ARP.
// Transmit convention: the caller's mbuf data starts at the IPv4 header with a complete
// header; the stack prepends the 14-byte Ethernet header into the headroom and sets l2_len.
#include <cstring>

#include "internal/stack_impl.h"
#include "internal/tcp_engine.h"
#include "internal/wire.h"

namespace ravelin::tcpstack {
namespace {

using internal::netmask;

// Cuts `m` to `len` bytes. rte_pktmbuf_trim only trims within the last segment; Ethernet
// padding or trailing junk may span segments, so walk the chain.
void trim_to(rte_mbuf* m, uint32_t len) {
  uint32_t keep = len;
  uint16_t segs = 1;
  rte_mbuf* seg = m;
  while (keep > seg->data_len) {
    keep -= seg->data_len;
    seg = seg->next;
    ++segs;
  }
  seg->data_len = static_cast<uint16_t>(keep);
  if (seg->next != nullptr) {
    rte_pktmbuf_free(seg->next);
    seg->next = nullptr;
  }
  m->nb_segs = segs;
  m->pkt_len = len;
}

// The directed broadcast of a subnet; /31 and /32 have none (RFC 3021).
bool is_directed_broadcast(const interface_addr& i, uint32_t a) {
  return i.prefix_length <= 30 && a == (i.address | ~netmask(i.prefix_length));
}

}  // namespace

stack::impl::dst_class stack::impl::classify_dst(uint16_t port_id, uint32_t dst) const {
  dst_class c = dst_class::not_ours;
  for (const auto& i : interfaces_) {
    // RFC 1122 §3.3.4.2: the weak host model, so any of our addresses on any port.
    if (i.address == dst) return dst_class::unicast;
    if (i.port_id == port_id &&
        (dst == internal::k_ipv4_limited_broadcast || is_directed_broadcast(i, dst))) {
      c = dst_class::broadcast;
    }
  }
  return c;
}

bool stack::impl::is_bad_source(uint16_t port_id, uint32_t src) const {
  // RFC 1122 §3.2.1.3: discard a source of {0, *} (we never use DHCP), 127/8, class D
  // multicast, class E and the limited broadcast (all >= 224.0.0.0), and a subnet broadcast.
  const uint32_t first_octet = src >> 24;
  if (first_octet == 0 || first_octet == 127 || first_octet >= 224) return true;
  for (const auto& i : interfaces_) {
    if (i.port_id == port_id && is_directed_broadcast(i, src)) return true;
  }
  return false;
}

void stack::impl::ipv4_input(uint16_t port_id, rte_mbuf* m, uint64_t now_ns) {
  counters_.add(counter::ipv4_rx_packets);
  const uint32_t payload_len = rte_pktmbuf_pkt_len(m) - internal::k_eth_header_len;
  // The whole header must sit in the first segment; PMDs always put it there.
  const uint32_t first_seg_len = rte_pktmbuf_data_len(m) - internal::k_eth_header_len;
  if (first_seg_len < internal::k_ipv4_min_header) {
    drop(m, counter::ipv4_rx_truncated);
    return;
  }
  auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, internal::k_eth_header_len);
  // RFC 1122 §3.2.1.1: silently discard a version other than 4.
  if ((ip->version_ihl >> 4) != IPVERSION) {
    drop(m, counter::ipv4_rx_bad_version);
    return;
  }
  const uint32_t header_len = rte_ipv4_hdr_len(ip);
  if (header_len < internal::k_ipv4_min_header) {
    drop(m, counter::ipv4_rx_bad_header_length);
    return;
  }
  const uint32_t total_len = rte_be_to_cpu_16(ip->total_length);
  if (header_len > first_seg_len || total_len > payload_len || total_len < header_len) {
    drop(m, counter::ipv4_rx_truncated);
    return;
  }
  // RFC 1122 §3.2.1.2: verify the header checksum, unless the NIC already did.
  const uint64_t cksum_flags = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
  if (cksum_flags == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
      (cksum_flags == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN &&
       !internal::checksum_ok(rte_raw_cksum(ip, header_len)))) {
    drop(m, counter::ipv4_rx_bad_checksum);
    return;
  }
  // Ethernet pads short frames to 60 bytes: what follows total_length is not ours to read.
  if (total_len < payload_len) trim_to(m, internal::k_eth_header_len + total_len);
  if (ip->time_to_live == 0) {
    drop(m, counter::ipv4_rx_ttl_expired);
    return;
  }
  // No reassembly yet: any piece of a fragmented datagram (MF set or a non-zero offset).
  if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0) {
    drop(m, counter::ipv4_rx_fragment);
    return;
  }
  dst_class dst = classify_dst(port_id, rte_be_to_cpu_32(ip->dst_addr));
  // RFC 1122 §3.3.6: a unicast datagram that arrived as a link-layer broadcast is discarded.
  if (dst == dst_class::unicast && rte_is_broadcast_ether_addr(&eth->dst_addr)) {
    dst = dst_class::not_ours;
  }
  if (dst == dst_class::not_ours) {
    drop(m, counter::ipv4_rx_not_for_us);
    return;
  }
  if (is_bad_source(port_id, rte_be_to_cpu_32(ip->src_addr))) {
    drop(m, counter::ipv4_rx_bad_source);
    return;
  }
  // Options (IHL > 5) are skipped: nothing here acts on them (RFC 1122 §3.2.1.8 lets a host
  // ignore those it does not implement).
  switch (ip->next_proto_id) {
    case internal::k_proto_icmp:
      icmp_input(port_id, m, header_len, dst);
      return;
    case internal::k_proto_tcp:
      tcp_->input(port_id, m, header_len, dst == dst_class::unicast, now_ns);
      return;
    default:
      // RFC 1122 §3.2.2.1 would have us send Protocol Unreachable; not yet, just count.
      drop(m, counter::ipv4_rx_unknown_protocol);
      return;
  }
}

bool stack::impl::ipv4_send(rte_mbuf* m, uint64_t now_ns) {
  if (rte_pktmbuf_data_len(m) < internal::k_ipv4_min_header) [[unlikely]] {
    drop(m, counter::ipv4_tx_invalid);
    return false;
  }
  const auto* ip = rte_pktmbuf_mtod(m, const rte_ipv4_hdr*);
  const route_result r = route(rte_be_to_cpu_32(ip->dst_addr), rte_be_to_cpu_32(ip->src_addr));
  if (r.iface < 0) {
    drop(m, counter::ipv4_tx_no_route);
    return false;
  }
  const interface_addr& out = interfaces_[r.iface];
  rte_ether_hdr* eth = eth_prepend(m, out.mac, RTE_ETHER_TYPE_IPV4);
  if (eth == nullptr) return false;
  m->l2_len = sizeof(rte_ether_hdr);
  if (r.broadcast) {
    std::memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
    emit(out.port_id, m);
    return true;
  }
  arp_output(static_cast<uint16_t>(r.iface), r.next_hop, m, now_ns);
  return true;
}

stack::impl::route_result stack::impl::route(uint32_t dst, uint32_t src) const {
  // RFC 1122 §3.3.1.1: on-link when the destination shares an interface's prefix, else
  // through a gateway, preferring the one of the interface that owns the source.
  route_result r;
  r.next_hop = dst;
  for (std::size_t i = 0; i < interfaces_.size() && r.iface < 0; ++i) {
    const interface_addr& ifa = interfaces_[i];
    const uint32_t mask = netmask(ifa.prefix_length);
    if ((dst & mask) == (ifa.address & mask)) {
      r.iface = static_cast<int>(i);
      r.broadcast = is_directed_broadcast(ifa, dst);
    } else if (dst == internal::k_ipv4_limited_broadcast && ifa.address == src) {
      r.iface = static_cast<int>(i);
      r.broadcast = true;
    }
  }
  if (r.iface >= 0) return r;
  for (std::size_t i = 0; i < interfaces_.size(); ++i) {
    const interface_addr& ifa = interfaces_[i];
    if (ifa.gateway == 0) continue;
    if (r.iface < 0 || ifa.address == src) r.iface = static_cast<int>(i);
  }
  if (r.iface >= 0) r.next_hop = interfaces_[r.iface].gateway;
  return r;
}

}  // namespace ravelin::tcpstack
