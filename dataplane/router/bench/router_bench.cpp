// ns per router match with 10 and 10,000 routes (issue P3), mixing exact hosts, wildcard
// hosts, plain prefixes, regex paths and header routes; plus balancer picks for scale.
// Run by hand: build/<dir>/dataplane/router/router_bench
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "ravelin/balancer/balancer.h"
#include "ravelin/router/router.h"

namespace {

using namespace ravelin;

struct field {
  std::string_view name;
  std::string_view value;
};

struct request {
  std::string method = "GET";
  std::string host;
  std::string path;
  std::vector<field> headers;
};

// Route i gets one of five shapes; requests aimed at route i reach it (or a better one).
mgmt::kong_config make_config(int routes) {
  mgmt::kong_config k;
  for (int s = 0; s < 10; ++s) {
    k.services.push_back(mgmt::service{.name = "svc" + std::to_string(s),
                                       .host = "origin" + std::to_string(s) + ".test",
                                       .path = "/base"});
  }
  for (int i = 0; i < routes; ++i) {
    mgmt::route r;
    r.name = "r" + std::to_string(i);
    r.service.index = static_cast<size_t>(i % 10);
    const std::string n = std::to_string(i);
    switch (i % 5) {
      case 0:
        r.hosts = {"api" + n + ".example.com"};
        r.paths = {"/v1/users", "/v2/users"};
        break;
      case 1:
        r.paths = {"/p" + n + "/items"};
        break;
      case 2:
        r.hosts = {"*.tenant" + n + ".example.com"};
        r.paths = {"/app"};
        break;
      case 3:
        r.paths = {"~/orders/" + n + "/(?<id>\\d+)$"};
        break;
      case 4:
        r.paths = {"/h" + n};
        r.methods = {"GET", "POST"};
        r.headers.push_back({"x-version", {"v1", "v2"}});
        break;
    }
    k.routes.push_back(std::move(r));
  }
  return k;
}

request request_for(int i) {
  request rq;
  const std::string n = std::to_string(i);
  switch (i % 5) {
    case 0:
      rq.host = "api" + n + ".example.com";
      rq.path = "/v2/users/17";
      break;
    case 1:
      rq.host = "www.example.com";
      rq.path = "/p" + n + "/items/42";
      break;
    case 2:
      rq.host = "eu.tenant" + n + ".example.com";
      rq.path = "/app/dashboard";
      break;
    case 3:
      rq.host = "www.example.com";
      rq.path = "/orders/" + n + "/12345";
      break;
    case 4:
      rq.host = "www.example.com";
      rq.path = "/h" + n + "/x";
      rq.headers = {{"Accept", "*/*"}, {"X-Version", "v2"}};
      break;
  }
  return rq;
}

bool rt_match(const router::router& r, const router::match_input& in, router::match_scratch& s,
              char (&buf)[512], router::match_result& res) {
  const auto st = r.match(in, s, buf, res);
  benchmark::DoNotOptimize(res);
  return st == router::match_status::matched;
}

void run_matches(benchmark::State& state, int routes, int shape) {
  const auto built = router::router::build(make_config(routes));
  if (!built.ok()) {
    state.SkipWithError("build failed");
    return;
  }
  std::vector<request> reqs;
  std::mt19937 rng(7);
  for (int i = 0; i < 1024; ++i) {
    int target = std::uniform_int_distribution<int>(0, routes - 1)(rng);
    if (shape >= 0) target = target - target % 5 + shape;
    reqs.push_back(request_for(target < routes ? target : shape));
  }
  router::match_scratch scratch;
  char buf[512];
  size_t i = 0;
  size_t matched = 0;
  for (auto _ : state) {
    const request& rq = reqs[i++ & 1023];
    router::field_list_source<field> headers(rq.headers);
    router::match_input in;
    in.method = rq.method;
    in.host = rq.host;
    in.path = rq.path;
    in.headers = &headers;
    router::match_result res;
    matched += rt_match(*built.router, in, scratch, buf, res);
  }
  state.counters["matched_pct"] = 100.0 * static_cast<double>(matched) /
                                  static_cast<double>(state.iterations());
}

}  // namespace

static void BM_match_mixed(benchmark::State& state) {
  run_matches(state, static_cast<int>(state.range(0)), -1);
}
BENCHMARK(BM_match_mixed)->Arg(10)->Arg(10000);

static void BM_match_shape(benchmark::State& state) {
  run_matches(state, static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
}
// shape: 0 exact host + prefix, 1 prefix only, 2 wildcard host, 3 regex, 4 headers + methods
BENCHMARK(BM_match_shape)->ArgsProduct({{10, 10000}, {0, 1, 2, 3, 4}});

static void BM_match_miss(benchmark::State& state) {
  const auto built = ravelin::router::router::build(make_config(static_cast<int>(state.range(0))));
  ravelin::router::match_scratch scratch;
  char buf[512];
  ravelin::router::match_input in;
  in.method = "GET";
  in.host = "nowhere.example.org";
  in.path = "/orders/x/unknown";
  for (auto _ : state) {
    ravelin::router::match_result res;
    benchmark::DoNotOptimize(built.router->match(in, scratch, buf, res));
  }
}
BENCHMARK(BM_match_miss)->Arg(10)->Arg(10000);

static void BM_pick(benchmark::State& state) {
  using namespace ravelin;
  mgmt::kong_config k;
  mgmt::upstream u;
  u.name = "pool";
  u.algorithm = static_cast<mgmt::lb_algorithm>(state.range(0));
  k.upstreams.push_back(u);
  for (int t = 0; t < 8; ++t) {
    mgmt::target tg;
    tg.upstream.index = 0;
    tg.host = "10.0.0." + std::to_string(t + 1);
    tg.port = 80;
    tg.target = tg.host + ":80";
    tg.weight = static_cast<uint16_t>(10 * (t + 1));
    k.targets.push_back(tg);
  }
  balancer::balancer b;
  b.rebind(balancer::balancer_config::build(k), 0);
  uint64_t now = 0;
  for (auto _ : state) {
    balancer::request_state rs;
    rs.hash = static_cast<uint32_t>(now * 2654435761u);
    rs.hashed = true;
    balancer::peer p;
    benchmark::DoNotOptimize(b.pick(0, nullptr, rs, p, now));
    b.finish(p, 100, now);
    ++now;
  }
}
// 0 round-robin, 1 consistent-hashing, 2 least-connections, 3 latency; 8 targets
BENCHMARK(BM_pick)->DenseRange(0, 3);

BENCHMARK_MAIN();
