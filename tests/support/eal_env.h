// EAL for unit tests: no hugepages, no PCI, no shared config, a file prefix unique to the
// process, so tests run in parallel and leave nothing behind.
#pragma once

#include <string>
#include <vector>

namespace ravelin::test {

// Initialises the EAL once per process with `extra` appended (e.g. "--vdev=net_null0").
// Aborts the test binary with a message when the EAL refuses to start.
void init_eal(const std::vector<std::string>& extra = {});

}  // namespace ravelin::test
