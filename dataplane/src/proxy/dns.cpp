// hosts(5) parsing and name resolution for snapshots (dns.h).
#include "dns.h"
#include "rewrite.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ravelin::dataplane::proxy {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The whitespace-separated words of one line, up to a '#'.
std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> out;
  line = line.substr(0, line.find('#'));
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::unordered_map<std::string, std::vector<uint32_t>> parse_hosts(std::string_view text) {
  std::unordered_map<std::string, std::vector<uint32_t>> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    const auto words = words_of(line);
    uint32_t ip = 0;
    if (words.size() < 2 || !parse_ipv4(words[0], ip)) continue;
    for (size_t i = 1; i < words.size(); ++i) {
      auto& ips = out[lower(words[i])];
      if (std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.push_back(ip);
    }
  }
  return out;
}

host_resolver::host_resolver(const std::string& hosts_file, bool system) : system_(system) {
  if (hosts_file.empty()) return;
  std::ifstream in(hosts_file);
  if (!in) return;
  std::ostringstream text;
  text << in.rdbuf();
  hosts_ = parse_hosts(text.str());
}

std::vector<uint32_t> host_resolver::resolve(std::string_view host) {
  uint32_t ip = 0;
  if (parse_ipv4(host, ip)) return {ip};
  std::string key = lower(host);
  if (auto it = hosts_.find(key); it != hosts_.end()) return it->second;
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  std::vector<uint32_t> out;
  if (system_) {
    ++lookups_;
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(key.c_str(), nullptr, &hints, &res) == 0) {
      for (const addrinfo* a = res; a != nullptr; a = a->ai_next) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
        const uint32_t addr = ntohl(sin->sin_addr.s_addr);
        if (std::find(out.begin(), out.end(), addr) == out.end()) out.push_back(addr);
      }
      freeaddrinfo(res);
    }
  }
  cache_.emplace(std::move(key), out);
  return out;
}

}  // namespace ravelin::dataplane::proxy
