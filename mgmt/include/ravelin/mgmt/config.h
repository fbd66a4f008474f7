// The configuration model: one immutable snapshot of a declarative file, Kong's entities plus
// the appliance's own `ravelin:` section. Built once by the loader, then only read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/mgmt/kong_entities.h"
#include "ravelin/mgmt/waf_plugin.h"

namespace ravelin::mgmt {

// An IPv4 address with its prefix length, host byte order.
struct ipv4_prefix {
  uint32_t address = 0;
  uint8_t length = 32;
  bool operator==(const ipv4_prefix&) const = default;
};

struct port_config {
  std::string name;                 // unique among ports; referenced by later sections
  std::string device;               // a DPDK vdev spec ("net_af_packet0,iface=x") or PCI address
  ipv4_prefix address;              // the appliance's address on this port's link
  std::optional<uint32_t> gateway;  // next hop for destinations off the link, host order
  uint16_t queues = 1;              // rx and tx queues, spread over the io lcores
  uint16_t rx_descriptors = 1024;
  uint16_t tx_descriptors = 1024;
  uint16_t mtu = 1500;
  bool operator==(const port_config&) const = default;
};

enum class core_role : uint8_t { io = 1, tls = 2, auth = 4 };

struct core_config {
  unsigned lcore = 0;
  uint8_t roles = 0;  // bit set of core_role
  bool has(core_role r) const { return (roles & static_cast<uint8_t>(r)) != 0; }
  bool operator==(const core_config&) const = default;
};

// Bounds of the per-lcore network stack.
struct stack_config {
  uint32_t arp_cache_entries = 1024;  // per lcore; full cache evicts the oldest resolved entry
  uint32_t arp_reachable_ms = 60000;  // a resolved entry is trusted this long
  uint32_t arp_retry_ms = 1000;       // an unanswered request is resent after this
  uint32_t arp_max_retries = 3;       // then the entry fails and its held packet is dropped
  uint32_t mbufs_per_port = 8191;     // pool size per port (per socket)
  // TCP, per lcore. Each bound is counted when hit.
  uint32_t tcp_max_connections = 4096;     // all states, TIME-WAIT and half-open included
  uint32_t tcp_max_half_open = 1024;       // SYN-RECEIVED; beyond it SYN cookies answer
  uint32_t tcp_listen_backlog = 256;       // handshakes in progress per listening port
  uint32_t tcp_send_buffer = 256 * 1024;   // bytes queued per connection
  uint32_t tcp_recv_buffer = 256 * 1024;   // bytes unread or out of order per connection
  bool tcp_syn_cookies = true;
  enum class congestion { cubic, newreno } tcp_congestion_control = congestion::cubic;
  bool operator==(const stack_config&) const = default;
};

// A TCP forwarder: connections accepted on `listen` are spliced onto an active open to
// `to_address:to_port` (host order).
struct forward_config {
  uint16_t listen = 0;
  uint32_t to_address = 0;
  uint16_t to_port = 0;
  bool operator==(const forward_config&) const = default;
};

// Built-in TCP test services, all off unless configured (RFC 862 echo, 863 discard,
// 864 chargen), listening on every port's address.
struct services_config {
  std::optional<uint16_t> echo;
  std::optional<uint16_t> discard;
  std::optional<uint16_t> chargen;
  std::vector<forward_config> forward;
  bool operator==(const services_config&) const = default;
};

// One proxy listener (Kong's proxy_listen entry), bound on every port's address.
struct listen_config {
  uint16_t port = 0;
  bool tls = false;          // terminated by the tls lcores (P7)
  uint32_t backlog = 16384;  // handshakes in progress (Kong's backlog=)
  bool operator==(const listen_config&) const = default;
};

// The HTTP proxy: listeners, limits the codec enforces, the access log.
struct proxy_config {
  std::vector<listen_config> listen{{80, false, 16384}, {443, true, 16384}};
  uint32_t max_request_line = 8192;     // bytes; longer → 414
  uint32_t max_header_bytes = 32768;    // all request headers; more → 431
  uint32_t max_headers = 100;           // header fields; more → 431
  uint32_t client_header_timeout_ms = 60000;  // slow headers → 408
  std::string access_log;               // JSON lines file (Kong file-log shape); empty: off
  // Requests each waf plugin inspects at once per lcore (from the request head to the
  // response head when the rules judge responses); past it: 503.
  uint32_t waf_transactions = 256;
  // Response body bytes a waf plugin holds back for phase 4 (SecResponseBodyAccess); a
  // longer body goes on uninspected. The appliance keeps it within half of each
  // connection's TCP receive buffer, where the held bytes wait.
  uint32_t waf_response_hold = 131072;
  // Host names of services and targets (Kong's dns_hostsfile, then the system resolver):
  // resolved on the control thread when a config is applied and again every
  // dns_refresh_seconds; a changed answer applies a new snapshot (kong.conf dns_* settings).
  std::string dns_hostsfile = "/etc/hosts";
  bool dns_system_resolver = true;  // ask getaddrinfo for names the hosts file lacks
  uint32_t dns_refresh_seconds = 30;
  bool operator==(const proxy_config&) const = default;
};

struct appliance_config {
  std::vector<std::string> eal;  // extra EAL arguments, appended after the derived ones
  std::vector<port_config> ports;
  std::vector<core_config> cores;
  stack_config stack;
  services_config services;
  proxy_config proxy;
  bool operator==(const appliance_config&) const = default;
};

struct config {
  std::string source;  // file the snapshot was loaded from (for messages)
  kong_config kong;
  appliance_config appliance;
  std::vector<waf_plugin_config> waf;  // one per enabled waf plugin, rules compiled
};

// One problem found in a config file, pointing at the offending node.
struct diagnostic {
  std::string file;
  unsigned line = 0;    // 1-based
  unsigned column = 0;  // 1-based
  std::string message;
  std::string to_string() const;  // "FILE:LINE:COL: message"
};

struct load_result {
  std::shared_ptr<const config> snapshot;  // null when errors is not empty
  std::vector<diagnostic> errors;          // every problem, in file order
  bool ok() const { return errors.empty() && snapshot != nullptr; }
};

// Parses and validates a declarative config. Never throws; all problems land in errors.
load_result load_config_file(const std::string& path);
load_result load_config_text(std::string_view text, const std::string& file_name);

}  // namespace ravelin::mgmt
