// Probing, insertion and backward-shift deletion of the connection table.
#include "internal/conn_table.h"

#include <algorithm>
#include <bit>

namespace ravelin::tcpstack::internal {

conn_table::conn_table(uint32_t capacity, const sip_key& key) {
  const uint32_t n = std::bit_ceil(std::max<uint32_t>(capacity * 2, 2));
  slots_.resize(n);
  mask_ = n - 1;
  // Odd multipliers derived from the secret: h = (a ^ k0) * m1 + b * m2, top 32 bits.
  m1_ = siphash(key, {1}) | 1;
  m2_ = siphash(key, {2}) | 1;
  k0_ = siphash(key, {3});
}

uint32_t conn_table::hash(const conn_key& k) const {
  const uint64_t a = (uint64_t{k.local_ip} << 32) | k.remote_ip;
  const uint64_t b = (uint64_t{k.local_port} << 16) | k.remote_port;
  return static_cast<uint32_t>((((a ^ k0_) * m1_) + ((b + k0_) * m2_)) >> 32);
}

uint32_t conn_table::find(const conn_key& k, const tcb* pool) const {
  const uint32_t h = hash(k);
  for (uint32_t s = h & mask_;; s = (s + 1) & mask_) {
    const slot& sl = slots_[s];
    if (sl.index == k_none) return k_none;
    if (sl.hash != h) continue;
    const tcb& t = pool[sl.index];
    if (t.local_ip == k.local_ip && t.remote_ip == k.remote_ip && t.local_port == k.local_port &&
        t.remote_port == k.remote_port) {
      return sl.index;
    }
  }
}

void conn_table::insert(const conn_key& k, uint32_t index) {
  const uint32_t h = hash(k);
  uint32_t s = h & mask_;
  while (slots_[s].index != k_none) s = (s + 1) & mask_;
  slots_[s] = {h, index};
  ++size_;
}

void conn_table::erase(const conn_key& k, uint32_t index) {
  uint32_t hole = hash(k) & mask_;
  while (slots_[hole].index != index) {
    if (slots_[hole].index == k_none) return;  // not present
    hole = (hole + 1) & mask_;
  }
  // Pull later members of the probe run back unless that would move one before its home.
  for (uint32_t s = (hole + 1) & mask_; slots_[s].index != k_none; s = (s + 1) & mask_) {
    const uint32_t home = slots_[s].hash & mask_;
    const bool home_in_gap = hole <= s ? (home > hole && home <= s) : (home > hole || home <= s);
    if (home_in_gap) continue;
    slots_[hole] = slots_[s];
    hole = s;
  }
  slots_[hole] = slot{};
  --size_;
}

}  // namespace ravelin::tcpstack::internal
