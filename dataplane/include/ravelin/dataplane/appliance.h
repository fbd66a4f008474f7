// Starting and stopping the appliance: EAL from the config, ports, lcores with their roles,
// telemetry; runs until SIGINT or SIGTERM, then reports counters and releases everything.
#pragma once

#include <memory>
#include <string>

#include "ravelin/mgmt/config.h"

namespace ravelin::dataplane {

// Returns the process exit code: 0 after a clean stop, 1 when start-up failed (with the
// reason printed to stderr).
// SIGHUP reloads the config file (the Kong entities; the ravelin: section stays as started).
int run_appliance(std::shared_ptr<const mgmt::config> cfg, const std::string& program);

// Starts the EAL and the configured ports (when a config is given) only to print what
// hw/ finds on this machine; returns the exit code.
int run_probe(const mgmt::config* cfg, const std::string& program);

}  // namespace ravelin::dataplane
