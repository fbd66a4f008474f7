// CPU and NUMA layout as the kernel reports it in sysfs: which CPUs are online, which core
// and package each sits on, which NUMA node owns it. Read once at start for lcore pinning
// and NUMA warnings; the sysfs root is a parameter so tests use a fake tree.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ravelin::hw {

// Parses the kernel's cpulist format ("0-3,8,10-11", as in cpu/online and nodeN/cpulist)
// into sorted, de-duplicated CPU numbers. An empty string is a valid empty list (a
// memory-only NUMA node). On garbage returns empty and sets *ok to false; never throws.
std::vector<unsigned> parse_cpulist(std::string_view text, bool* ok = nullptr);

// The inverse: {0,1,2,3,8} -> "0-3,8". Input need not be sorted.
std::string format_cpulist(std::span<const unsigned> cpus);

struct cpu_info {
  unsigned cpu = 0;
  int core_id = -1;     // topology/core_id; hyperthreads of one core share it
  int package_id = -1;  // topology/physical_package_id (the socket)
  int numa_node = -1;   // from nodeN/cpulist; -1 when the kernel has no NUMA sysfs
};

struct numa_node {
  unsigned id = 0;
  std::vector<unsigned> cpus;  // may be empty: memory-only nodes exist (CXL, some AMD)
};

struct cpu_topology {
  std::vector<unsigned> online;  // cpu/online
  std::vector<cpu_info> cpus;    // one per online CPU, sorted by cpu
  std::vector<numa_node> nodes;  // sorted by id; empty without NUMA sysfs
  std::string error;             // what could not be read; the rest is still filled in

  // NUMA node of `cpu`, or -1 when it is not online or its node is unknown.
  [[nodiscard]] int node_of_cpu(unsigned cpu) const;
  // Distinct (package, core) pairs: physical cores, hyperthreads counted once.
  [[nodiscard]] unsigned core_count() const;
  [[nodiscard]] unsigned package_count() const;
};

cpu_topology read_cpu_topology(const std::string& sysfs_root = "/sys");

}  // namespace ravelin::hw
