// Matching one request: look up the host buckets the Host can fall in, walk each bucket's
// path trie, then try candidate lists best first and stop as soon as nothing left can beat
// the best match (kong.md §2.2 semantics, §2.3 order).
#include <algorithm>
#include <array>
#include <charconv>

#include "internal/compiled.h"
#include "common/text_writer.h"
#include "ravelin/router/path.h"

namespace ravelin::router::detail {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower_b[i]) return false;
  }
  return true;
}

// The request fields routes compare against, prepared once per match.
struct request_facts {
  std::array<char, 256> host_buf;
  std::string_view host;  // lower-case, without port or IPv6 brackets; empty if none or too long
  uint16_t port = 0;
  uint16_t method_bit = 0;
  std::string_view sni;
  bool https = false;
};

// Splits Host into name and port as Kong's split_host_port does, plus "[v6]:port".
void split_host(std::string_view h, std::string_view& name, uint16_t& port) {
  name = h;
  port = 0;
  std::string_view p;
  if (h.starts_with('[')) {
    const size_t close = h.find(']');
    if (close == std::string_view::npos) return;
    name = h.substr(1, close - 1);
    if (h.substr(close + 1).starts_with(':')) p = h.substr(close + 2);
  } else if (const size_t colon = h.find(':'); colon != std::string_view::npos &&
                                               h.find(':', colon + 1) == std::string_view::npos) {
    name = h.substr(0, colon);
    p = h.substr(colon + 1);
  }
  if (!p.empty()) {
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || end != p.data() + p.size()) port = 0;
  }
}

void prepare(const match_input& in, request_facts& f) {
  std::string_view name;
  uint16_t host_port = 0;
  split_host(in.host, name, host_port);
  f.port = in.port != 0 ? in.port : host_port;
  if (name.size() <= f.host_buf.size()) {
    for (size_t i = 0; i < name.size(); ++i) f.host_buf[i] = lower(name[i]);
    f.host = std::string_view(f.host_buf.data(), name.size());
  }
  f.method_bit = method_to_bit(in.method);
  f.sni = in.sni;
  if (f.sni.size() > 1 && f.sni.back() == '.') f.sni.remove_suffix(1);
  f.https = in.proto == scheme::https || in.proto == scheme::grpcs;
}

struct list_ref {
  const entry* items;
  uint32_t len;
};

class search {
 public:
  // Captures of an accepted regex go straight to `caps`; a failed regex leaves it alone.
  search(const compiled_router& r, const match_input& in, match_scratch& s, const request_facts& f,
         captures& caps)
      : caps(caps), r_(r), in_(in), scratch_(s), f_(f) {}

  void visit_bucket(uint32_t b) {
    const bucket& bk = r_.buckets[b];
    if (bk.nopath_len != 0) add_list({&r_.entries[bk.nopath_off], bk.nopath_len});
    walk_trie(bk.trie_root);
  }

  // Tries the collected lists, the one with the best head first.
  void finish() {
    std::sort(lists_.begin(), lists_.begin() + nlists_,
              [](const list_ref& a, const list_ref& b) { return a.items[0].key > b.items[0].key; });
    for (size_t i = 0; i < nlists_; ++i) try_list(lists_[i]);
  }

  const entry* best = nullptr;
  std::string_view matched;
  captures& caps;

 private:
  void add_list(list_ref l) {
    if (nlists_ < lists_.size()) {
      lists_[nlists_++] = l;
    } else {
      try_list(l);  // more lists than slots: still correct, just less pruning
    }
  }

  void walk_trie(uint32_t n) {
    const std::string_view path = in_.path;
    size_t pos = 0;
    while (n != k_none) {
      const trie_node& node = r_.nodes[n];
      if (path.size() - pos < node.label_len ||
          path.compare(pos, node.label_len, r_.labels, node.label_off, node.label_len) != 0) {
        return;
      }
      pos += node.label_len;
      if (node.list_len != 0) add_list({&r_.entries[node.list_off], node.list_len});
      if (pos == path.size() || node.child_count == 0) return;
      const unsigned char* first = &r_.child_bytes[node.child_off];
      const unsigned char* last = first + node.child_count;
      const unsigned char* it = std::lower_bound(first, last, static_cast<unsigned char>(path[pos]));
      if (it == last || *it != static_cast<unsigned char>(path[pos])) return;
      n = r_.child_nodes[node.child_off + static_cast<uint32_t>(it - first)];
    }
  }

  void try_list(list_ref l) {
    for (uint32_t i = 0; i < l.len; ++i) {
      const entry& e = l.items[i];
      if (best != nullptr && !(e.key > best->key)) return;  // sorted: nothing better follows
      if (accept(e)) {
        best = &e;
        return;
      }
    }
  }

  bool method_ok(const matcher& m) const {
    if (m.methods == 0 && m.other_methods.empty()) return true;
    if (f_.method_bit != 0) return (m.methods & f_.method_bit) != 0;
    return std::find(m.other_methods.begin(), m.other_methods.end(), in_.method) !=
           m.other_methods.end();
  }

  // transform.lua: "(net.protocol != https || tls.sni == ...)": SNIs only bind https.
  bool sni_ok(const matcher& m) const {
    if (m.snis.empty() || !f_.https) return true;
    return std::any_of(m.snis.begin(), m.snis.end(),
                       [&](const std::string& s) { return iequals(f_.sni, s); });
  }

