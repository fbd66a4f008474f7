// The kernel's cpulist text format, both directions.
#include <algorithm>
#include <charconv>

#include "ravelin/hw/topology.h"
#include "sysfs.h"

namespace ravelin::hw {

namespace {

// Bounds what a garbage range such as "0-4294967295" can make us allocate; Linux's
// NR_CPUS tops out at 8192 on x86, so this leaves room without being unbounded.
constexpr unsigned k_max_cpus = 1U << 15;

bool parse_number(std::string_view text, unsigned& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc{} && ptr == end;
}

}  // namespace

std::vector<unsigned> parse_cpulist(std::string_view text, bool* ok) {
  if (ok != nullptr) *ok = false;
  std::vector<unsigned> cpus;
  text = detail::trim(text);
  size_t pos = 0;
  while (!text.empty()) {
    const size_t comma = text.find(',', pos);
    const std::string_view item =
        detail::trim(text.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    const size_t dash = item.find('-');
    unsigned low = 0;
    unsigned high = 0;
    if (dash == std::string_view::npos) {
      if (!parse_number(item, low)) return {};
      high = low;
    } else if (!parse_number(item.substr(0, dash), low) ||
               !parse_number(item.substr(dash + 1), high) || low > high) {
      return {};
    }
    if (high >= k_max_cpus) return {};
    for (unsigned cpu = low; cpu <= high; ++cpu) cpus.push_back(cpu);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  if (ok != nullptr) *ok = true;
  return cpus;
}

std::string format_cpulist(std::span<const unsigned> cpus) {
  std::vector<unsigned> sorted(cpus.begin(), cpus.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string out;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(sorted[i]);
    if (j > i) out += '-' + std::to_string(sorted[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace ravelin::hw
