// A log-linear latency histogram in the manner of HdrHistogram: values below 2^k_sub_bits
// are counted exactly, above that every power of two is cut into 2^k_sub_bits equal
// buckets, so any recorded value is known to within 1 / 2^k_sub_bits (0.8 %). Fixed size,
// no allocation: record() is safe on the hot path.
#pragma once

#include <array>
#include <cstdint>

namespace ravelin::bench {

class log_linear_histogram {
 public:
  static constexpr unsigned k_sub_bits = 7;
  static constexpr uint64_t k_sub_count = uint64_t{1} << k_sub_bits;
  // Values are clamped to 2^k_max_bits - 1 (in ns: about 18 minutes).
  static constexpr unsigned k_max_bits = 40;
  static constexpr std::size_t k_buckets = (k_max_bits - k_sub_bits + 1) * k_sub_count;

  void record(uint64_t value) {
    if (value > k_max_value) value = k_max_value;
    ++counts_[index_of(value)];
    ++total_;
    sum_ += value;
    if (value > max_) max_ = value;
    if (value < min_) min_ = value;
  }
  void reset();
  void merge(const log_linear_histogram& other);

  uint64_t count() const { return total_; }
  uint64_t max() const { return total_ == 0 ? 0 : max_; }
  uint64_t min() const { return total_ == 0 ? 0 : min_; }
  double mean() const { return total_ == 0 ? 0.0 : static_cast<double>(sum_) / total_; }
  // The smallest bucket bound at or below which `percentile` % of the values lie (the
  // bucket's highest value, capped at max()); 0 when empty. percentile in [0, 100].
  uint64_t value_at(double percentile) const;

  // Bucket arithmetic, public for tests.
  static std::size_t index_of(uint64_t value) {
    if (value < k_sub_count) return static_cast<std::size_t>(value);
    const unsigned msb = 63U - static_cast<unsigned>(__builtin_clzll(value));
    const unsigned shift = msb - k_sub_bits;
    return static_cast<std::size_t>((shift + 1) * k_sub_count + ((value >> shift) - k_sub_count));
  }
  static uint64_t highest_of(std::size_t index);

 private:
  static constexpr uint64_t k_max_value = (uint64_t{1} << k_max_bits) - 1;
  std::array<uint64_t, k_buckets> counts_{};
  uint64_t total_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace ravelin::bench