  struct header_ctx {
    const header_rule* rule;
    match_scratch* scratch;
  };
  static bool value_matches(const void* ctx, std::string_view value) {
    const auto* c = static_cast<const header_ctx*>(ctx);
    for (const header_value& v : c->rule->values) {
      if (v.regex != nullptr ? v.regex->match(value, *c->scratch, nullptr) : iequals(value, v.lower)) {
        return true;
      }
    }
    return false;
  }

  bool headers_ok(const matcher& m) const {
    if (m.headers.empty()) return true;
    if (in_.headers == nullptr) return false;
    for (const header_rule& rule : m.headers) {
      const header_ctx ctx{&rule, &scratch_};
      if (!in_.headers->any_value(rule.name, &value_matches, &ctx)) return false;
    }
    return true;
  }

  bool accept(const entry& e) {
    if (e.port != 0 && e.port != f_.port) return false;
    if (e.checks != 0) {
      const matcher& m = r_.matchers[e.matcher];
      if (!method_ok(m) || !sni_ok(m) || !headers_ok(m)) return false;
    }
    if ((e.checks & c_regex) == 0) {  // the trie walk already compared any prefix
      matched = e.path_slot == k_no_path ? std::string_view{} : in_.path.substr(0, e.prefix_len);
      caps.count = 0;
      caps.names = nullptr;
      return true;
    }
    const matcher& m = r_.matchers[e.matcher];
    if (!m.regexes[e.path_slot]->match(in_.path, scratch_, &caps)) return false;
    matched = caps.group[0];
    return true;
  }

  const compiled_router& r_;
  const match_input& in_;
  match_scratch& scratch_;
  const request_facts& f_;
  std::array<list_ref, 64> lists_;
  size_t nlists_ = 0;
};

void visit_hosts(const compiled_router& r, std::string_view host, search& s) {
  if (host.empty()) return;
  if (const uint32_t b = r.exact_hosts.find(host); b != host_table::k_absent) s.visit_bucket(b);
  if (r.suffix_lengths.none() && r.prefix_lengths.none()) return;
  for (size_t i = 0; i < host.size(); ++i) {
    if (host[i] != '.') continue;
    // "*.x.com" is keyed ".x.com": the suffix from this dot; "x.*" is keyed "x.": up to it.
    const size_t suffix_len = host.size() - i;
    if (r.suffix_lengths.test(suffix_len)) {
      if (const uint32_t b = r.suffix_hosts.find(host.substr(i)); b != host_table::k_absent) {
        s.visit_bucket(b);
      }
    }
    if (i + 1 < r.prefix_lengths.size() && r.prefix_lengths.test(i + 1)) {
      if (const uint32_t b = r.prefix_hosts.find(host.substr(0, i + 1)); b != host_table::k_absent) {
        s.visit_bucket(b);
      }
    }
  }
}

}  // namespace

match_status compiled_router::match(const match_input& in, match_scratch& scratch,
                                    std::span<char> out, match_result& result) const noexcept {
  request_facts facts;
  prepare(in, facts);
  // Every field is set here; capture groups past uri_captures.count are left as they were.
  result.route = nullptr;
  result.service = nullptr;
  result.redirect_status = 0;
  result.upstream_target = {};
  result.upstream_host = {};
  result.uri_captures.count = 0;
  result.uri_captures.names = nullptr;
  search s(*this, in, scratch, facts, result.uri_captures);
  visit_hosts(*this, facts.host, s);
  if (any_host != k_none) s.visit_bucket(any_host);
  s.finish();
  result.matched_path = s.matched;
  if (s.best == nullptr) {
    scratch.counters.add(counter::router_no_route);
    return match_status::no_route;
  }
  const matcher& m = matchers[s.best->matcher];
  const route_info& rt = *m.route;
  result.route = &rt;
  result.service = rt.service;
  // handler.lua: a route that allows https but not http answers plain requests itself.
  if (rt.allows(mgmt::protocol_type::https) && !rt.allows(mgmt::protocol_type::http) &&
      !facts.https) {
    result.redirect_status = rt.https_redirect_status_code;
    scratch.counters.add(counter::router_https_required);
    return match_status::https_required;
  }
  path_join join;
  join.service_path = rt.service != nullptr ? std::string_view(rt.service->path) : "/";
  join.request_path = in.path;
  join.matched = s.matched;
  join.strip_path = rt.strip_path;
  join.handling = ignore_v1 ? mgmt::path_handling_type::v0 : rt.path_handling;
  const auto len = write_upstream_path(join, out);
  ravelin::detail::text_writer query(len ? out.subspan(*len) : std::span<char>{});
  query.put(in.query);
  if (!len || query.overflow()) {
    scratch.counters.add(counter::router_target_too_long);
    return match_status::target_too_long;
  }
  result.upstream_target = std::string_view(out.data(), *len + query.size());
  if (rt.preserve_host) {
    result.upstream_host = in.host;
  } else if (rt.service != nullptr && !rt.service->upstream) {
    result.upstream_host = rt.service->host_header;
  }
  scratch.counters.add(counter::router_matched);
  return match_status::matched;
}

}  // namespace ravelin::router::detail

namespace ravelin::router {

std::string_view https_location(std::string_view host, std::string_view request_target,
                                std::span<char> out) noexcept {
  std::string_view name;
  uint16_t port = 0;
  detail::split_host(host, name, port);
  ravelin::detail::text_writer w(out);
  w.put("https://");
  if (host.starts_with('[')) w.put('[');
  w.put(name);
  if (host.starts_with('[')) w.put(']');
  w.put(request_target);
  return w.overflow() ? std::string_view{} : w.view();
}

}  // namespace ravelin::router
