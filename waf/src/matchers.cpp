// Aho-Corasick phrase matching for @pm and CIDR matching for @ipMatch.
#include "ravelin/waf/matchers.h"

#include <arpa/inet.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <stdexcept>

#include "internal/ascii.h"

namespace ravelin::waf {

namespace {
uint8_t fold(uint8_t c) { return static_cast<uint8_t>(ascii::to_lower(c)); }
}  // namespace

int32_t phrase_matcher::child(int32_t state, uint8_t c) const noexcept {
  const auto& nx = nodes_[state].next;
  auto it = std::lower_bound(nx.begin(), nx.end(), c,
                             [](const auto& e, uint8_t v) { return e.first < v; });
  return (it != nx.end() && it->first == c) ? it->second : -1;
}

int32_t phrase_matcher::step(int32_t state, uint8_t c) const noexcept {
  for (;;) {
    if (state == 0) return root_[c];
    const int32_t n = child(state, c);
    if (n >= 0) return n;
    state = nodes_[state].fail;
  }
}

phrase_matcher::phrase_matcher(const std::vector<std::string>& phrases) : phrases_(phrases) {
  nodes_.emplace_back();
  for (size_t p = 0; p < phrases_.size(); ++p) {
    if (phrases_[p].empty()) continue;
    int32_t s = 0;
    for (unsigned char raw : phrases_[p]) {
      const uint8_t c = fold(raw);
      int32_t n = child(s, c);
      if (n < 0) {
        n = static_cast<int32_t>(nodes_.size());
        nodes_.emplace_back();
        auto& nx = nodes_[s].next;
        nx.insert(std::upper_bound(nx.begin(), nx.end(), std::make_pair(c, int32_t{-1}),
                                   [](const auto& a, const auto& b) { return a.first < b.first; }),
                  {c, n});
      }
      s = n;
    }
    if (nodes_[s].out < 0) nodes_[s].out = static_cast<int32_t>(p);
  }
  for (int c = 0; c < 256; ++c) {
    const int32_t n = child(0, static_cast<uint8_t>(c));
    root_[c] = n < 0 ? 0 : n;
  }
  // Breadth-first fail links; a node inherits the output of its fail target.
  std::deque<int32_t> queue;
  for (const auto& [c, n] : nodes_[0].next) queue.push_back(n);
  while (!queue.empty()) {
    const int32_t s = queue.front();
    queue.pop_front();
    for (const auto& [c, n] : nodes_[s].next) {
      int32_t f = nodes_[s].fail;
      int32_t target = -1;
      for (;;) {
        target = child(f, c);
        if (target >= 0 && target != n) break;
        if (f == 0) {
          target = 0;
          break;
        }
        f = nodes_[f].fail;
      }
      nodes_[n].fail = target;
      if (nodes_[n].out < 0) nodes_[n].out = nodes_[target].out;
      queue.push_back(n);
    }
  }
}

bool phrase_matcher::find(std::string_view text, std::string_view* matched) const noexcept {
  int32_t s = 0;
  for (unsigned char c : text) {
    s = step(s, static_cast<uint8_t>((c >= 'A' && c <= 'Z') ? c | 0x20 : c));
    if (nodes_[s].out >= 0) {
      if (matched) matched->operator=(phrases_[nodes_[s].out]);
      return true;
    }
  }
  return false;
}

ip_set::ip_set(std::string_view list) {
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ',' || list[i] == ' ' || list[i] == '\t')) ++i;
    size_t j = i;
    while (j < list.size() && list[j] != ',' && list[j] != ' ' && list[j] != '\t') ++j;
    if (j == i) break;
    std::string item(list.substr(i, j - i));
    i = j;
    net n;
    std::string addr = item;
    const size_t slash = item.find('/');
    n.v6 = item.find(':') != std::string::npos;
    n.prefix = n.v6 ? 128 : 32;
    if (slash != std::string::npos) {
      addr = item.substr(0, slash);
      const std::string bits = item.substr(slash + 1);
      if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), ::isdigit)) {
        throw std::runtime_error("bad prefix length in '" + item + "'");
      }
      n.prefix = std::stoi(bits);
      if (n.prefix > (n.v6 ? 128 : 32)) throw std::runtime_error("prefix too long in '" + item + "'");
    }
    if (inet_pton(n.v6 ? AF_INET6 : AF_INET, addr.c_str(), n.addr.data()) != 1) {
      throw std::runtime_error("bad IP address '" + item + "'");
    }
    nets_.push_back(n);
  }
  if (nets_.empty()) throw std::runtime_error("empty IP list");
}

bool ip_set::contains(std::string_view address) const noexcept {
  char buf[64];
  if (address.size() >= sizeof buf) return false;
  std::copy(address.begin(), address.end(), buf);
  buf[address.size()] = 0;
  std::array<uint8_t, 16> a{};
  const bool v6 = address.find(':') != std::string_view::npos;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, a.data()) != 1) return false;
  for (const auto& n : nets_) {
    if (n.v6 != v6) continue;
    int bits = n.prefix;
    bool same = true;
    for (size_t b = 0; bits > 0 && same; ++b, bits -= 8) {
      const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
      same = (a[b] & mask) == (n.addr[b] & mask);
    }
    if (same) return true;
  }
  return false;
}

std::vector<std::string> read_data_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open data file " + path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.pop_back();
    }
    size_t s = 0;
    while (s < line.size() && (line[s] == ' ' || line[s] == '\t')) ++s;
    if (s >= line.size() || line[s] == '#') continue;
    out.push_back(line.substr(s));
  }
  return out;
}

}  // namespace ravelin::waf
