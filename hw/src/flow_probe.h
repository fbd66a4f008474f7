// Whether a port accepts the rte_flow rule the dataplane would install to steer HTTPS to
// a queue; kept apart from port_caps.cpp because rte_flow.h is large.
#pragma once

#include <cstdint>
#include <string>

namespace ravelin::hw::detail {

// True when rte_flow_validate accepts "ingress eth / ipv4 / tcp dst is 443 -> queue 0";
// otherwise false with the PMD's message in `detail`.
bool validate_https_flow(uint16_t port_id, std::string& detail);

}  // namespace ravelin::hw::detail
