// Differential test: the indexed router against a direct reading of Kong's rules — every
// route tried, priorities computed from transform.lua's formula — on random configs.
#include <algorithm>
#include <map>
#include <optional>
#include <random>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "router_test_util.h"

namespace ravelin::router::test {
namespace {

struct ref_candidate {
  std::array<int64_t, 6> key{};  // weight, plain host, header count, regex, regex_priority, max len
  int64_t route = 0;
  int64_t slot = 0;
};

bool better(const ref_candidate& a, const ref_candidate& b) {
  if (a.key != b.key) return a.key > b.key;
  if (a.route != b.route) return a.route < b.route;
  return a.slot < b.slot;
}

// The path regex straight through PCRE2, anchored at the start as Kong's "^" prefix does.
bool regex_prefix_match(const std::string& pattern, const std::string& subject) {
  int err = 0;
  PCRE2_SIZE off = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 PCRE2_ANCHORED, &err, &off, nullptr);
  if (re == nullptr) return false;
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(re, nullptr);
  const int rc = pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                             0, md, nullptr);
  pcre2_match_data_free(md);
  pcre2_code_free(re);
  return rc >= 0;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool host_ok(const std::string& pattern, const std::string& host, uint16_t port) {
  std::string name = pattern;
  uint16_t want = 0;
  if (const size_t c = pattern.find(':'); c != std::string::npos) {
    name = pattern.substr(0, c);
    want = static_cast<uint16_t>(std::stoi(pattern.substr(c + 1)));
  }
  if (want != 0 && want != port) return false;
  if (name.front() == '*') return host.size() >= name.size() - 1 && host.ends_with(name.substr(1));
  if (name.back() == '*') return host.starts_with(name.substr(0, name.size() - 1));
  return host == name;
}

// Kong's semantics, one route at a time: returns the winning route's name or "".
std::string reference(const mgmt::kong_config& k, const request& rq) {
  std::optional<ref_candidate> best;
  std::string host = lower(rq.host.substr(0, rq.host.find(':')));
  uint16_t port = rq.port;
  for (size_t ri = 0; ri < k.routes.size(); ++ri) {
    const mgmt::route& rt = k.routes[ri];
    if (!rt.methods.empty() &&
        std::find(rt.methods.begin(), rt.methods.end(), rq.method) == rt.methods.end()) {
      continue;
    }
    if (!rt.hosts.empty() && std::none_of(rt.hosts.begin(), rt.hosts.end(), [&](auto& h) {
          return host_ok(h, host, port);
        })) {
      continue;
    }
    bool headers_ok = true;
    for (const auto& h : rt.headers) {
      bool any = false;
      for (const auto& [n, v] : rq.headers) {
        if (lower(n) != h.name) continue;
        for (const auto& want : h.values) any |= lower(v) == lower(want);
      }
      headers_ok &= any;
    }
    if (!headers_ok) continue;
    const bool plain = !rt.hosts.empty() && std::none_of(rt.hosts.begin(), rt.hosts.end(), [](auto& h) {
      return h.find('*') != std::string::npos;
    });
    const int64_t weight = !rt.methods.empty() + !rt.hosts.empty() + !rt.headers.empty() + !rt.paths.empty();
    auto consider = [&](bool regex, int64_t len, int64_t slot) {
      ref_candidate c;
      c.key = {weight, plain, static_cast<int64_t>(rt.headers.size()), regex,
               regex ? rt.regex_priority : 0, regex ? 0 : len};
      c.route = static_cast<int64_t>(ri);
      c.slot = slot;
      if (!best || better(c, *best)) best = c;
    };
    if (rt.paths.empty()) consider(false, 0, 0);
    // Slot numbers follow the order of paths within each split matcher.
    std::map<int64_t, int64_t> next_slot;
    for (const std::string& p : rt.paths) {
      const bool regex = p.front() == '~';
      const int64_t group = regex ? -1 : static_cast<int64_t>(p.size());
      const int64_t slot = next_slot[group]++;
      const std::string& path = rq.path;
      if (regex) {
        if (regex_prefix_match(p.substr(1), path)) {
          consider(true, 0, slot);
        }
      } else if (path.starts_with(p)) {
        consider(false, static_cast<int64_t>(p.size()), slot);
      }
    }
  }
  return best ? k.routes[best->route].name : "";
}

template <typename T>
const T& any_of(std::mt19937& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

mgmt::kong_config random_config(std::mt19937& rng, int routes) {
  static const std::vector<std::string> hosts = {"a.test", "b.test", "*.test", "a.*",
                                                 "x.a.test", "a.test:81", "*.a.test"};
  static const std::vector<std::string> paths = {"/",     "/a",     "/ab",      "/a/b",  "/abc",
                                                 "/b",    "~/a\\d", "~/a/\\d+", "~/b.*x", "~/(a|b)c"};
  static const std::vector<std::string> methods = {"GET", "POST", "PURGE"};
  mgmt::kong_config k;
  k.services.push_back(mgmt::service{.name = "s", .host = "origin.test"});
  std::bernoulli_distribution coin(0.4);
  for (int i = 0; i < routes; ++i) {
    mgmt::route rt;
    rt.name = "r" + std::to_string(i);
    rt.service.index = 0;
    rt.regex_priority = std::uniform_int_distribution<int>(0, 2)(rng);
    if (coin(rng)) rt.methods = {any_of(rng, methods)};
    if (coin(rng)) rt.hosts = {any_of(rng, hosts)};
    if (coin(rng)) rt.hosts.push_back(any_of(rng, hosts));
    if (coin(rng)) rt.headers.push_back({"x-a", {coin(rng) ? "1" : "2"}});
    if (coin(rng)) rt.headers.push_back({"x-b", {"1", "3"}});
    const int npaths = std::uniform_int_distribution<int>(0, 3)(rng);
    for (int p = 0; p < npaths; ++p) rt.paths.push_back(any_of(rng, paths));
    if (rt.methods.empty() && rt.hosts.empty() && rt.headers.empty() && rt.paths.empty()) {
      rt.paths.push_back("/");
    }
    k.routes.push_back(std::move(rt));
  }
  return k;
}

request random_request(std::mt19937& rng) {
  static const std::vector<std::string> hosts = {"a.test", "A.test", "b.test", "x.a.test",
                                                 "y.x.a.test", "a.org", "c.test", "", "a.test:81"};
  static const std::vector<std::string> paths = {"/", "/a", "/ab", "/a1", "/a/12", "/abc/d",
                                                 "/b", "/bzx", "/c", "/ac", "/bc/x"};
  static const std::vector<uint16_t> ports = {0, 80, 81};
  std::bernoulli_distribution coin(0.5);
  request rq;
  rq.method = coin(rng) ? "GET" : (coin(rng) ? "POST" : "PURGE");
  rq.host = any_of(rng, hosts);
  rq.port = any_of(rng, ports);
  rq.path = any_of(rng, paths);
  if (coin(rng)) rq.headers.push_back({"X-A", coin(rng) ? "1" : "2"});
  if (coin(rng)) rq.headers.push_back({"x-b", coin(rng) ? "3" : "4"});
  return rq;
}

TEST(RouterReference, IndexedRouterAgreesWithKongRules) {
  std::mt19937 rng(20240611);
  int compared = 0;
  for (int round = 0; round < 150; ++round) {
    const mgmt::kong_config k = random_config(rng, 1 + round % 40);
    build_result b = router::build(k);
    ASSERT_TRUE(b.ok()) << (b.errors.empty() ? "" : b.errors[0]);
    fixture f("");
    f.r = b.router;
    for (int i = 0; i < 100; ++i) {
      request rq = random_request(rng);
      if (rq.port == 0 && rq.host.find(':') != std::string::npos) rq.port = 81;
      ASSERT_EQ(route_of(f, rq), reference(k, rq))
          << "round " << round << " host=" << rq.host << " port=" << rq.port << " path=" << rq.path
          << " method=" << rq.method;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 15000);
}

}  // namespace
}  // namespace ravelin::router::test
