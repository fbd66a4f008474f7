// Host names of services and targets to IPv4 addresses, on the control thread when a snapshot
// is built (Kong resolves with its own DNS client; the dataplane has no UDP, so names are
// answered before they reach an lcore). Order as Kong's dns_order "LAST,A" with
// dns_hostsfile: the hosts file first, then the system resolver (getaddrinfo).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ravelin::dataplane::proxy {

// hosts(5): "address name [aliases...]", '#' starts a comment. IPv4 entries only; names
// compare case-insensitively (RFC 4343), so they are kept lower-case. A name on several
// lines has every address in file order, as glibc answers getaddrinfo with "multi on".
std::unordered_map<std::string, std::vector<uint32_t>> parse_hosts(std::string_view text);

class host_resolver {
 public:
  // Reads `hosts_file` once (missing or unreadable: no entries); `system` also asks
  // getaddrinfo for names the file lacks.
  host_resolver(const std::string& hosts_file, bool system);
  // Every IPv4 address of `host` in answer order; a literal is itself; empty when the name
  // does not resolve.
  std::vector<uint32_t> resolve(std::string_view host);
  uint32_t lookups() const { return lookups_; }  // names that needed a resolver

 private:
  std::unordered_map<std::string, std::vector<uint32_t>> hosts_;
  std::unordered_map<std::string, std::vector<uint32_t>> cache_;  // this resolver's answers
  bool system_;
  uint32_t lookups_ = 0;
};

}  // namespace ravelin::dataplane::proxy
