// Router build: Kong services and routes (kong.md §1.2, §1.3) into matchers with Kong's
// traditional_compatible priorities (§2.3), indexed by host and path.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "internal/compiled.h"

namespace ravelin::router {
namespace detail {
namespace {

using mgmt::protocol_type;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_stream(protocol_type p) {
  return p == protocol_type::tcp || p == protocol_type::tls || p == protocol_type::udp ||
         p == protocol_type::tls_passthrough;
}

// Kong's balancer set_host_header: the port is shown unless it is the scheme's default.
std::string host_header(const mgmt::service& s) {
  std::string h = s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host;
  const bool plain = s.protocol == protocol_type::http || s.protocol == protocol_type::grpc;
  const bool tls = s.protocol == protocol_type::https || s.protocol == protocol_type::grpcs;
  if (!((s.port == 80 && plain) || (s.port == 443 && tls))) h += ":" + std::to_string(s.port);
  return h;
}

void compile_services(const mgmt::kong_config& k, compiled_router& r) {
  std::unordered_map<std::string_view, uint32_t> upstreams;  // by name
  for (size_t u = 0; u < k.upstreams.size(); ++u) {
    upstreams.emplace(k.upstreams[u].name, static_cast<uint32_t>(u));
  }
  r.services.reserve(k.services.size());
  for (size_t i = 0; i < k.services.size(); ++i) {
    const mgmt::service& s = k.services[i];
    service_info& out = r.services.emplace_back();
    out.index = static_cast<uint32_t>(i);
    out.id = s.id;
    out.name = s.name;
    out.protocol = s.protocol;
    out.host = s.host;
    out.port = s.port;
    out.path = s.path.value_or("/");
    out.retries = s.retries;
    out.connect_timeout = s.connect_timeout;
    out.write_timeout = s.write_timeout;
    out.read_timeout = s.read_timeout;
    if (auto it = upstreams.find(s.host); it != upstreams.end()) out.upstream = it->second;
    out.host_header = host_header(s);
  }
}

// One route host: exact name, "*.suffix" or "prefix.*", with an optional port.
struct host_pattern {
  enum class kind : uint8_t { exact, suffix, prefix } type = kind::exact;
  std::string key;
  uint16_t port = 0;
};

host_pattern parse_host(std::string_view h) {
  host_pattern out;
  std::string_view name = h;
  if (h.starts_with('[')) {  // "[v6]" or "[v6]:port"
    const size_t close = h.find(']');
    name = h.substr(1, close == std::string_view::npos ? h.size() - 1 : close - 1);
    if (close != std::string_view::npos && h.substr(close + 1).starts_with(':')) {
      const std::string_view p = h.substr(close + 2);
      std::from_chars(p.data(), p.data() + p.size(), out.port);
    }
  } else if (const size_t colon = h.find(':'); colon != std::string_view::npos &&
                                               h.find(':', colon + 1) == std::string_view::npos) {
    const std::string_view p = h.substr(colon + 1);
    std::from_chars(p.data(), p.data() + p.size(), out.port);
    name = h.substr(0, colon);
  }
  if (name.starts_with('*')) {
    out.type = host_pattern::kind::suffix;  // "*.x.com" matches names ending in ".x.com"
    name.remove_prefix(1);
  } else if (name.ends_with('*')) {
    out.type = host_pattern::kind::prefix;  // "x.*" matches names starting with "x."
    name.remove_suffix(1);
  }
  out.key = lower(name);
  return out;
}

std::string where(const mgmt::route& rt, size_t index) {
  std::string w = "line " + std::to_string(rt.mark.line) + ": route ";
  w += rt.name.empty() ? "#" + std::to_string(index) : "\"" + rt.name + "\"";
  return w;
}

// The state of one build: pending trie keys and path-less entries per bucket.
struct builder {
  compiled_router& r;
  std::vector<std::string>& errors;
  std::vector<std::vector<keyed_entry>> pending_trie;
  std::vector<std::vector<entry>> pending_nopath;
  bucket_map exact_hosts, suffix_hosts, prefix_hosts;  // frozen into host_tables at the end

