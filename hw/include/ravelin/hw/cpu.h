// CPU features that decide which code paths Hyperscan (SSSE3/AVX2/AVX-512) and OpenSSL
// (AES-NI, VAES, PCLMULQDQ, SHA-NI) take, read with cpuid so --probe can say why a fast
// path is or is not used on this machine.
#pragma once

#include <string>
#include <vector>

namespace ravelin::hw {

struct cpu_flag {
  std::string name;  // lower-case, as in /proc/cpuinfo where there is one ("aes", "avx2")
  bool present = false;
};

struct cpu_features {
  std::string vendor;  // cpuid leaf 0, e.g. "GenuineIntel"
  std::string brand;   // cpuid 0x80000002-4; empty when the CPU has none

  bool sse4_2 = false;     // Hyperscan's minimum
  bool ssse3 = false;      // pshufb, the core of Hyperscan's shufti/truffle
  bool pclmulqdq = false;  // GHASH for AES-GCM
  bool aes_ni = false;
  bool sha_ni = false;
  bool bmi2 = false;  // pext/pdep in Hyperscan's fat runtime
  // The AVX family below is only reported when the OS also saves the wider registers on
  // context switch (XGETBV); the instructions would fault otherwise.
  bool avx2 = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vbmi = false;  // Hyperscan's "avx512vbmi" Teddy
  bool vaes = false;        // AES on ymm/zmm, OpenSSL's AES-GCM fast path
  bool vpclmulqdq = false;

  bool os_avx = false;     // XCR0 enables SSE and AVX state
  bool os_avx512 = false;  // XCR0 also enables opmask and ZMM state

  std::string openssl_version;  // OpenSSL_version(OPENSSL_VERSION) of the linked library

  // DPDK's view of the same flags; detect_cpu_features leaves it empty because it is only
  // valid after rte_eal_init. Fill it with read_dpdk_cpu_flags() once the EAL is up.
  std::vector<cpu_flag> dpdk_flags;
};

// Never fails: on a non-x86 build every flag stays false.
cpu_features detect_cpu_features();

// The flags above as a name list, in a fixed order, for printing and comparing.
std::vector<cpu_flag> feature_list(const cpu_features& features);

// DPDK's own view (rte_cpu_get_flag_enabled) of the same flags, named as in feature_list;
// DPDK 22.11 has no SHA flag so sha_ni is absent. Only call after rte_eal_init.
std::vector<cpu_flag> read_dpdk_cpu_flags();

}  // namespace ravelin::hw
