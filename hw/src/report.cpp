// Formatting of the --probe report; no probing happens here.
#include "ravelin/hw/report.h"

#include <map>
#include <string_view>

namespace ravelin::hw {

namespace {

constexpr size_t k_key_width = 16;

void line(std::string& out, std::string_view key, std::string_view value, int indent = 2) {
  out.append(static_cast<size_t>(indent), ' ');
  out += key;
  const size_t used = static_cast<size_t>(indent) - 2 + key.size();
  out.append(used < k_key_width ? k_key_width - used : 1, ' ');
  out += value;
  out += '\n';
}

std::string yes_no(bool value) { return value ? "yes" : "no"; }

std::string count_of(size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::string join(const std::vector<std::string>& items, std::string_view empty = "none") {
  if (items.empty()) return std::string(empty);
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

std::string page_size(uint64_t kb) {
  constexpr uint64_t k_kb_per_mb = 1024;
  constexpr uint64_t k_kb_per_gb = 1024 * k_kb_per_mb;
  if (kb >= k_kb_per_gb && kb % k_kb_per_gb == 0) return std::to_string(kb / k_kb_per_gb) + " GB";
  if (kb >= k_kb_per_mb && kb % k_kb_per_mb == 0) return std::to_string(kb / k_kb_per_mb) + " MB";
  return std::to_string(kb) + " kB";
}

std::string dpdk_view(const cpu_features& cpu) {
  if (cpu.dpdk_flags.empty()) return "not read (EAL not started)";
  std::map<std::string, bool> cpuid;
  for (const auto& flag : feature_list(cpu)) cpuid[flag.name] = flag.present;
  std::vector<std::string> differ;
  for (const auto& flag : cpu.dpdk_flags) {
    if (cpuid[flag.name] != flag.present) {
      differ.push_back(flag.name + " (dpdk " + yes_no(flag.present) + ")");
    }
  }
  return differ.empty() ? "agrees with cpuid" : "differs: " + join(differ);
}

void cpu_section(std::string& out, const cpu_features& cpu) {
  out += "CPU\n";
  line(out, "vendor", cpu.vendor.empty() ? "unknown" : cpu.vendor);
  if (!cpu.brand.empty()) line(out, "model", cpu.brand);
  line(out, "OpenSSL", cpu.openssl_version);
  line(out, "OS saves", "AVX " + yes_no(cpu.os_avx) + ", AVX-512 " + yes_no(cpu.os_avx512));
  std::vector<std::string> present;
  std::vector<std::string> missing;
  for (const auto& flag : feature_list(cpu))
    (flag.present ? present : missing).push_back(flag.name);
  line(out, "features", join(present));
  line(out, "missing", join(missing));
  line(out, "DPDK view", dpdk_view(cpu));
}

void topology_section(std::string& out, const cpu_topology& topo) {
  out += "Topology / NUMA\n";
  line(out, "online cpus",
       format_cpulist(topo.online) + " (" + count_of(topo.online.size(), "cpu") + ", " +
           count_of(topo.core_count(), "core") + ", " + count_of(topo.package_count(), "package") +
           ")");
  if (topo.nodes.empty()) line(out, "NUMA", "no node information in sysfs");
  for (const auto& node : topo.nodes) {
    line(out, "node " + std::to_string(node.id),
         node.cpus.empty() ? "no cpus (memory only)" : "cpus " + format_cpulist(node.cpus));
  }
  if (!topo.error.empty()) line(out, "error", topo.error);
}

void hugepage_section(std::string& out, const hugepage_info& huge) {
  out += "Hugepages\n";
  if (huge.pools.empty()) line(out, "pools", "none (kernel without hugetlb support)");
  for (const auto& pool : huge.pools) {
    line(out, page_size(pool.page_size_kb) + " pages",
         "total " + std::to_string(pool.total) + ", free " + std::to_string(pool.free));
    for (const auto& node : huge.per_node) {
      if (node.page_size_kb != pool.page_size_kb) continue;
      line(out, "node " + std::to_string(node.numa_node),
           "total " + std::to_string(node.total) + ", free " + std::to_string(node.free), 4);
    }
  }
  if (!huge.hugetlbfs_mounted()) line(out, "hugetlbfs", "not mounted");
  for (const auto& mount : huge.mounts) {
    line(out, "hugetlbfs",
         mount.path + " (" + (mount.page_size_kb == 0 ? "default" : page_size(mount.page_size_kb)) +
             " pages)");
  }
  if (!huge.error.empty()) line(out, "error", huge.error);
}

void port_section(std::string& out, const port_capabilities& port) {
  const std::string socket = port.socket_id < 0 ? "any" : std::to_string(port.socket_id);
  line(out, "port " + std::to_string(port.port_id),
       port.name + ", driver " + (port.driver.empty() ? "?" : port.driver) + ", NUMA socket " +
           socket);
  if (!port.error.empty()) {
    line(out, "error", port.error, 4);
    return;
  }
  line(out, "mac", port.mac.empty() ? "unknown" : port.mac, 4);
  line(out, "link", port.link.empty() ? "unknown" : port.link, 4);
  line(out, "queues",
       "rx " + std::to_string(port.max_rx_queues) + ", tx " + std::to_string(port.max_tx_queues) +
           " (max)",
       4);
  line(out, "rx offloads", join(port.rx_offloads), 4);
  line(out, "tx offloads", join(port.tx_offloads), 4);
  line(out, "for tcpstack",
       "rx cksum ipv4/tcp/udp " + yes_no(port.rx_ipv4_cksum) + "/" + yes_no(port.rx_tcp_cksum) +
           "/" + yes_no(port.rx_udp_cksum) + ", tx cksum ipv4/tcp/udp " +
           yes_no(port.tx_ipv4_cksum) + "/" + yes_no(port.tx_tcp_cksum) + "/" +
           yes_no(port.tx_udp_cksum) + ", tso " + yes_no(port.tso),
       4);
  line(out, "rss",
       "key " + std::to_string(port.rss_key_size) + " bytes, reta " +
           std::to_string(port.reta_size) + " entries, hash " + join(port.rss_hash_functions),
       4);
  line(out, "rte_flow", port.flow_supported ? "supported" : "not supported: " + port.flow_detail,
       4);
}

}  // namespace

std::string format_report(const cpu_features& cpu, const cpu_topology& topology,
                          const hugepage_info& hugepages, std::span<const port_capabilities> ports,
                          std::span<const std::string> warnings) {
  std::string out;
  cpu_section(out, cpu);
  topology_section(out, topology);
  hugepage_section(out, hugepages);
  out += "Ports\n";
  if (ports.empty()) line(out, "none", "no ports probed");
  for (const auto& port : ports) port_section(out, port);
  out += "Warnings\n";
  if (warnings.empty()) out += "  none\n";
  for (const auto& warning : warnings) out += "  ! " + warning + '\n';
  return out;
}

}  // namespace ravelin::hw
