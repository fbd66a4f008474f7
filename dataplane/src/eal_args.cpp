// EAL command line derived from the `ravelin:` section.
#include "ravelin/dataplane/eal_args.h"

#include <algorithm>
#include <set>

namespace ravelin::dataplane {
namespace {

bool has_option(const std::vector<std::string>& args, std::initializer_list<const char*> names) {
  for (const auto& a : args) {
    for (const char* n : names) {
      const std::string name(n);
      if (a == name || a.rfind(name + "=", 0) == 0) return true;
      // Short options may be glued to their value ("-l1").
      if (name.size() == 2 && a.size() > 2 && a.rfind(name, 0) == 0) return true;
    }
  }
  return false;
}

}  // namespace

bool is_vdev(const std::string& device) { return device.rfind("net_", 0) == 0; }

std::string device_port_name(const std::string& device) {
  return device.substr(0, device.find(','));
}

std::vector<std::string> build_eal_args(const mgmt::appliance_config& cfg,
                                        const std::string& program) {
  std::vector<std::string> args{program};
  const auto& extra = cfg.eal;

  if (!has_option(extra, {"-l", "--lcores", "-c"})) {
    // The lowest configured lcore becomes the EAL main lcore and runs its roles on the
    // main thread; the others are launched as workers.
    std::set<unsigned> lcores;
    for (const auto& c : cfg.cores) lcores.insert(c.lcore);
    std::string list;
    for (unsigned l : lcores) list += (list.empty() ? "" : ",") + std::to_string(l);
    if (!list.empty()) args.insert(args.end(), {"-l", list});
  }
  if (!has_option(extra, {"--file-prefix"})) args.push_back("--file-prefix=ravelin");

  bool any_pci = false;
  for (const auto& p : cfg.ports) {
    if (is_vdev(p.device)) {
      args.push_back("--vdev=" + p.device);
    } else {
      args.insert(args.end(), {"-a", p.device});
      any_pci = true;
    }
  }
  // With only virtual devices, do not let the EAL grab every PCI NIC on the machine.
  if (!any_pci && !has_option(extra, {"--no-pci", "-a", "--allow", "-b", "--block"})) {
    args.push_back("--no-pci");
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace ravelin::dataplane
