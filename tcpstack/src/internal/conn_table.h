// The connection table of one lcore: the 4-tuple of every TCB in use -> its pool index.
// Open addressing with linear probing over a power-of-two slot array at most half full,
// backward-shift deletion, and a keyed multilinear hash so that a remote host cannot aim
// its ports at one probe run. Each slot keeps the full hash to skip most key comparisons.
#pragma once

#include <cstdint>
#include <vector>

#include "internal/siphash.h"
#include "internal/tcb.h"

namespace ravelin::tcpstack::internal {

struct conn_key {
  uint32_t local_ip = 0;
  uint32_t remote_ip = 0;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
};

inline conn_key key_of(const tcb& t) {
  return {t.local_ip, t.remote_ip, t.local_port, t.remote_port};
}

class conn_table {
 public:
  // `capacity` entries at most; `key` seeds the hash.
  conn_table(uint32_t capacity, const sip_key& key);

  // The pool index of the TCB with this key, or k_none.
  uint32_t find(const conn_key& k, const tcb* pool) const;
  // Adds an absent key (the pool size bounds the entries, so there is always room).
  void insert(const conn_key& k, uint32_t index);
  void erase(const conn_key& k, uint32_t index);
  uint32_t size() const { return size_; }

 private:
  struct slot {
    uint32_t hash = 0;
    uint32_t index = k_none;
  };
  uint32_t hash(const conn_key& k) const;

  std::vector<slot> slots_;
  uint32_t mask_ = 0;
  uint64_t m1_ = 0;
  uint64_t m2_ = 0;
  uint64_t k0_ = 0;
  uint32_t size_ = 0;
};

}  // namespace ravelin::tcpstack::internal
