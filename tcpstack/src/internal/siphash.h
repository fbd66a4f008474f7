// SipHash-2-4 (Aumasson & Bernstein) over a few 64-bit words: the keyed hash behind
// initial sequence numbers (RFC 6528), SYN cookies (RFC 4987 §3.6) and the connection
// table, so that an off-path attacker can neither predict them nor aim collisions.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace ravelin::tcpstack::internal {

struct sip_key {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

inline uint64_t siphash(const sip_key& key, std::initializer_list<uint64_t> words) {
  auto rotl = [](uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
  uint64_t v0 = 0x736f6d6570736575ULL ^ key.k0;
  uint64_t v1 = 0x646f72616e646f6dULL ^ key.k1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ key.k0;
  uint64_t v3 = 0x7465646279746573ULL ^ key.k1;
  auto round = [&] {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  };
  for (uint64_t m : words) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  const uint64_t b = static_cast<uint64_t>(words.size() * 8) << 56;
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

}  // namespace ravelin::tcpstack::internal
