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
  X(busy_cycles, "TSC cycles spent in iterations that handled work (idle polls excluded)")

RAVELIN_DEFINE_COUNTERS(RAVELIN_DATAPLANE_COUNTERS);

}  // namespace ravelin::dataplane
