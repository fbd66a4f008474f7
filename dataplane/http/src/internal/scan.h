// The head's hot loop: find the first control byte of a line, which is where the line ends
// (CR) or where it is invalid. The ISA variants live in their own headers; this one picks.
#pragma once

#include <cstddef>

#include "internal/scan_scalar.h"
#if defined(__SSE2__) && !defined(RAVELIN_HTTP_SCALAR)
#include "internal/scan_sse2.h"
#endif

namespace ravelin::http::internal {

// Index of the first byte of p[0..n) that is a CTL other than HTAB (0x00-0x08, 0x0A-0x1F,
// 0x7F), or n. Field values may hold HTAB, SP, VCHAR and obs-text (RFC 9110 §5.5).
inline std::size_t find_ctl(const char* p, std::size_t n) {
#if defined(__SSE2__) && !defined(RAVELIN_HTTP_SCALAR)
  return find_ctl_sse2(p, n);
#else
  return find_ctl_scalar(p, n);
#endif
}

}  // namespace ravelin::http::internal
