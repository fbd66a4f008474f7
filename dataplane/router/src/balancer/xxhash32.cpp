// XXH32 per the xxHash specification: four lanes over 16-byte stripes, then the tail.
#include "internal/xxhash32.h"

#include <cstring>

namespace ravelin::balancer::detail {
namespace {

constexpr uint32_t k_p1 = 0x9E3779B1U;
constexpr uint32_t k_p2 = 0x85EBCA77U;
constexpr uint32_t k_p3 = 0xC2B2AE3DU;
constexpr uint32_t k_p4 = 0x27D4EB2FU;
constexpr uint32_t k_p5 = 0x165667B1U;

uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

uint32_t read32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // little-endian host (x86-64), as the spec reads lanes
  return v;
}

uint32_t round(uint32_t acc, uint32_t lane) { return rotl(acc + lane * k_p2, 13) * k_p1; }

}  // namespace

uint32_t xxhash32(std::string_view data, uint32_t seed) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const unsigned char* end = p + data.size();
  uint32_t h;
  if (data.size() >= 16) {
    uint32_t v1 = seed + k_p1 + k_p2;
    uint32_t v2 = seed + k_p2;
    uint32_t v3 = seed;
    uint32_t v4 = seed - k_p1;
    for (; end - p >= 16; p += 16) {
      v1 = round(v1, read32(p));
      v2 = round(v2, read32(p + 4));
      v3 = round(v3, read32(p + 8));
      v4 = round(v4, read32(p + 12));
    }
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
  } else {
    h = seed + k_p5;
  }
  h += static_cast<uint32_t>(data.size());
  for (; end - p >= 4; p += 4) h = rotl(h + read32(p) * k_p3, 17) * k_p4;
  for (; p < end; ++p) h = rotl(h + *p * k_p5, 11) * k_p1;
  h ^= h >> 15;
  h *= k_p2;
  h ^= h >> 13;
  h *= k_p3;
  h ^= h >> 16;
  return h;
}

}  // namespace ravelin::balancer::detail
