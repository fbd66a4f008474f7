// A throwaway directory tree standing in for /sys and /proc/mounts, removed when the
// fixture goes out of scope, so topology and hugepage tests run on any machine.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace ravelin::hw::test {

class fake_sysfs {
 public:
  fake_sysfs() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ravelin-hw-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) root_ = pattern;
  }
  fake_sysfs(const fake_sysfs&) = delete;
  fake_sysfs& operator=(const fake_sysfs&) = delete;
  ~fake_sysfs() {
    std::error_code ec;
    if (!root_.empty()) std::filesystem::remove_all(root_, ec);
  }

  // Writes `content` to root/relative, creating parent directories.
  void write(const std::string& relative, const std::string& content) const {
    const auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << content;
  }

  [[nodiscard]] std::string root() const { return root_.string(); }
  [[nodiscard]] std::string path(const std::string& relative) const {
    return (root_ / relative).string();
  }

 private:
  std::filesystem::path root_;
};

}  // namespace ravelin::hw::test
