// Portable byte-at-a-time version of find_ctl (scan.h); also the tail of the SIMD ones.
#pragma once

#include <cstddef>

namespace ravelin::http::internal {

inline bool is_ctl_not_htab(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

inline std::size_t find_ctl_scalar(const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (is_ctl_not_htab(static_cast<unsigned char>(p[i]))) return i;
  }
  return n;
}

}  // namespace ravelin::http::internal
