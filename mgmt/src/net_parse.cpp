// Network value syntax for the config loader.
#include "net_parse.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ravelin::mgmt {
namespace {

std::optional<unsigned> parse_decimal(std::string_view s, unsigned max) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

bool is_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::optional<uint32_t> parse_ipv4(std::string_view s) {
  uint32_t address = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t dot = s.find('.');
    if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
    const std::string_view part = s.substr(0, dot);
    // Leading zeros are refused: some parsers read them as octal.
    if (part.size() > 1 && part[0] == '0') return std::nullopt;
    auto octet = parse_decimal(part, 255);
    if (!octet) return std::nullopt;
    address = (address << 8) | *octet;
    s = i < 3 ? s.substr(dot + 1) : std::string_view{};
  }
  return address;
}

std::optional<ipv4_prefix> parse_ipv4_cidr(std::string_view s) {
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = parse_ipv4(s.substr(0, slash));
  auto length = parse_decimal(s.substr(slash + 1), 32);
  if (!address || !length) return std::nullopt;
  return ipv4_prefix{*address, static_cast<uint8_t>(*length)};
}

bool is_ipv6(std::string_view s) {
  if (s.size() < 2 || s.size() >= INET6_ADDRSTRLEN || s.find(':') == std::string_view::npos) {
    return false;
  }
  in6_addr ignored;
  return inet_pton(AF_INET6, std::string(s).c_str(), &ignored) == 1;
}

bool is_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.back() == '.') s.remove_suffix(1);  // a fully qualified name
  while (true) {
    const size_t dot = s.find('.');
    if (!is_label(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

std::optional<host_port> split_host_port(std::string_view s) {
  host_port out;
  std::string_view rest;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(s.substr(1, close - 1));
    if (!is_ipv6(out.host)) return std::nullopt;
    rest = s.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return std::nullopt;
  } else {
    const size_t colon = s.find(':');
    if (colon != std::string_view::npos && s.find(':', colon + 1) != std::string_view::npos) {
      // Bare IPv6 address; it cannot carry a port without brackets.
      if (!is_ipv6(s)) return std::nullopt;
      out.host = std::string(s);
      return out;
    }
    out.host = std::string(s.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : s.substr(colon);
  }
  if (out.host.empty()) return std::nullopt;
  if (!rest.empty()) {
    auto port = parse_decimal(rest.substr(1), 65535);
    if (!port) return std::nullopt;
    out.port = static_cast<uint16_t>(*port);
  }
  return out;
}

std::optional<std::string> route_host_problem(std::string_view s) {
  auto hp = split_host_port(s);
  if (!hp) return "is not a host name with an optional :port";
  std::string_view host = hp->host;
  if (is_ipv6(host) || parse_ipv4(host)) return std::nullopt;
  const size_t stars = std::count(host.begin(), host.end(), '*');
  if (stars > 1) return "has more than one wildcard";
  if (stars == 1) {
    // Kong: the wildcard is a whole label, leftmost ("*.x.com") or rightmost ("x.*").
    if (host.starts_with("*.")) {
      host.remove_prefix(2);
    } else if (host.ends_with(".*")) {
      host.remove_suffix(2);
    } else {
      return "has a wildcard that is not the whole leftmost or rightmost label";
    }
  }
  if (!is_hostname(host)) return "is not a valid host name";
  return std::nullopt;
}

std::optional<parsed_url> parse_url(std::string_view s, std::string& problem) {
  const size_t sep = s.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    problem = "has no scheme (expected scheme://host[:port][/path])";
    return std::nullopt;
  }
  parsed_url out;
  out.scheme = std::string(s.substr(0, sep));
  s.remove_prefix(sep + 3);
  if (s.find_first_of("?#") != std::string_view::npos) {
    problem = "has a query or fragment, which a service cannot carry";
    return std::nullopt;
  }
  const size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    out.path = std::string(s.substr(slash));
    s = s.substr(0, slash);
  }
  auto hp = split_host_port(s);
  if (!hp || (!is_hostname(hp->host) && !is_ipv6(hp->host))) {
    problem = "has no valid host";
    return std::nullopt;
  }
  out.host = hp->host;
  const bool tls = out.scheme == "https" || out.scheme == "grpcs" || out.scheme == "tls";
  out.port = hp->port.value_or(tls ? 443 : 80);
  return out;
}

std::string format_ipv4(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." +
         std::to_string((a >> 8) & 0xff) + "." + std::to_string(a & 0xff);
}

}  // namespace ravelin::mgmt
