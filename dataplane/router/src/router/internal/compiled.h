// The compiled router: Kong's routes split into matchers (one per path kind and prefix length,
// as kong/router/transform.lua split_routes_and_services_by_path does), each with Kong's
// priority, indexed by host (hash maps on exact names and wildcard halves) and by path (a
// radix trie per host bucket holding prefixes and regex literal prefixes).
#pragma once

#include <bitset>
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "internal/host_table.h"
#include "internal/regex.h"
#include "ravelin/router/router.h"

namespace ravelin::router::detail {

// Kong's 64-bit route priority (transform.lua get_priority), widened so that nothing wraps:
// hi = match weight << 61 | plain-host-only << 60 | header count << 52 | regex path << 51;
// mid = regex_priority, order-preserving as unsigned; lo = max prefix length << 40, then the
// earlier route and the earlier path first (Kong leaves equal priorities unordered).
struct priority {
  uint64_t hi = 0;
  uint64_t mid = 0;
  uint64_t lo = 0;
  auto operator<=>(const priority&) const = default;
};

// RFC 9110 §9 methods get a bit; others are compared as strings.
enum method_bit : uint16_t {
  m_get = 1 << 0,
  m_head = 1 << 1,
  m_post = 1 << 2,
  m_put = 1 << 3,
  m_delete = 1 << 4,
  m_connect = 1 << 5,
  m_options = 1 << 6,
  m_trace = 1 << 7,
  m_patch = 1 << 8,
};
uint16_t method_to_bit(std::string_view m);

struct header_value {
  std::string lower;        // exact value, compared case-insensitively
  const route_regex* regex = nullptr;  // "~*" value: regex on the field value instead
};

// One `headers` key: some field of that name must have one of the values (kong.md §2.2).
struct header_rule {
  std::string name;
  std::vector<header_value> values;
};

inline constexpr uint8_t k_no_path = 0xFF;

struct matcher {
  const route_info* route = nullptr;
  uint16_t methods = 0;                    // bit set; with other_methods empty and 0: any
  std::vector<std::string> other_methods;  // methods without a bit
  std::vector<header_rule> headers;
  std::vector<std::string> snis;           // lower-case, no trailing dot
  bool regex_paths = false;
  std::vector<std::string> prefixes;       // by path slot, when !regex_paths
  std::vector<const route_regex*> regexes;  // by path slot, when regex_paths
  priority base;                           // without the per-path tiebreak
};

// What accept() must look at beyond the host bucket and the trie walk.
enum check_bit : uint8_t { c_methods = 1, c_snis = 2, c_headers = 4, c_regex = 8 };

// A matcher reachable from one host bucket and one trie node (or the bucket's path-less list).
// Prefix-only matchers without other checks are accepted from the entry alone.
struct entry {
  priority key;
  uint32_t matcher = 0;
  uint16_t port = 0;            // from "host:port": the local port must equal it; 0 = any
  uint8_t path_slot = k_no_path;
  uint8_t checks = 0;           // check_bit set
  uint32_t prefix_len = 0;      // of the plain prefix at path_slot
};

// Radix trie node: `label` continues the parent's string; `list` holds the entries whose
// path (or regex literal prefix) is exactly the string up to here, best first.
struct trie_node {
  uint32_t label_off = 0;
  uint32_t label_len = 0;
  uint32_t child_off = 0;  // into child_bytes / child_nodes, sorted by byte
  uint32_t child_count = 0;
  uint32_t list_off = 0;   // into entries
  uint32_t list_len = 0;
};

inline constexpr uint32_t k_none = 0xFFFFFFFF;

struct bucket {
  uint32_t trie_root = k_none;
  uint32_t nopath_off = 0;  // entries of matchers without paths, best first
  uint32_t nopath_len = 0;
};

struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using bucket_map = std::unordered_map<std::string, uint32_t, string_hash, std::equal_to<>>;

class compiled_router {
 public:
  std::vector<service_info> services;
  std::vector<route_info> routes;
  std::vector<matcher> matchers;
  std::vector<std::unique_ptr<route_regex>> regexes;
  bool ignore_v1 = false;

  std::vector<bucket> buckets;
  host_table exact_hosts;     // "api.example.com"
  host_table suffix_hosts;    // "*.example.com" stored as ".example.com"
  host_table prefix_hosts;    // "example.*" stored as "example."
  uint32_t any_host = k_none;  // matchers without hosts
  // Lengths of the keys in suffix_hosts / prefix_hosts: a request host is only looked up
  // at the label boundaries where some key could end.
  std::bitset<257> suffix_lengths;
  std::bitset<257> prefix_lengths;

  std::string labels;
  std::vector<trie_node> nodes;
  std::vector<unsigned char> child_bytes;
  std::vector<uint32_t> child_nodes;
  std::vector<entry> entries;

  match_status match(const match_input& in, match_scratch& scratch, std::span<char> out,
                     match_result& result) const noexcept;
};

// Appends the trie for `keyed` (path → entries) to `r`, returns its root (k_none if empty).
struct keyed_entry {
  std::string key;
  entry e;
};
uint32_t build_trie(compiled_router& r, std::vector<keyed_entry>& keyed);

}  // namespace ravelin::router::detail
