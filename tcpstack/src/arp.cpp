// ARP (RFC 826) for the stack's interfaces: answering requests for our addresses, learning
// neighbours, and resolving next hops for transmit with one held packet per neighbour.
#include <rte_arp.h>

#include <cstring>

#include "internal/stack_impl.h"
#include "internal/wire.h"

namespace ravelin::tcpstack {
namespace {

using internal::arp_entry;
using internal::arp_state;

// Bounds the work spent looking for expired entries: k_sweep_per_poll entries at most once
// per k_sweep_interval_ns, so an idle poll loop does not walk the table on every turn (it was
// 42 % of an idle lcore's profile). 1,024 entries are covered in 16 ms, far inside
// arp_reachable_ms.
constexpr uint32_t k_sweep_per_poll = 64;
constexpr uint64_t k_sweep_interval_ns = 1'000'000;

int find_interface(const std::vector<interface_addr>& ifs, uint16_t port_id, uint32_t ip) {
  for (std::size_t i = 0; i < ifs.size(); ++i) {
    if (ifs[i].port_id == port_id && ifs[i].address == ip) return static_cast<int>(i);
  }
  return -1;
}

bool is_own_address(const std::vector<interface_addr>& ifs, uint32_t ip) {
  for (const auto& i : ifs) {
    if (i.address == ip) return true;
  }
  return false;
}

}  // namespace

void stack::impl::arp_input(uint16_t port_id, rte_mbuf* m, uint64_t now_ns) {
  if (rte_pktmbuf_data_len(m) < internal::k_eth_header_len + internal::k_arp_len) {
    drop(m, counter::arp_rx_malformed);
    return;
  }
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  // RFC 826 "Packet Reception": only Ethernet hardware and IPv4 protocol addresses.
  const uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
  if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
      arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || arp->arp_hlen != RTE_ETHER_ADDR_LEN ||
      arp->arp_plen != sizeof(uint32_t) || (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)) {
    drop(m, counter::arp_rx_malformed);
    return;
  }
  if (op == RTE_ARP_OP_REPLY) counters_.add(counter::arp_rx_replies);
  const uint32_t sender_ip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
  const uint32_t target_ip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
  const rte_ether_addr sender_mac = arp->arp_data.arp_sha;
  // Never learn 0.0.0.0 (RFC 5227 probes), group addresses, or a claim to our own address.
  const bool learnable = sender_ip != 0 && rte_is_valid_assigned_ether_addr(&sender_mac) &&
                         !is_own_address(interfaces_, sender_ip);

  // RFC 826 merge: an entry for the sender is refreshed whoever the packet was for; this is
  // also how gratuitous ARP updates a neighbour that moved.
  bool merged = false;
  if (learnable) {
    if (arp_entry* e = arp_.find(sender_ip)) {
      arp_resolved(*e, sender_mac, now_ns);
      merged = true;
    }
  }
  const int iface = find_interface(interfaces_, port_id, target_ip);
  if (iface < 0) {
    drop(m, counter::arp_rx_not_for_us);
    return;
  }
  // RFC 826: "?Am I the target protocol address? Yes: if the merge flag is false, add the
  // triplet to the table."
  if (learnable && !merged) {
    arp_entry evicted;
    arp_entry& e = arp_.insert(sender_ip, now_ns, &evicted);
    arp_evicted(evicted);
    e.iface = static_cast<uint16_t>(iface);
    arp_resolved(e, sender_mac, now_ns);
  }
  if (op != RTE_ARP_OP_REQUEST) {
    rte_pktmbuf_free(m);  // a reply's work is the merge above
    return;
  }
  counters_.add(counter::arp_rx_requests);
  // RFC 826: swap the fields, put ours in the sender fields, set the opcode to reply and
  // send it to the new target hardware address. The request's buffer is reused.
  const interface_addr& ifa = interfaces_[iface];
  arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
  arp->arp_data.arp_tha = sender_mac;
  arp->arp_data.arp_tip = arp->arp_data.arp_sip;
  arp->arp_data.arp_sha = ifa.mac;
  arp->arp_data.arp_sip = rte_cpu_to_be_32(ifa.address);
  eth->dst_addr = sender_mac;
  eth->src_addr = ifa.mac;
  if (emit(port_id, m)) counters_.add(counter::arp_tx_replies);
}

void stack::impl::arp_resolved(arp_entry& e, const rte_ether_addr& mac, uint64_t now_ns) {
  rte_mbuf* held = e.held;
  arp_.make_reachable(e, mac, now_ns + limits_.arp_reachable_ns);
  if (held != nullptr) {
    rte_pktmbuf_mtod(held, rte_ether_hdr*)->dst_addr = mac;
    emit(interfaces_[e.iface].port_id, held);
  }
}

