// Fuzzes the hosts(5) parser: whatever the input, every name it returns is lower-case, free
// of whitespace and '#', and maps to at least one address, none twice.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proxy/dns.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& [name, ips] : ravelin::dataplane::proxy::parse_hosts(text)) {
    if (name.empty() || ips.empty()) std::abort();
    for (size_t i = 0; i < ips.size(); ++i) {
      for (size_t j = i + 1; j < ips.size(); ++j) {
        if (ips[i] == ips[j]) std::abort();
      }
    }
    for (char c : name) {
      if ((c >= 'A' && c <= 'Z') || c == ' ' || c == '\t' || c == '\n' || c == '#') std::abort();
    }
  }
  return 0;
}
