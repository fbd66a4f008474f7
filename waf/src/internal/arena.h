// Per-transaction bump allocator: strings made while evaluating a request (decoded arguments,
// transformed values, expanded macros) live here until the next request. reset() keeps the
// blocks, so after warm-up nothing is allocated.
#pragma once

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace ravelin::waf::detail {

class arena {
 public:
  // `align` (a power of two, at most 16: blocks come from operator new[]) lets arrays of
  // integers live here and be read in place.
  char* alloc(size_t n, size_t align = 1) {
    used_ = (used_ + align - 1) & ~(align - 1);
    while (cur_ < blocks_.size() && used_ + n > blocks_[cur_].size) {
      ++cur_;
      used_ = 0;
    }
    if (cur_ == blocks_.size()) {
      const size_t sz = n > k_block ? n : k_block;
      blocks_.push_back({std::make_unique<char[]>(sz), sz});
      used_ = 0;
    }
    char* p = blocks_[cur_].data.get() + used_;
    used_ += n;
    return p;
  }
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = alloc(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }
  void reset() {
    cur_ = 0;
    used_ = 0;
  }
  size_t capacity() const {
    size_t c = 0;
    for (const auto& b : blocks_) c += b.size;
    return c;
  }

 private:
  static constexpr size_t k_block = 64 * 1024;
  struct block {
    std::unique_ptr<char[]> data;
    size_t size;
  };
  std::vector<block> blocks_;
  size_t cur_ = 0, used_ = 0;
};

// Eight bytes per multiply (TX keys such as "executing_paranoia_level" are hashed for every
// rule that reads or sets one; byte-wise FNV-1a was a tenth of a benign request's time).
inline uint64_t hash_bytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  // The last 1-7 bytes in one or two fixed-size loads (overlapping what came before, which
  // loses nothing: the length is in the seed): a memcpy of variable length is a libc call.
  const char* end = s.data() + s.size();
  const size_t rest = s.size() - i;
  uint64_t tail = 0;
  if (rest > 0 && s.size() >= 8) {
    std::memcpy(&tail, end - 8, 8);
  } else if (rest >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, s.data(), 4);
    std::memcpy(&hi, end - 4, 4);
    tail = lo | uint64_t{hi} << 32;
  } else if (rest > 0) {
    tail = static_cast<unsigned char>(s[0]) | static_cast<unsigned char>(s[rest / 2]) << 8 |
           static_cast<unsigned char>(end[-1]) << 16;
  }
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 29);
}

// Insertion-ordered string map for TX/IP/GLOBAL: keys are lower-case and arena-owned, lookups
// go through an open-addressing index that is cleared, not freed, between requests.
class var_store {
 public:
  struct entry {
    std::string_view key, value;
    bool live = false;
    // Per waf_engine::selector_bit: whether the selector's answer for `key` is known, and
    // what it is (the key never changes while the entry lives).
    uint64_t sel_known = 0, sel_match = 0;
  };
  var_store() { slots_.assign(256, -1); }

  const std::string_view* get(std::string_view key) const {
    const int32_t i = find(key, hash_bytes(key));
    const std::string_view* v = i >= 0 && entries_[i].live ? &entries_[i].value : nullptr;
    if (reads_) {
      const size_t writes = journal_ ? journal_->size() : 0;
      reads_->push_back({key, v ? *v : std::string_view(), v != nullptr, writes});
    }
    return v;
  }
  // `key` and `value` must outlive the transaction (arena or static).
  void set(std::string_view key, std::string_view value) {
    if (journal_) journal_->push_back({key, value, true});
    const uint64_t h = hash_bytes(key);
    const int32_t i = find(key, h);
    if (i >= 0) {
      entries_[i].value = value;
      entries_[i].live = true;
      return;
    }
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    entries_.push_back({key, value, true});
    insert_slot(static_cast<int32_t>(entries_.size() - 1), h);
  }
  void remove(std::string_view key) {
    if (journal_) journal_->push_back({key, {}, false});
    const int32_t i = find(key, hash_bytes(key));
    if (i >= 0) entries_[i].live = false;
  }
  void clear() {
    entries_.clear();
    std::fill(slots_.begin(), slots_.end(), -1);
  }
  const std::vector<entry>& entries() const { return entries_; }
  entry& at(size_t i) { return entries_[i]; }
  // The whole store (entries in order, and their index) as a copy that restore() puts back;
  // after the first copy, both reuse the vectors' capacity.
  struct image {
    std::vector<entry> entries;
    std::vector<int32_t> slots;
  };
  void save(image& im) const {
    im.entries = entries_;
    im.slots = slots_;
  }
  void restore(const image& im) {
    entries_ = im.entries;
    slots_ = im.slots;
  }
  // Records every set (live) and remove (!live) in order; waf_engine's folding only.
  void journal_to(std::vector<entry>* j) { journal_ = j; }
  // Every get, with the number of journalled writes before it; waf_engine's folding only.
  struct read_note {
    std::string_view key, value;
    bool present = false;
    size_t writes_before = 0;
  };
  void reads_to(std::vector<read_note>* r) { reads_ = r; }

 private:
  int32_t find(std::string_view key, uint64_t h) const {
    const size_t mask = slots_.size() - 1;
    for (size_t p = h & mask;; p = (p + 1) & mask) {
      const int32_t i = slots_[p];
      if (i < 0) return -1;
      if (entries_[i].key == key) return i;
    }
  }
  void insert_slot(int32_t idx, uint64_t h) {
    const size_t mask = slots_.size() - 1;
    size_t p = h & mask;
    while (slots_[p] >= 0) p = (p + 1) & mask;
    slots_[p] = idx;
  }
  void grow() {
    slots_.assign(slots_.size() * 2, -1);
    for (size_t i = 0; i < entries_.size(); ++i) {
      insert_slot(static_cast<int32_t>(i), hash_bytes(entries_[i].key));
    }
  }
  std::vector<entry> entries_;
  std::vector<int32_t> slots_;
  std::vector<entry>* journal_ = nullptr;
  std::vector<read_note>* reads_ = nullptr;
};

}  // namespace ravelin::waf::detail
