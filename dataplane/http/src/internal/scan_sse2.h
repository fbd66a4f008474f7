// SSE2 version of find_ctl (scan.h): 16 bytes per step. SSE2 is part of x86-64, so no
// run-time dispatch is needed.
#pragma once

#include <emmintrin.h>

#include <cstddef>

#include "internal/scan_scalar.h"

namespace ravelin::http::internal {

inline std::size_t find_ctl_sse2(const char* p, std::size_t n) {
  const __m128i k_1f = _mm_set1_epi8(0x1f);
  const __m128i k_tab = _mm_set1_epi8('\t');
  const __m128i k_del = _mm_set1_epi8(0x7f);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // unsigned v <= 0x1f  <=>  min(v, 0x1f) == v
    __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, k_1f), v);
    ctl = _mm_andnot_si128(_mm_cmpeq_epi8(v, k_tab), ctl);
    ctl = _mm_or_si128(ctl, _mm_cmpeq_epi8(v, k_del));
    const int mask = _mm_movemask_epi8(ctl);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
  return i + find_ctl_scalar(p + i, n - i);
}

}  // namespace ravelin::http::internal
