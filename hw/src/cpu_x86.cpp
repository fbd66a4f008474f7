// cpuid and XGETBV on x86-64. Bit positions are the <cpuid.h> names, which follow the
// Intel SDM vol. 2A "CPUID" tables; XCR0 bits are SDM vol. 1 §13.1.
#include <cpuid.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cpu_detect.h"

namespace ravelin::hw::detail {

namespace {

constexpr uint64_t k_xcr0_sse_avx = (1U << 1) | (1U << 2);
constexpr uint64_t k_xcr0_avx512 = k_xcr0_sse_avx | (1U << 5) | (1U << 6) | (1U << 7);

// Inline asm rather than _xgetbv(): the intrinsic needs -mxsave on the whole file.
uint64_t read_xcr0() {
  uint32_t eax = 0;
  uint32_t edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

std::string read_brand() {
  unsigned regs[12] = {};
  if (static_cast<unsigned>(__get_cpuid_max(0x80000000U, nullptr)) < 0x80000004U) return {};
  for (size_t i = 0; i < 3; ++i) {
    unsigned* r = &regs[i * 4];
    __get_cpuid(0x80000002U + static_cast<unsigned>(i), &r[0], &r[1], &r[2], &r[3]);
  }
  char text[sizeof regs + 1] = {};
  std::memcpy(text, regs, sizeof regs);
  std::string brand(text);
  // Vendors pad the 48-byte field with spaces on either side.
  const auto first = brand.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return brand.substr(first, brand.find_last_not_of(' ') - first + 1);
}

}  // namespace

void read_cpuid(cpu_features& f) {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  const auto max_leaf = static_cast<unsigned>(__get_cpuid_max(0, nullptr));
  if (max_leaf == 0) return;
  __get_cpuid(0, &eax, &ebx, &ecx, &edx);
  char vendor[13] = {};
  std::memcpy(vendor, &ebx, 4);
  std::memcpy(vendor + 4, &edx, 4);
  std::memcpy(vendor + 8, &ecx, 4);
  f.vendor = vendor;
  f.brand = read_brand();

  __get_cpuid(1, &eax, &ebx, &ecx, &edx);
  f.ssse3 = (ecx & bit_SSSE3) != 0;
  f.sse4_2 = (ecx & bit_SSE4_2) != 0;
  f.pclmulqdq = (ecx & bit_PCLMUL) != 0;
  f.aes_ni = (ecx & bit_AES) != 0;
  // Without OSXSAVE, XGETBV itself is an invalid opcode.
  const bool cpu_avx = (ecx & bit_AVX) != 0;
  if ((ecx & bit_OSXSAVE) != 0) {
    const uint64_t xcr0 = read_xcr0();
    f.os_avx = cpu_avx && (xcr0 & k_xcr0_sse_avx) == k_xcr0_sse_avx;
    f.os_avx512 = f.os_avx && (xcr0 & k_xcr0_avx512) == k_xcr0_avx512;
  }

  if (max_leaf < 7) return;
  __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx);
  f.bmi2 = (ebx & bit_BMI2) != 0;
  f.sha_ni = (ebx & bit_SHA) != 0;
  f.avx2 = f.os_avx && (ebx & bit_AVX2) != 0;
  f.vaes = f.os_avx && (ecx & bit_VAES) != 0;
  f.vpclmulqdq = f.os_avx && (ecx & bit_VPCLMULQDQ) != 0;
  f.avx512f = f.os_avx512 && (ebx & bit_AVX512F) != 0;
  f.avx512bw = f.os_avx512 && (ebx & bit_AVX512BW) != 0;
  f.avx512vbmi = f.os_avx512 && (ecx & bit_AVX512VBMI) != 0;
}

}  // namespace ravelin::hw::detail
