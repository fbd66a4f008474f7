// NIC ports: found by the device name the config gives, configured with the configured
// queues and a mempool each, started; stopped and closed at exit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "ravelin/hw/port_caps.h"
#include "ravelin/mgmt/config.h"

namespace ravelin::dataplane {

struct port_state {
  uint16_t port_id = 0;
  std::string name;
  rte_ether_addr mac{};
  rte_mempool* pool = nullptr;
  bool started = false;
  // What the device offers, with the checksum/TSO flags narrowed to the offloads that were
  // switched on: what tcpstack may rely on.
  hw::port_capabilities caps;
};

// On failure returns false and sets `error`; ports already started stay in `out` so that
// stop_ports can undo them.
bool start_ports(const mgmt::appliance_config& cfg, std::vector<port_state>& out,
                 std::string& error);

void stop_ports(std::vector<port_state>& ports);

}  // namespace ravelin::dataplane