  uint32_t bucket_for(bucket_map& map, const std::string& key) {
    auto [it, added] = map.try_emplace(key, static_cast<uint32_t>(r.buckets.size()));
    if (added) new_bucket();
    return it->second;
  }
  uint32_t new_bucket() {
    r.buckets.emplace_back();
    pending_trie.emplace_back();
    pending_nopath.emplace_back();
    return static_cast<uint32_t>(r.buckets.size() - 1);
  }
  const route_regex* regex(std::string_view pattern, route_regex::kind k, const std::string& at) {
    std::string err;
    auto re = route_regex::compile(pattern, k, err);
    if (!re) {
      errors.push_back(at + ": \"" + std::string(pattern) + "\": " + err);
      return nullptr;
    }
    r.regexes.push_back(std::move(re));
    return r.regexes.back().get();
  }
};

// Everything of a route except its paths; shared by the matchers Kong splits it into.
matcher common_part(builder& b, const mgmt::route& rt, const route_info& info,
                    const std::string& at) {
  matcher m;
  m.route = &info;
  for (const std::string& meth : rt.methods) {
    const uint16_t bit = method_to_bit(meth);
    if (bit != 0) {
      m.methods |= bit;
    } else {
      m.other_methods.push_back(meth);
    }
  }
  for (const mgmt::route_header& h : rt.headers) {
    header_rule& rule = m.headers.emplace_back();
    rule.name = lower(h.name);
    for (const std::string& v : h.values) {
      header_value& hv = rule.values.emplace_back();
      if (v.starts_with("~*")) {  // transform.lua: a value starting "~*" is a regex
        hv.regex = b.regex(std::string_view(v).substr(2), route_regex::kind::header, at);
      } else {
        hv.lower = lower(v);
      }
    }
  }
  for (const std::string& s : rt.snis) {
    std::string name = lower(s);
    if (name.size() > 1 && name.back() == '.') name.pop_back();  // sni_val_transform
    m.snis.push_back(std::move(name));
  }
  return m;
}

void set_priority(matcher& m, const mgmt::route& rt, size_t route_index) {
  const bool plain_hosts_only =
      !rt.hosts.empty() && std::none_of(rt.hosts.begin(), rt.hosts.end(), [](const auto& h) {
        return h.find('*') != std::string::npos;
      });
  const uint64_t weight = !rt.methods.empty() + !rt.hosts.empty() + !rt.headers.empty() +
                          !rt.snis.empty() + !(m.prefixes.empty() && m.regexes.empty());
  const uint64_t header_count = std::min<uint64_t>(rt.headers.size(), 255);
  size_t max_len = 0;
  for (const auto& p : m.prefixes) max_len = std::max(max_len, p.size());
  m.base.hi = weight << 61 | uint64_t{plain_hosts_only} << 60 | header_count << 52 |
              uint64_t{m.regex_paths} << 51;
  const int64_t regex_priority = m.regex_paths ? rt.regex_priority : 0;
  m.base.mid = static_cast<uint64_t>(regex_priority) ^ (uint64_t{1} << 63);
  m.base.lo = std::min<uint64_t>(max_len, (uint64_t{1} << 24) - 1) << 40 |
              (uint64_t{0xFFFFFFFF} - route_index) << 8;
}

// Kong splits a route with paths into one matcher for all its regex paths and one per
// distinct prefix length (split_routes_and_services_by_path).
std::vector<matcher> split_by_path(builder& b, const mgmt::route& rt, const matcher& common,
                                   const std::string& at) {
  std::vector<matcher> out;
  auto group_for = [&](bool regex, size_t len) -> matcher& {
    for (matcher& m : out) {
      if (m.regex_paths == regex && (regex || m.prefixes.front().size() == len)) return m;
    }
    matcher& m = out.emplace_back(common);
    m.regex_paths = regex;
    return m;
  };
  for (const std::string& p : rt.paths) {
    if (p.starts_with('~')) {
      group_for(true, 0).regexes.push_back(
          b.regex(std::string_view(p).substr(1), route_regex::kind::path, at));
    } else {
      group_for(false, p.size()).prefixes.push_back(p);
    }
  }
  if (out.empty()) out.push_back(common);
  return out;
}

void index_matcher(builder& b, const mgmt::route& rt, uint32_t matcher_index) {
  const matcher& m = b.r.matchers[matcher_index];
  const size_t slots = m.regex_paths ? m.regexes.size() : m.prefixes.size();
  const uint8_t checks = static_cast<uint8_t>(
      (m.methods != 0 || !m.other_methods.empty() ? c_methods : 0) | (m.snis.empty() ? 0 : c_snis) |
      (m.headers.empty() ? 0 : c_headers) | (m.regex_paths ? c_regex : 0));
  auto add = [&](uint32_t bucket, uint16_t port) {
    if (slots == 0) {
      b.pending_nopath[bucket].push_back({m.base, matcher_index, port, k_no_path, checks, 0});
      return;
    }
    for (size_t s = 0; s < slots; ++s) {
      entry e{m.base, matcher_index, port, static_cast<uint8_t>(s), checks,
              m.regex_paths ? 0 : static_cast<uint32_t>(m.prefixes[s].size())};
      e.key.lo |= 0xFF - s;  // earlier paths of the same route first
      std::string key = m.regex_paths ? literal_prefix(m.regexes[s] ? m.regexes[s]->pattern().substr(1)
                                                                     : std::string())
                                      : m.prefixes[s];
      b.pending_trie[bucket].push_back({std::move(key), e});
    }
  };
  if (rt.hosts.empty()) {
    if (b.r.any_host == k_none) b.r.any_host = b.new_bucket();
    add(b.r.any_host, 0);
    return;
  }
  for (const std::string& h : rt.hosts) {
    const host_pattern hp = parse_host(h);
    bucket_map& map = hp.type == host_pattern::kind::exact    ? b.exact_hosts
                      : hp.type == host_pattern::kind::suffix ? b.suffix_hosts
                                                              : b.prefix_hosts;
    add(b.bucket_for(map, hp.key), hp.port);
    if (hp.key.size() < b.r.suffix_lengths.size()) {
      if (hp.type == host_pattern::kind::suffix) b.r.suffix_lengths.set(hp.key.size());
      if (hp.type == host_pattern::kind::prefix) b.r.prefix_lengths.set(hp.key.size());
    }
  }
}

void compile_route(builder& b, const mgmt::kong_config& k, size_t i) {
  const mgmt::route& rt = k.routes[i];
  if (std::any_of(rt.protocols.begin(), rt.protocols.end(), is_stream)) return;
  const service_info* service = nullptr;
  if (rt.service.index) {
    if (!k.services[*rt.service.index].enabled) return;  // Kong leaves these out of the router
    service = &b.r.services[*rt.service.index];
  }
  route_info& info = b.r.routes.emplace_back();
  info.index = static_cast<uint32_t>(i);
  info.id = rt.id;
  info.name = rt.name;
  info.service = service;
  info.strip_path = rt.strip_path;
  info.preserve_host = rt.preserve_host;
  info.path_handling = rt.path_handling;
  info.https_redirect_status_code = rt.https_redirect_status_code;
  info.request_buffering = rt.request_buffering;
  info.response_buffering = rt.response_buffering;
  for (protocol_type p : rt.protocols) info.protocols |= uint8_t(1u << static_cast<int>(p));

  const std::string at = where(rt, i);
  if (rt.paths.size() > 254) {
    b.errors.push_back(at + ": more than 254 paths");
    return;
  }
  const matcher common = common_part(b, rt, info, at);
  for (matcher& m : split_by_path(b, rt, common, at)) {
    set_priority(m, rt, i);
    b.r.matchers.push_back(std::move(m));
    index_matcher(b, rt, static_cast<uint32_t>(b.r.matchers.size() - 1));
  }
}

void finish_buckets(builder& b) {
  b.r.exact_hosts.freeze(b.exact_hosts);
  b.r.suffix_hosts.freeze(b.suffix_hosts);
  b.r.prefix_hosts.freeze(b.prefix_hosts);
  for (size_t i = 0; i < b.r.buckets.size(); ++i) {
    b.r.buckets[i].trie_root = build_trie(b.r, b.pending_trie[i]);
    auto& nopath = b.pending_nopath[i];
    std::sort(nopath.begin(), nopath.end(),
              [](const entry& x, const entry& y) { return x.key > y.key; });
    b.r.buckets[i].nopath_off = static_cast<uint32_t>(b.r.entries.size());
    b.r.buckets[i].nopath_len = static_cast<uint32_t>(nopath.size());
    b.r.entries.insert(b.r.entries.end(), nopath.begin(), nopath.end());
  }
}

}  // namespace

uint16_t method_to_bit(std::string_view m) {
  static constexpr std::pair<std::string_view, uint16_t> k_methods[] = {
      {"GET", m_get},         {"HEAD", m_head},       {"POST", m_post},
      {"PUT", m_put},         {"DELETE", m_delete},   {"CONNECT", m_connect},
      {"OPTIONS", m_options}, {"TRACE", m_trace},     {"PATCH", m_patch}};
  for (const auto& [name, bit] : k_methods) {
    if (name == m) return bit;
  }
  return 0;
}

}  // namespace detail

build_result router::build(const mgmt::kong_config& config, const build_options& options) {
  auto r = std::make_unique<detail::compiled_router>();
  r->ignore_v1 = options.ignore_path_handling_v1;
  build_result out;
  detail::compile_services(config, *r);
  r->routes.reserve(config.routes.size());  // matchers keep pointers into it
  detail::builder b{*r, out.errors, {}, {}, {}, {}, {}};
  for (size_t i = 0; i < config.routes.size(); ++i) detail::compile_route(b, config, i);
  if (!out.errors.empty()) return out;
  detail::finish_buckets(b);
  out.router = std::shared_ptr<const router>(new router(std::move(r)));
  return out;
}

router::router(std::unique_ptr<detail::compiled_router> impl) : impl_(std::move(impl)) {}
router::~router() = default;

std::span<const route_info> router::routes() const { return impl_->routes; }
std::span<const service_info> router::services() const { return impl_->services; }
size_t router::matcher_count() const { return impl_->matchers.size(); }

match_status router::match(const match_input& in, match_scratch& scratch,
                           std::span<char> target_buffer, match_result& result) const noexcept {
  return impl_->match(in, scratch, target_buffer, result);
}

}  // namespace ravelin::router
