// sysfs/procfs readers shared by the topology and hugepage probes.
#include "sysfs.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

namespace ravelin::hw::detail {

namespace fs = std::filesystem;

std::string_view trim(std::string_view text) {
  constexpr std::string_view k_space = " \t\r\n";
  const auto first = text.find_first_not_of(k_space);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(k_space);
  return text.substr(first, last - first + 1);
}

std::optional<std::string> read_trimmed(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::string(trim(buffer.str()));
}

std::optional<int64_t> read_int(const fs::path& path) {
  const auto text = read_trimmed(path);
  if (!text) return std::nullopt;
  int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::vector<std::pair<unsigned, fs::path>> numbered_entries(const fs::path& dir,
                                                            std::string_view prefix) {
  std::vector<std::pair<unsigned, fs::path>> found;
  std::error_code ec;
  // Explicit increment(ec): the range-for form throws when the directory changes under us.
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string_view digits = std::string_view(name).substr(prefix.size());
    unsigned number = 0;
    const auto [ptr, err] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (err != std::errc{} || ptr != digits.data() + digits.size()) continue;
    found.emplace_back(number, it->path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

void note_error(std::string& error, const std::string& message) {
  if (!error.empty()) error += "; ";
  error += message;
}

}  // namespace ravelin::hw::detail
