// Ethernet II receive filter and demultiplexing, and header construction for transmit.
// Frames arrive with the FCS already stripped by the PMD; 802.1Q tags are not handled (the
// dataplane does not configure VLANs), so a tagged frame counts as an unknown EtherType.
#include "internal/stack_impl.h"
#include "internal/wire.h"

namespace ravelin::tcpstack {

void stack::impl::eth_input(uint16_t port_id, rte_mbuf* m, uint64_t now_ns) {
  counters_.add(counter::eth_rx_packets);
  // Headers are read from the first segment only; a PMD never splits the first 14 bytes.
  if (rte_pktmbuf_data_len(m) < internal::k_eth_header_len) [[unlikely]] {
    drop(m, counter::eth_rx_runt);
    return;
  }
  const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  // Unicast to this port's address, or broadcast (ARP requests). Multicast is not joined.
  const bool ours = port_id < RTE_MAX_ETHPORTS && ports_[port_id].configured &&
                    rte_is_same_ether_addr(&eth->dst_addr, &ports_[port_id].mac);
  if (!ours && !rte_is_broadcast_ether_addr(&eth->dst_addr)) {
    drop(m, counter::eth_rx_not_for_us);
    return;
  }
  switch (eth->ether_type) {
    case RTE_BE16(RTE_ETHER_TYPE_IPV4):
      ipv4_input(port_id, m, now_ns);
      return;
    case RTE_BE16(RTE_ETHER_TYPE_ARP):
      arp_input(port_id, m, now_ns);
      return;
    default:
      drop(m, counter::eth_rx_unknown_ethertype);
      return;
  }
}

rte_ether_hdr* stack::impl::eth_prepend(rte_mbuf* m, const rte_ether_addr& src,
                                        uint16_t ether_type) {
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, sizeof(rte_ether_hdr)));
  if (eth == nullptr) [[unlikely]] {
    drop(m, counter::tx_no_headroom);
    return nullptr;
  }
  rte_ether_addr_copy(&src, &eth->src_addr);
  eth->ether_type = rte_cpu_to_be_16(ether_type);
  return eth;
}

}  // namespace ravelin::tcpstack
