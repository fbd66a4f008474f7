// The text `ravelin --probe` prints. A pure function of the probe results so tests can
// check it without hardware and the dataplane decides where it goes.
#pragma once

#include <span>
#include <string>

#include "ravelin/hw/cpu.h"
#include "ravelin/hw/hugepages.h"
#include "ravelin/hw/port_caps.h"
#include "ravelin/hw/topology.h"

namespace ravelin::hw {

// Sections "CPU", "Topology / NUMA", "Hugepages", "Ports", "Warnings", each a header line
// followed by "  key  value" lines. Ends with a newline.
std::string format_report(const cpu_features& cpu, const cpu_topology& topology,
                          const hugepage_info& hugepages, std::span<const port_capabilities> ports,
                          std::span<const std::string> warnings);

}  // namespace ravelin::hw
