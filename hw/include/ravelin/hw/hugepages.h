// Hugepages the EAL can take: reserved and free pages per size, system-wide and per NUMA
// node, and where hugetlbfs is mounted. Printed by --probe so "EAL: no hugepages" has an
// explanation before the EAL is ever started.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ravelin::hw {

struct hugepage_pool {
  uint64_t page_size_kb = 0;  // from the directory name hugepages-<N>kB
  int numa_node = -1;         // -1 for the system-wide pool
  uint64_t total = 0;         // nr_hugepages: reserved by the kernel
  uint64_t free = 0;          // free_hugepages: not yet mapped by anyone
};

struct hugetlbfs_mount {
  std::string path;
  uint64_t page_size_kb = 0;  // the pagesize= mount option; 0 means the default size
};

struct hugepage_info {
  std::vector<hugepage_pool> pools;     // system-wide, sorted by page size
  std::vector<hugepage_pool> per_node;  // sorted by node, then page size
  std::vector<hugetlbfs_mount> mounts;  // hugetlbfs entries of the mounts file
  std::string error;                    // what could not be read

  [[nodiscard]] bool hugetlbfs_mounted() const { return !mounts.empty(); }
  // Free pages of every size, in kB, on `numa_node` (-1: system-wide).
  [[nodiscard]] uint64_t free_kb(int numa_node = -1) const;
};

hugepage_info read_hugepages(const std::string& sysfs_root = "/sys",
                             const std::string& mounts_path = "/proc/mounts");

}  // namespace ravelin::hw
