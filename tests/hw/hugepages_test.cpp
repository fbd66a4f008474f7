#include <gtest/gtest.h>

#include "fake_sysfs.h"
#include "ravelin/hw/hugepages.h"

namespace ravelin::hw {
namespace {

void write_pool(const test::fake_sysfs& sys, const std::string& dir, int total, int free) {
  sys.write(dir + "/nr_hugepages", std::to_string(total) + "\n");
  sys.write(dir + "/free_hugepages", std::to_string(free) + "\n");
}

TEST(hugepages, pools_per_size_and_node_and_mounts) {
  test::fake_sysfs sys;
  write_pool(sys, "kernel/mm/hugepages/hugepages-2048kB", 1024, 1000);
  write_pool(sys, "kernel/mm/hugepages/hugepages-1048576kB", 4, 2);
  write_pool(sys, "devices/system/node/node0/hugepages/hugepages-2048kB", 512, 500);
  write_pool(sys, "devices/system/node/node1/hugepages/hugepages-2048kB", 512, 500);
  write_pool(sys, "devices/system/node/node1/hugepages/hugepages-1048576kB", 4, 2);
  sys.write("mounts",
            "proc /proc proc rw,nosuid 0 0\n"
            "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n"
            "none /mnt/huge\\0401g hugetlbfs rw,pagesize=1024M 0 0\n"
            "nodev /mnt/default hugetlbfs rw 0 0\n");

  const hugepage_info info = read_hugepages(sys.root(), sys.path("mounts"));
  EXPECT_EQ(info.error, "");
  ASSERT_EQ(info.pools.size(), 2U);
  EXPECT_EQ(info.pools[0].page_size_kb, 2048U);
  EXPECT_EQ(info.pools[0].total, 1024U);
  EXPECT_EQ(info.pools[0].free, 1000U);
  EXPECT_EQ(info.pools[0].numa_node, -1);
  EXPECT_EQ(info.pools[1].page_size_kb, 1048576U);
  ASSERT_EQ(info.per_node.size(), 3U);
  EXPECT_EQ(info.per_node[0].numa_node, 0);
  EXPECT_EQ(info.per_node[1].numa_node, 1);
  EXPECT_EQ(info.per_node[1].page_size_kb, 2048U);
  EXPECT_EQ(info.per_node[2].page_size_kb, 1048576U);
  EXPECT_EQ(info.free_kb(), 1000U * 2048 + 2U * 1048576);
  EXPECT_EQ(info.free_kb(0), 500U * 2048);

  ASSERT_TRUE(info.hugetlbfs_mounted());
  ASSERT_EQ(info.mounts.size(), 3U);
  EXPECT_EQ(info.mounts[0].path, "/dev/hugepages");
  EXPECT_EQ(info.mounts[0].page_size_kb, 2048U);
  EXPECT_EQ(info.mounts[1].path, "/mnt/huge 1g");
  EXPECT_EQ(info.mounts[1].page_size_kb, 1048576U);
  EXPECT_EQ(info.mounts[2].page_size_kb, 0U);
}

TEST(hugepages, nothing_configured_is_not_an_error) {
  test::fake_sysfs sys;
  sys.write("mounts", "proc /proc proc rw 0 0\n");
  const hugepage_info info = read_hugepages(sys.root(), sys.path("mounts"));
  EXPECT_EQ(info.error, "");
  EXPECT_TRUE(info.pools.empty());
  EXPECT_FALSE(info.hugetlbfs_mounted());
}

TEST(hugepages, unreadable_files_are_reported) {
  test::fake_sysfs sys;
  sys.write("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "many\n");
  const hugepage_info info = read_hugepages(sys.root(), sys.path("no-mounts"));
  EXPECT_NE(info.error.find("hugepages-2048kB"), std::string::npos);
  EXPECT_NE(info.error.find("no-mounts"), std::string::npos);
}

}  // namespace
}  // namespace ravelin::hw
