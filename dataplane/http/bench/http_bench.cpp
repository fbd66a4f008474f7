// ns per request through the HTTP parser, for the messages a gateway sees most, beside a
// floor that only splits lines (no validation, no framing). Built twice: http_bench (SSE2
// scanner) and http_bench_scalar (byte-at-a-time), to show what the SIMD scan buys.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "ravelin/http/parser.h"

namespace {

namespace http = ravelin::http;

// What a browser sends for a page (~470 bytes, 10 fields).
constexpr std::string_view k_browser_get =
    "GET /api/v1/orders/12345?expand=items&currency=EUR HTTP/1.1\r\n"
    "Host: shop.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://shop.example.com/orders\r\n"
    "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark\r\n"
    "Connection: keep-alive\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Cache-Control: max-age=0\r\n"
    "\r\n";

// What wrk and curl send (~60 bytes).
constexpr std::string_view k_small_get =
    "GET / HTTP/1.1\r\nHost: 198.18.0.1:8080\r\nAccept: */*\r\n\r\n";

constexpr std::string_view k_chunked_response =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    "Date: Mon, 27 Nov 2023 10:00:00 GMT\r\nServer: origin\r\n\r\n"
    "10\r\n{\"items\":[1,2,3]\r\n8;ext=1\r\n,\"x\":42}\r\n0\r\nX-Checksum: abc\r\n\r\n";

struct connection {
  std::vector<http::header_field> table = std::vector<http::header_field>(64);
  std::vector<char> scratch = std::vector<char>(16384);
  http::parser parser;
  explicit connection(http::role r) : parser(r, http::limits{}, table, scratch) {}
};

// Feeds each segment to completion; returns how many messages ended.
int drive(http::parser& p, const std::vector<std::string_view>& segments) {
  int done = 0;
  for (std::string_view seg : segments) {
    for (;;) {
      const http::feed_result r = p.feed(seg);
      seg.remove_prefix(r.consumed);
      if (r.what == http::event::done) {
        ++done;
        p.expect_response(http::method::get, false);
      }
      if (r.what == http::event::head) benchmark::DoNotOptimize(p.head().fields.size());
      if (r.what == http::event::body) benchmark::DoNotOptimize(r.data.data());
      if (r.what == http::event::need_more) break;
      if (r.what == http::event::error) std::abort();
    }
  }
  return done;
}

void run(benchmark::State& state, http::role role, const std::vector<std::string_view>& segs,
         int messages_per_round) {
  connection c(role);
  c.parser.expect_response(http::method::get, false);
  for (auto _ : state) {
    benchmark::DoNotOptimize(drive(c.parser, segs));
  }
  state.SetItemsProcessed(state.iterations() * messages_per_round);
}

void bm_browser_get(benchmark::State& s) { run(s, http::role::request, {k_browser_get}, 1); }
void bm_small_get(benchmark::State& s) { run(s, http::role::request, {k_small_get}, 1); }

// The browser request cut into three segments mid-field: two lines are stitched.
void bm_browser_get_3_segments(benchmark::State& s) {
  run(s, http::role::request,
      {k_browser_get.substr(0, 150), k_browser_get.substr(150, 170), k_browser_get.substr(320)}, 1);
}

void bm_pipelined_small_gets(benchmark::State& s) {
  static const std::string batch = [] {
    std::string b;
    for (int i = 0; i < 16; ++i) b += k_small_get;
    return b;
  }();
  run(s, http::role::request, {batch}, 16);
}

void bm_chunked_response(benchmark::State& s) {
  run(s, http::role::response, {k_chunked_response}, 1);
}

// The floor: find each line and its colon with memchr, check nothing.
void bm_floor_line_split(benchmark::State& state) {
  for (auto _ : state) {
    const char* p = k_browser_get.data();
    const char* end = p + k_browser_get.size();
    std::size_t fields = 0;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (nl == p + 1) break;
      fields += std::memchr(p, ':', nl - p) != nullptr;
      p = nl + 1;
    }
    benchmark::DoNotOptimize(fields);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(bm_browser_get);
BENCHMARK(bm_small_get);
BENCHMARK(bm_browser_get_3_segments);
BENCHMARK(bm_pipelined_small_gets);
BENCHMARK(bm_chunked_response);
BENCHMARK(bm_floor_line_split);

}  // namespace

BENCHMARK_MAIN();
