#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "ravelin/hw/cpu.h"

namespace ravelin::hw {
namespace {

// The first "flags" line of /proc/cpuinfo; empty when there is none (not Linux x86).
std::set<std::string> proc_cpuinfo_flags() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("flags")) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::set<std::string> flags;
    for (std::string word; words >> word;) flags.insert(word);
    return flags;
  }
  return {};
}

// The kernel reports the same cpuid bits, and hides the AVX family when XCR0 does not
// enable its state, so every flag we name should agree with it.
TEST(cpu_features, agree_with_proc_cpuinfo) {
  const auto flags = proc_cpuinfo_flags();
  if (flags.empty()) GTEST_SKIP() << "no flags line in /proc/cpuinfo";
  const cpu_features features = detect_cpu_features();
  for (const auto& flag : feature_list(features)) {
    EXPECT_EQ(flag.present, flags.contains(flag.name)) << flag.name;
  }
  EXPECT_EQ(features.avx2, flags.contains("avx2"));
  EXPECT_EQ(features.aes_ni, flags.contains("aes"));
  EXPECT_EQ(features.ssse3, flags.contains("ssse3"));
}

TEST(cpu_features, vendor_and_openssl_version_are_filled) {
  const cpu_features features = detect_cpu_features();
  EXPECT_FALSE(features.vendor.empty());
  EXPECT_NE(features.openssl_version.find("OpenSSL 3"), std::string::npos)
      << features.openssl_version;
  EXPECT_TRUE(features.dpdk_flags.empty());
}

}  // namespace
}  // namespace ravelin::hw
