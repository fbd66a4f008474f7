// Transformation results remembered across the transactions of one scratch (one lcore).
// Header values repeat from request to request (a client sends the same User-Agent, Accept
// and Host every time), and their chains (cmdLine, urlDecodeUni, htmlEntityDecode, sha1, ...)
// were an eighth of a benign GET. A slot holds the source bytes themselves and is used only
// when they compare equal, so a hash collision costs a miss, never a wrong value.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace ravelin::waf::detail {

class transform_memo {
 public:
  static constexpr size_t k_slots = 512;  // direct-mapped; 136 KB, allocated once
  static constexpr size_t k_room = 248;   // source + result bytes a slot holds

  transform_memo() : slots_(k_slots) {}

  // Whether `in` is short enough to be remembered (its result may still not fit).
  static bool eligible(std::string_view in) { return !in.empty() && in.size() < k_room; }

  // The chain's result for `in` if a transaction left it here: `same` when the chain left
  // `in` unchanged (the caller answers with its own view, as the chain would).
  bool find(int32_t chain, std::string_view in, uint64_t h, std::string_view& out, bool& same) const {
    const slot& s = slots_[index(h, chain)];
    if (s.hash != h || s.chain != chain || s.in_len != in.size()) return false;
    if (std::memcmp(s.bytes, in.data(), in.size()) != 0) return false;
    same = s.same;
    out = std::string_view(s.bytes + s.in_len, s.out_len);
    return true;
  }

  void put(int32_t chain, std::string_view in, uint64_t h, std::string_view out, bool same) {
    const size_t stored = same ? 0 : out.size();
    if (in.size() > k_room || stored > k_room - in.size()) return;
    slot& s = slots_[index(h, chain)];
    s.hash = h;
    s.chain = chain;
    s.in_len = static_cast<uint16_t>(in.size());
    s.out_len = static_cast<uint16_t>(stored);
    s.same = same;
    std::memcpy(s.bytes, in.data(), in.size());
    if (stored) std::memcpy(s.bytes + in.size(), out.data(), stored);
  }

 private:
  struct slot {
    uint64_t hash = 0;
    int32_t chain = -1;  // no chain has this id: an unused slot never matches
    uint16_t in_len = 0, out_len = 0;
    bool same = false;
    char bytes[k_room];
  };
  static size_t index(uint64_t h, int32_t chain) {
    return static_cast<size_t>((h ^ (uint64_t(uint32_t(chain)) * 0x9e3779b97f4a7c15ULL)) >> 40) % k_slots;
  }
  std::vector<slot> slots_;
};

}  // namespace ravelin::waf::detail
