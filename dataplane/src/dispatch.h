// Software steering between io lcores. Every TCP segment must reach the lcore that owns its
// connection, but virtual devices (and NICs whose RSS we cannot program) hand frames to
// queues by their own rule. Each worker therefore hashes what it receives with the same
// Toeplitz key and redirection table tcpstack uses to choose active-open source ports
// (rss.h), keeps its own share and passes the rest to the owner's inbox ring. On a NIC
// whose RSS is programmed with that key and table nothing is ever passed. ARP frames are
// copied to every worker, since each keeps its own ARP cache; other frames (ICMP) stay.
#pragma once

#include <cstdint>
#include <vector>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ravelin/dataplane/counters.h"
#include "ravelin/tcpstack/rss.h"

namespace ravelin::dataplane {

struct dispatcher {
  tcpstack::rss_config steering;  // queue = this worker's index
  rte_ring* inbox = nullptr;      // frames other workers passed to this one
  std::vector<rte_ring*> peers;   // every worker's inbox, by worker index
  rte_mempool* copy_pool = nullptr;

  bool active() const { return peers.size() > 1; }

  // Keeps this worker's frames at the front of `pkts` and returns their count; the others
  // are passed on (or dropped and counted when the owner's inbox is full).
  uint16_t steer(rte_mbuf** pkts, uint16_t n, counter_set& counters) const;
};

// The redirection table a software dispatcher uses: worker indices round-robin over 128
// entries (the common NIC table size).
std::vector<uint16_t> worker_reta(uint16_t workers);

}  // namespace ravelin::dataplane
