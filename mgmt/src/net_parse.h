// Syntax of the network values a config carries: IPv4 addresses and prefixes, host names,
// Kong's `host[:port]` forms and the service `url` shorthand. Pure functions, no reporting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ravelin/mgmt/config.h"

namespace ravelin::mgmt {

std::optional<uint32_t> parse_ipv4(std::string_view s);          // dotted quad, host order
std::optional<ipv4_prefix> parse_ipv4_cidr(std::string_view s);  // "a.b.c.d/len", len 0..32
bool is_ipv6(std::string_view s);                                // without brackets
bool is_hostname(std::string_view s);  // RFC 1123 labels (underscore tolerated, as Kong does)

// Splits "host", "host:port", "[v6]" or "[v6]:port"; host is returned without brackets.
struct host_port {
  std::string host;
  std::optional<uint16_t> port;
};
std::optional<host_port> split_host_port(std::string_view s);

// A route `hosts` entry: at most one wildcard, as the whole leftmost or rightmost label,
// optionally followed by ":port". Returns an explanation when the entry is invalid.
std::optional<std::string> route_host_problem(std::string_view s);

// "scheme://host[:port][/path]"; the port defaults from the scheme (443 for https, grpcs,
// tls; 80 otherwise). Returns an explanation on failure.
struct parsed_url {
  std::string scheme;
  std::string host;
  uint16_t port = 80;
  std::optional<std::string> path;
};
std::optional<parsed_url> parse_url(std::string_view s, std::string& problem);

std::string format_ipv4(uint32_t address);

}  // namespace ravelin::mgmt
