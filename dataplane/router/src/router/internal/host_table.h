// Frozen open-addressing table from host keys to bucket ids: one probe sequence over a flat
// array and one arena compare per lookup, instead of a node-based map's pointer chase.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ravelin::router::detail {

class host_table {
 public:
  static constexpr uint32_t k_absent = 0xFFFFFFFF;

  // Built once from (key, value) pairs with unique keys.
  template <typename Map>
  void freeze(const Map& map) {
    size_t cap = 8;
    while (cap < map.size() * 2) cap *= 2;  // load factor at most 1/2
    slots_.assign(cap, slot{});
    mask_ = cap - 1;
    for (const auto& [key, value] : map) {
      const uint64_t h = hash(key);
      size_t i = h & mask_;
      while (slots_[i].value != k_absent) i = (i + 1) & mask_;
      slots_[i] = slot{h, static_cast<uint32_t>(keys_.size()), static_cast<uint32_t>(key.size()),
                       value};
      keys_ += key;
    }
    size_ = map.size();
  }

  uint32_t find(std::string_view key) const {
    if (size_ == 0) return k_absent;
    const uint64_t h = hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const slot& s = slots_[i];
      if (s.value == k_absent) return k_absent;
      if (s.hash == h && s.key_len == key.size() &&
          std::memcmp(keys_.data() + s.key_off, key.data(), key.size()) == 0) {
        return s.value;
      }
    }
  }

  bool empty() const { return size_ == 0; }

 private:
  static uint64_t hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

  struct slot {
    uint64_t hash = 0;
    uint32_t key_off = 0;
    uint32_t key_len = 0;
    uint32_t value = k_absent;
  };
  std::vector<slot> slots_;
  std::string keys_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace ravelin::router::detail
