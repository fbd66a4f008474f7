// Appends to a caller buffer without ever writing past it; remembers the overflow so that a
// sequence of appends needs one check at the end.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>

namespace ravelin::detail {

class text_writer {
 public:
  explicit text_writer(std::span<char> out) : out_(out) {}

  void put(char c) {
    if (len_ < out_.size()) {
      out_[len_++] = c;
    } else {
      overflow_ = true;
    }
  }
  void put(std::string_view s) {
    const size_t n = s.size() <= out_.size() - len_ ? s.size() : out_.size() - len_;
    if (n != 0) std::memcpy(out_.data() + len_, s.data(), n);
    len_ += n;
    overflow_ |= n != s.size();
  }
  // Kong's kong.tools.uri.escape: octets outside  ! # $ & ' ( ) * + , / : ; = ? @ [ ] A-Z
  // a-z 0-9 - _ . ~ %  become %XX (upper-case hex), so a decoded path is safe on the wire.
  void put_escaped(std::string_view s) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (k_safe[c]) continue;
      put(s.substr(run, i - run));
      put('%');
      put(k_hex[c >> 4]);
      put(k_hex[c & 15]);
      run = i + 1;
    }
    put(s.substr(run));
  }

  bool overflow() const { return overflow_; }
  size_t size() const { return len_; }
  std::string_view view() const { return {out_.data(), len_}; }

 private:
  static constexpr std::array<bool, 256> k_safe = [] {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (char c : std::string_view("!#$&'()*+,/:;=?@[]-_.~%")) t[static_cast<unsigned char>(c)] = true;
    return t;
  }();

  std::span<char> out_;
  size_t len_ = 0;
  bool overflow_ = false;
};

}  // namespace ravelin::detail
