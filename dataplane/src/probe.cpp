// `ravelin --probe`: what this machine offers, gathered by hw/ and printed as one report.
#include <unistd.h>

#include <cstdio>
#include <set>

#include "eal_session.h"
#include "ravelin/dataplane/appliance.h"
#include "ravelin/hw/cpu.h"
#include "ravelin/hw/hugepages.h"
#include "ravelin/hw/numa.h"
#include "ravelin/hw/port_caps.h"
#include "ravelin/hw/report.h"
#include "ravelin/hw/topology.h"

namespace ravelin::dataplane {

int run_probe(const mgmt::config* cfg, const std::string& program) {
  hw::cpu_features cpu = hw::detect_cpu_features();
  const hw::cpu_topology topology = hw::read_cpu_topology();
  const hw::hugepage_info hugepages = hw::read_hugepages();

  // The EAL probes the config's devices (without starting them) under a prefix of its own,
  // so a probe never disturbs a running appliance. Without a config: an EAL with no ports.
  mgmt::appliance_config eal_cfg;
  if (cfg != nullptr) {
    eal_cfg = cfg->appliance;
  } else {
    eal_cfg.eal = {"--no-huge", "-m", "64", "--no-pci"};
  }
  eal_cfg.eal.push_back("--file-prefix=ravelin-probe-" + std::to_string(getpid()));
  eal_cfg.eal.push_back("--log-level=*:error");
  std::set<unsigned> lcore_set;
  for (const auto& c : eal_cfg.cores) lcore_set.insert(c.lcore);
  const std::vector<unsigned> lcores(lcore_set.begin(), lcore_set.end());

  eal_session eal;
  std::vector<hw::port_capabilities> ports;
  std::vector<std::string> warnings;
  if (eal.start(eal_cfg, program)) {
    cpu.dpdk_flags = hw::read_dpdk_cpu_flags();
    ports = hw::probe_all_ports();
    warnings = hw::numa_warnings(lcores, topology, ports);
  } else {
    warnings.push_back("the EAL did not start: ports and DPDK's CPU view are missing");
  }
  std::fputs(hw::format_report(cpu, topology, hugepages, ports, warnings).c_str(), stdout);
  return 0;
}

}  // namespace ravelin::dataplane
