#include "histogram.h"

#include <cmath>

namespace ravelin::bench {

void log_linear_histogram::reset() {
  counts_.fill(0);
  total_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

void log_linear_histogram::merge(const log_linear_histogram& other) {
  for (std::size_t i = 0; i < k_buckets; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  sum_ += other.sum_;
  if (other.total_ != 0) {
    if (other.max_ > max_) max_ = other.max_;
    if (other.min_ < min_) min_ = other.min_;
  }
}

uint64_t log_linear_histogram::highest_of(std::size_t index) {
  if (index < k_sub_count) return index;
  const uint64_t shift = index / k_sub_count - 1;
  const uint64_t low = (k_sub_count + index % k_sub_count) << shift;
  return low + (uint64_t{1} << shift) - 1;
}

uint64_t log_linear_histogram::value_at(double percentile) const {
  if (total_ == 0) return 0;
  if (percentile < 0) percentile = 0;
  if (percentile > 100) percentile = 100;
  // The rank of the value asked for, 1-based: at least the first value.
  uint64_t rank =
      static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(total_)));
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (std::size_t i = 0; i < k_buckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const uint64_t v = highest_of(i);
      return v < max_ ? v : max_;
    }
  }
  return max_;
}

}  // namespace ravelin::bench
