// Load-time compiled matchers behind @pm/@pmFromFile (a case-insensitive Aho-Corasick
// automaton, as ModSecurity's acmp) and @ipMatch/@ipMatchFromFile (IPv4/IPv6 CIDR lists).
// Built once, read-only afterwards; matching allocates nothing.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ravelin::waf {

class phrase_matcher {
 public:
  explicit phrase_matcher(const std::vector<std::string>& phrases);

  // True when any phrase occurs in `text` (ASCII case-insensitive). `matched`, if given,
  // receives the first phrase found (ending earliest), as ModSecurity reports it in TX.0.
  bool find(std::string_view text, std::string_view* matched = nullptr) const noexcept;

  const std::vector<std::string>& phrases() const { return phrases_; }

 private:
  struct node {
    std::vector<std::pair<uint8_t, int32_t>> next;  // sorted by byte
    int32_t fail = 0;
    int32_t out = -1;       // index of a phrase ending here (or via the fail chain)
  };
  int32_t step(int32_t state, uint8_t c) const noexcept;
  int32_t child(int32_t state, uint8_t c) const noexcept;

  std::vector<std::string> phrases_;
  std::vector<node> nodes_;
  std::array<int32_t, 256> root_{};  // dense transitions out of the root (most steps end there)
};

class ip_set {
 public:
  // Comma- or space-separated addresses and CIDR blocks; throws std::runtime_error on a bad one.
  explicit ip_set(std::string_view list);
  bool contains(std::string_view address) const noexcept;
  size_t size() const { return nets_.size(); }

 private:
  struct net {
    bool v6 = false;
    std::array<uint8_t, 16> addr{};
    int prefix = 0;
  };
  std::vector<net> nets_;
};

// Reads a ModSecurity data file: one entry per line, `#` comments and blank lines skipped.
std::vector<std::string> read_data_file(const std::string& path);

}  // namespace ravelin::waf
