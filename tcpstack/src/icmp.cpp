// ICMP (RFC 792): echo requests are answered in place, reusing the request's mbuf; other
// types are counted and dropped until something needs them.
#include <rte_icmp.h>

#include <cstring>

#include "internal/checksum.h"
#include "internal/stack_impl.h"
#include "internal/wire.h"

namespace ravelin::tcpstack {

void stack::impl::icmp_input(uint16_t port_id, rte_mbuf* m, uint32_t ip_header_len, dst_class dst) {
  const uint32_t icmp_off = internal::k_eth_header_len + ip_header_len;
  const uint32_t icmp_len = rte_pktmbuf_pkt_len(m) - icmp_off;  // padding already trimmed
  uint16_t sum = 0;
  // RFC 792: the checksum covers the whole ICMP message. Its header must be in the first
  // segment because it is rewritten there; the data may span segments.
  if (icmp_len < internal::k_icmp_header_len ||
      rte_pktmbuf_data_len(m) < icmp_off + internal::k_icmp_header_len ||
      !internal::chain_sum(m, icmp_off, icmp_len, sum) || !internal::checksum_ok(sum)) {
    drop(m, counter::icmp_rx_malformed);
    return;
  }
  auto* icmp = rte_pktmbuf_mtod_offset(m, rte_icmp_hdr*, icmp_off);
  if (icmp->icmp_type != internal::k_icmp_echo_request) {
    drop(m, counter::icmp_rx_other);
    return;
  }
  counters_.add(counter::icmp_rx_echo_requests);
  // RFC 1122 §3.2.2.6: an echo to a broadcast address MAY be silently discarded; answering
  // would make us a smurf amplifier.
  if (dst != dst_class::unicast) {
    drop(m, counter::icmp_rx_echo_broadcast);
    return;
  }

  // RFC 792 echo reply: type 0, code 0, identifier, sequence and data unchanged. Only the
  // first word changes, so the checksum is updated (RFC 1624 eqn. 3) rather than recomputed
  // over the data. A result of 0x0000 is sent as its equivalent 0xffff, which verifies
  // whatever the data (an all-zero message needs exactly that form).
  uint16_t old_word;
  std::memcpy(&old_word, icmp, sizeof(old_word));
  icmp->icmp_type = internal::k_icmp_echo_reply;
  icmp->icmp_code = 0;
  uint16_t cksum = internal::checksum_adjust(icmp->icmp_cksum, old_word, 0);
  icmp->icmp_cksum = cksum == 0 ? 0xffff : cksum;

  // The reply carries no options (RFC 1122 §3.2.2.6 leaves record-route and timestamps to
  // the transport; we do not implement them): slide the Ethernet and fixed IPv4 headers
  // forward over the options and drop the bytes in front.
  const uint32_t options_len = ip_header_len - internal::k_ipv4_min_header;
  if (options_len != 0) {
    char* start = rte_pktmbuf_mtod(m, char*);
    std::memmove(start + options_len, start,
                 internal::k_eth_header_len + internal::k_ipv4_min_header);
    rte_pktmbuf_adj(m, static_cast<uint16_t>(options_len));
  }
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  // The request reached us by unicast from that MAC, so it is the right next hop back (the
  // host or its router) and no ARP lookup is needed.
  eth->dst_addr = eth->src_addr;
  eth->src_addr = ports_[port_id].mac;
  const uint32_t requester = ip->src_addr;
  ip->src_addr = ip->dst_addr;
  ip->dst_addr = requester;
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->total_length =
      rte_cpu_to_be_16(static_cast<uint16_t>(internal::k_ipv4_min_header + icmp_len));
  ip->time_to_live = internal::k_ipv4_reply_ttl;
  ip->hdr_checksum = 0;
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  if (emit(port_id, m)) counters_.add(counter::icmp_tx_echo_replies);
}

}  // namespace ravelin::tcpstack
