// Radix trie over route path prefixes, built once from a sorted list into flat arrays.
#include <algorithm>

#include "internal/compiled.h"

namespace ravelin::router::detail {
namespace {

// Keys in [lo, hi) are sorted and share their first `depth` bytes.
uint32_t build_node(compiled_router& r, const std::vector<keyed_entry>& keyed, size_t lo,
                    size_t hi, size_t depth) {
  const std::string& first = keyed[lo].key;
  const std::string& last = keyed[hi - 1].key;
  size_t lcp = depth;
  while (lcp < first.size() && lcp < last.size() && first[lcp] == last[lcp]) ++lcp;

  const auto index = static_cast<uint32_t>(r.nodes.size());
  r.nodes.emplace_back();
  r.nodes[index].label_off = static_cast<uint32_t>(r.labels.size());
  r.nodes[index].label_len = static_cast<uint32_t>(lcp - depth);
  r.labels.append(first, depth, lcp - depth);

  size_t i = lo;
  const auto list_off = static_cast<uint32_t>(r.entries.size());
  for (; i < hi && keyed[i].key.size() == lcp; ++i) r.entries.push_back(keyed[i].e);
  std::sort(r.entries.begin() + list_off, r.entries.end(),
            [](const entry& a, const entry& b) { return a.key > b.key; });
  r.nodes[index].list_off = list_off;
  r.nodes[index].list_len = static_cast<uint32_t>(r.entries.size() - list_off);

  std::vector<std::pair<unsigned char, uint32_t>> children;
  while (i < hi) {
    const char c = keyed[i].key[lcp];
    size_t j = i;
    while (j < hi && keyed[j].key[lcp] == c) ++j;
    children.emplace_back(static_cast<unsigned char>(c), build_node(r, keyed, i, j, lcp));
    i = j;
  }
  r.nodes[index].child_off = static_cast<uint32_t>(r.child_bytes.size());
  r.nodes[index].child_count = static_cast<uint32_t>(children.size());
  for (const auto& [byte, node] : children) {
    r.child_bytes.push_back(byte);
    r.child_nodes.push_back(node);
  }
  return index;
}

}  // namespace

uint32_t build_trie(compiled_router& r, std::vector<keyed_entry>& keyed) {
  if (keyed.empty()) return k_none;
  // Unsigned byte order, so that children come out sorted for the binary search in match.
  std::sort(keyed.begin(), keyed.end(), [](const keyed_entry& a, const keyed_entry& b) {
    return std::lexicographical_compare(
        a.key.begin(), a.key.end(), b.key.begin(), b.key.end(),
        [](char x, char y) { return static_cast<unsigned char>(x) < static_cast<unsigned char>(y); });
  });
  return build_node(r, keyed, 0, keyed.size(), 0);
}

}  // namespace ravelin::router::detail
