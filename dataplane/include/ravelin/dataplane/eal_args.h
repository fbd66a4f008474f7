// Derives the EAL command line from the appliance config: lcores, devices, file prefix,
// then the user's extra arguments. Pure, so it is tested without starting the EAL.
#pragma once

#include <string>
#include <vector>

#include "ravelin/mgmt/config.h"

namespace ravelin::dataplane {

// True for a DPDK virtual device spec ("net_tap0,iface=x"), false for a PCI address.
bool is_vdev(const std::string& device);

// The ethdev name a device spec creates: the part before the first comma.
std::string device_port_name(const std::string& device);

// argv for rte_eal_init, argv[0] included. The user's `eal` list comes last and wins where
// it repeats an option we derive (-l/--lcores and --file-prefix are then not derived).
std::vector<std::string> build_eal_args(const mgmt::appliance_config& cfg,
                                        const std::string& program);

}  // namespace ravelin::dataplane
