// The dataplane's own per-lcore counters (the main loop and the NIC queues it drives).
#pragma once

#include "ravelin/tcpstack/counter_table.h"

namespace ravelin::dataplane {

#define RAVELIN_DATAPLANE_COUNTERS(X)                                    \
  X(port_rx_packets, "packets received from NIC rx queues")              \
  X(port_tx_packets, "packets handed to NIC tx queues")                  \
  X(port_tx_dropped, "packets dropped: NIC tx queue full")               \
  X(loop_polls, "main loop iterations")                                  \
  X(busy_polls, "main loop iterations that handled at least one packet") \
  X(busy_cycles, "TSC cycles spent in iterations that handled work (idle polls excluded)")  \
  X(dispatch_passed, "TCP frames received here and passed to the lcore owning the flow")  \
  X(dispatch_arp_copies, "ARP frames copied to another lcore (each keeps its own cache)")  \
  X(dispatch_dropped, "frames dropped: owner's inbox ring full or no mbuf for an ARP copy") \
  X(forward_accepted, "forwarder: client connections spliced onto a backend connection")  \
  X(forward_no_pair, "forwarder: client connections reset, all forwarding slots in use")  \
  X(forward_backend_failed, "forwarder: backend connect failed or reset; client reset")

RAVELIN_DEFINE_COUNTERS(RAVELIN_DATAPLANE_COUNTERS);

}  // namespace ravelin::dataplane
