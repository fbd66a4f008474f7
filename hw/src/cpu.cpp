// The portable half of CPU feature detection: naming, OpenSSL's version, DPDK's view.
// The cpuid half is cpu_x86.cpp.
#include <openssl/crypto.h>
#include <rte_cpuflags.h>

#include "cpu_detect.h"
#include "ravelin/hw/cpu.h"

namespace ravelin::hw {

cpu_features detect_cpu_features() {
  cpu_features features;
  detail::read_cpuid(features);
  features.openssl_version = OpenSSL_version(OPENSSL_VERSION);
  return features;
}

std::vector<cpu_flag> feature_list(const cpu_features& f) {
  return {{"sse4_2", f.sse4_2},       {"ssse3", f.ssse3},
          {"pclmulqdq", f.pclmulqdq}, {"aes", f.aes_ni},
          {"sha_ni", f.sha_ni},       {"bmi2", f.bmi2},
          {"avx2", f.avx2},           {"avx512f", f.avx512f},
          {"avx512bw", f.avx512bw},   {"avx512vbmi", f.avx512vbmi},
          {"vaes", f.vaes},           {"vpclmulqdq", f.vpclmulqdq}};
}

std::vector<cpu_flag> read_dpdk_cpu_flags() {
#if defined(RTE_ARCH_X86)
  struct named {
    const char* name;
    rte_cpu_flag_t flag;
  };
  static constexpr named k_flags[] = {{"sse4_2", RTE_CPUFLAG_SSE4_2},
                                      {"ssse3", RTE_CPUFLAG_SSSE3},
                                      {"pclmulqdq", RTE_CPUFLAG_PCLMULQDQ},
                                      {"aes", RTE_CPUFLAG_AES},
                                      {"bmi2", RTE_CPUFLAG_BMI2},
                                      {"avx2", RTE_CPUFLAG_AVX2},
                                      {"avx512f", RTE_CPUFLAG_AVX512F},
                                      {"avx512bw", RTE_CPUFLAG_AVX512BW},
                                      {"avx512vbmi", RTE_CPUFLAG_AVX512VBMI},
                                      {"vaes", RTE_CPUFLAG_VAES},
                                      {"vpclmulqdq", RTE_CPUFLAG_VPCLMULQDQ}};
  std::vector<cpu_flag> flags;
  // > 0: present; 0: absent; < 0: DPDK cannot tell, reported as absent.
  for (const auto& f : k_flags) flags.push_back({f.name, rte_cpu_get_flag_enabled(f.flag) > 0});
  return flags;
#else
  return {};
#endif
}

}  // namespace ravelin::hw