void stack::impl::arp_evicted(const arp_entry& victim) {
  if (victim.state == arp_state::free) return;
  counters_.add(counter::arp_cache_full);
  if (victim.held != nullptr) drop(victim.held, counter::arp_resolve_failed);
}

void stack::impl::arp_output(uint16_t iface, uint32_t next_hop, rte_mbuf* m, uint64_t now_ns) {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  arp_entry* e = arp_.find(next_hop);
  if (e != nullptr && (e->state == arp_state::reachable || e->state == arp_state::probe)) {
    eth->dst_addr = e->mac;
    if (e->state == arp_state::reachable) {
      if (now_ns >= e->deadline_ns) [[unlikely]] {
        // Expired while in use: keep the address and verify it (RFC 1122 §2.3.2.1) rather
        // than hold this flow's packets for a broadcast round trip.
        e->requests_sent = 0;
        arp_.requeue_waiting(*e, arp_state::probe, now_ns);
        arp_request(*e, now_ns);
      } else {
        arp_.touch(*e);
      }
    }
    emit(interfaces_[e->iface].port_id, m);
    return;
  }
  if (e == nullptr) {
    arp_entry evicted;
    e = &arp_.insert(next_hop, now_ns, &evicted);
    arp_evicted(evicted);
    e->iface = iface;
  }
  // RFC 1122 §2.3.2.2: keep at least one packet per unresolved address, the latest.
  if (e->held != nullptr) drop(e->held, counter::arp_hold_replaced);
  e->held = m;
  if (e->requests_sent == 0) arp_request(*e, now_ns);
}

void stack::impl::arp_request(arp_entry& e, uint64_t now_ns) {
  ++e.requests_sent;
  arp_.requeue_waiting(e, e.state, now_ns + limits_.arp_retry_ns);
  const interface_addr& ifa = interfaces_[e.iface];
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  char* p = m == nullptr ? nullptr : rte_pktmbuf_append(m, internal::k_eth_min_frame);
  if (p == nullptr) {
    rte_pktmbuf_free(m);  // null-safe
    counters_.add(counter::mbuf_alloc_failed);
    return;
  }
  std::memset(p, 0, internal::k_eth_min_frame);  // padding to the minimum frame is zeros
  auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
  // A probe asks the address it verifies directly; resolution broadcasts.
  if (e.state == arp_state::probe) {
    eth->dst_addr = e.mac;
  } else {
    std::memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
  }
  eth->src_addr = ifa.mac;
  eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = RTE_ETHER_ADDR_LEN;
  arp->arp_plen = sizeof(uint32_t);
  arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
  arp->arp_data.arp_sha = ifa.mac;
  arp->arp_data.arp_sip = rte_cpu_to_be_32(ifa.address);
  arp->arp_data.arp_tip = rte_cpu_to_be_32(e.ip);  // target hardware address stays zero
  if (emit(ifa.port_id, m)) counters_.add(counter::arp_tx_requests);
}

void stack::impl::arp_poll(uint64_t now_ns) {
  // The waiting list is in deadline order, so only due entries are visited.
  for (arp_entry* e = arp_.first_waiting(); e != nullptr && e->deadline_ns <= now_ns;
       e = arp_.first_waiting()) {
    if (e->requests_sent > limits_.arp_max_retries) {
      // An unverified probe entry is forgotten too; the next packet resolves afresh.
      if (e->held != nullptr) drop(e->held, counter::arp_resolve_failed);
      if (e->state == arp_state::probe) counters_.add(counter::arp_probe_failed);
      arp_.erase(*e);
    } else {
      arp_request(*e, now_ns);
    }
  }
  if (now_ns < next_sweep_ns_) return;
  next_sweep_ns_ = now_ns + k_sweep_interval_ns;
  // An expired entry nobody used for another whole reachable time is forgotten; one that
  // is used turns into a probe on its next packet (arp_output) instead.
  const uint32_t cap = arp_.capacity();
  for (uint32_t n = 0; n < k_sweep_per_poll && n < cap; ++n) {
    arp_entry& e = arp_.entry(sweep_cursor_);
    if (e.state == arp_state::reachable && e.deadline_ns + limits_.arp_reachable_ns <= now_ns) {
      arp_.erase(e);
    }
    sweep_cursor_ = sweep_cursor_ + 1 < cap ? sweep_cursor_ + 1 : 0;
  }
}

}  // namespace ravelin::tcpstack
