// CPU topology and NUMA nodes from sysfs (Documentation/ABI/stable/sysfs-devices-system-cpu
// and sysfs-devices-node in the kernel tree).
#include <algorithm>
#include <set>
#include <utility>

#include "ravelin/hw/topology.h"
#include "sysfs.h"

namespace ravelin::hw {

namespace fs = std::filesystem;

namespace {

cpu_info* find_cpu(std::vector<cpu_info>& cpus, unsigned cpu) {
  auto it = std::lower_bound(cpus.begin(), cpus.end(), cpu,
                             [](const cpu_info& info, unsigned id) { return info.cpu < id; });
  return it != cpus.end() && it->cpu == cpu ? &*it : nullptr;
}

int read_id(const fs::path& path) {
  const auto value = detail::read_int(path);
  return value ? static_cast<int>(*value) : -1;
}

}  // namespace

int cpu_topology::node_of_cpu(unsigned cpu) const {
  auto it = std::lower_bound(cpus.begin(), cpus.end(), cpu,
                             [](const cpu_info& info, unsigned id) { return info.cpu < id; });
  return it != cpus.end() && it->cpu == cpu ? it->numa_node : -1;
}

unsigned cpu_topology::core_count() const {
  std::set<std::pair<int, int>> cores;
  for (const auto& info : cpus) cores.emplace(info.package_id, info.core_id);
  return static_cast<unsigned>(cores.size());
}

unsigned cpu_topology::package_count() const {
  std::set<int> packages;
  for (const auto& info : cpus) packages.insert(info.package_id);
  return static_cast<unsigned>(packages.size());
}

cpu_topology read_cpu_topology(const std::string& sysfs_root) {
  cpu_topology topo;
  const fs::path cpu_dir = fs::path(sysfs_root) / "devices/system/cpu";
  const auto online_text = detail::read_trimmed(cpu_dir / "online");
  bool ok = false;
  if (!online_text) {
    detail::note_error(topo.error, "cannot read " + (cpu_dir / "online").string());
  } else if (topo.online = parse_cpulist(*online_text, &ok); !ok) {
    detail::note_error(topo.error, "cannot parse cpu/online '" + *online_text + "'");
  }

  for (unsigned cpu : topo.online) {
    const fs::path dir = cpu_dir / ("cpu" + std::to_string(cpu)) / "topology";
    cpu_info info{.cpu = cpu,
                  .core_id = read_id(dir / "core_id"),
                  .package_id = read_id(dir / "physical_package_id")};
    if (info.core_id < 0 || info.package_id < 0) {
      detail::note_error(topo.error, "no topology for cpu" + std::to_string(cpu));
    }
    topo.cpus.push_back(info);
  }

  const fs::path node_dir = fs::path(sysfs_root) / "devices/system/node";
  for (const auto& [id, path] : detail::numbered_entries(node_dir, "node")) {
    numa_node node{.id = id};
    const auto text = detail::read_trimmed(path / "cpulist");
    if (text) node.cpus = parse_cpulist(*text, &ok);
    if (!text || !ok) {
      detail::note_error(topo.error, "cannot read " + (path / "cpulist").string());
    }
    // Offline CPUs are listed too; only online ones get a cpu_info to carry the node.
    for (unsigned cpu : node.cpus) {
      if (cpu_info* info = find_cpu(topo.cpus, cpu)) info->numa_node = static_cast<int>(id);
    }
    topo.nodes.push_back(std::move(node));
  }
  return topo;
}

}  // namespace ravelin::hw
