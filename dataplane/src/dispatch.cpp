#include "dispatch.h"

#include <rte_ether.h>

namespace ravelin::dataplane {
namespace {

bool is_arp(const rte_mbuf* m) {
  if (rte_pktmbuf_data_len(m) < sizeof(rte_ether_hdr)) return false;
  return rte_pktmbuf_mtod(m, const rte_ether_hdr*)->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP);
}

}  // namespace

std::vector<uint16_t> worker_reta(uint16_t workers) {
  constexpr uint16_t k_entries = 128;
  std::vector<uint16_t> reta(k_entries);
  for (uint16_t i = 0; i < k_entries; ++i) reta[i] = i % workers;
  return reta;
}

uint16_t dispatcher::steer(rte_mbuf** pkts, uint16_t n, counter_set& counters) const {
  uint16_t kept = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    const int owner = tcpstack::dispatch_queue(steering, m);
    if (owner < 0 || owner == steering.queue) {
      if (owner < 0 && is_arp(m)) {
        // The stack answers ARP in place, so each peer gets a copy of its own.
        for (std::size_t p = 0; p < peers.size(); ++p) {
          if (p == steering.queue) continue;
          rte_mbuf* copy = rte_pktmbuf_copy(m, copy_pool, 0, UINT32_MAX);
          if (copy == nullptr || rte_ring_mp_enqueue(peers[p], copy) != 0) {
            if (copy != nullptr) rte_pktmbuf_free(copy);
            counters.add(counter::dispatch_dropped);
          } else {
            counters.add(counter::dispatch_arp_copies);
          }
        }
      }
      pkts[kept++] = m;
      continue;
    }
    if (rte_ring_mp_enqueue(peers[static_cast<std::size_t>(owner)], m) != 0) {
      rte_pktmbuf_free(m);
      counters.add(counter::dispatch_dropped);
    } else {
      counters.add(counter::dispatch_passed);
    }
  }
  return kept;
}

}  // namespace ravelin::dataplane
