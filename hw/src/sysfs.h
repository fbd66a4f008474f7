// Small readers for sysfs and procfs text files. Every one reports failure by an empty
// optional or vector rather than by exception, since a missing file is normal on some
// kernels (no NUMA, no hugetlb) and the probe must still print what it can.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ravelin::hw::detail {

std::string_view trim(std::string_view text);

// Whole file with surrounding whitespace removed; nullopt when it cannot be read.
std::optional<std::string> read_trimmed(const std::filesystem::path& path);

// Decimal integer files such as core_id or nr_hugepages.
std::optional<int64_t> read_int(const std::filesystem::path& path);

// Entries of `dir` named `prefix` followed only by digits ("node0", "cpu12"), as
// (number, path) sorted by number. Empty when `dir` does not exist.
std::vector<std::pair<unsigned, std::filesystem::path>> numbered_entries(
    const std::filesystem::path& dir, std::string_view prefix);

// Appends `message` to `error`, separated by "; ", so the first problem is not lost.
void note_error(std::string& error, const std::string& message);

}  // namespace ravelin::hw::detail
