// Hugepage pools from sysfs (Documentation/admin-guide/mm/hugetlbpage.rst) and hugetlbfs
// mounts from /proc/mounts.
#include "ravelin/hw/hugepages.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

#include "sysfs.h"

namespace ravelin::hw {

namespace fs = std::filesystem;

namespace {

// "hugepages-2048kB" -> 2048; 0 when the name does not have that shape.
uint64_t page_size_of(const std::string& name) {
  constexpr std::string_view k_prefix = "hugepages-";
  constexpr std::string_view k_suffix = "kB";
  if (name.size() <= k_prefix.size() + k_suffix.size() || !name.starts_with(k_prefix) ||
      !name.ends_with(k_suffix)) {
    return 0;
  }
  const char* first = name.data() + k_prefix.size();
  const char* last = name.data() + name.size() - k_suffix.size();
  uint64_t kb = 0;
  const auto [ptr, ec] = std::from_chars(first, last, kb);
  return ec == std::errc{} && ptr == last ? kb : 0;
}

void read_pools(const fs::path& dir, int node, std::vector<hugepage_pool>& out,
                std::string& error) {
  std::vector<hugepage_pool> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const uint64_t size = page_size_of(it->path().filename().string());
    if (size == 0) continue;
    const auto total = detail::read_int(it->path() / "nr_hugepages");
    const auto free = detail::read_int(it->path() / "free_hugepages");
    if (!total || !free) detail::note_error(error, "cannot read " + it->path().string());
    found.push_back({.page_size_kb = size,
                     .numa_node = node,
                     .total = total ? static_cast<uint64_t>(*total) : 0,
                     .free = free ? static_cast<uint64_t>(*free) : 0});
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.page_size_kb < b.page_size_kb; });
  out.insert(out.end(), found.begin(), found.end());
}

// "2M" / "1G" / "2048k" -> kB; 0 when unparseable.
uint64_t parse_size_kb(std::string_view text) {
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr == text.data()) return 0;
  const std::string_view unit = text.substr(ptr - text.data());
  if (unit.empty()) return value / 1024;  // plain bytes
  switch (std::tolower(static_cast<unsigned char>(unit[0]))) {
    case 'k':
      return value;
    case 'm':
      return value * 1024;
    case 'g':
      return value * 1024 * 1024;
    default:
      return 0;
  }
}

// /proc/mounts escapes space, tab, newline and backslash as \ooo octal (fs/proc_namespace.c).
std::string unescape_mount_path(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto octal = [&](size_t at) { return text[at] >= '0' && text[at] <= '7'; };
    if (text[i] == '\\' && i + 3 < text.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                               (text[i + 3] - '0'));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

void read_mounts(const std::string& mounts_path, hugepage_info& info) {
  std::ifstream in(mounts_path);
  if (!in) {
    detail::note_error(info.error, "cannot read " + mounts_path);
    return;
  }
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string device, path, type, options;
    if (!(fields >> device >> path >> type >> options) || type != "hugetlbfs") continue;
    hugetlbfs_mount mount{.path = unescape_mount_path(path)};
    std::istringstream opts(options);
    for (std::string opt; std::getline(opts, opt, ',');) {
      if (opt.starts_with("pagesize=")) mount.page_size_kb = parse_size_kb(opt.substr(9));
    }
    info.mounts.push_back(std::move(mount));
  }
}

}  // namespace

uint64_t hugepage_info::free_kb(int numa_node) const {
  uint64_t kb = 0;
  for (const auto& pool : numa_node < 0 ? pools : per_node) {
    if (pool.numa_node == numa_node) kb += pool.free * pool.page_size_kb;
  }
  return kb;
}

hugepage_info read_hugepages(const std::string& sysfs_root, const std::string& mounts_path) {
  hugepage_info info;
  const fs::path root(sysfs_root);
  // A kernel without CONFIG_HUGETLBFS has no such directory: empty pools, not an error.
  read_pools(root / "kernel/mm/hugepages", -1, info.pools, info.error);
  for (const auto& [id, path] : detail::numbered_entries(root / "devices/system/node", "node")) {
    read_pools(path / "hugepages", static_cast<int>(id), info.per_node, info.error);
  }
  read_mounts(mounts_path, info);
  return info;
}

}  // namespace ravelin::hw
