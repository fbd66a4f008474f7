// After warm-up a transaction allocates nothing (DESIGN.md: "No allocation and no exceptions
// on the hot path"): global operator new is counted around a second pass over the same mix of
// requests, on the PCRE2 path and the Hyperscan path.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "crs_rules.h"
#include "ravelin/waf/engine.h"

namespace {
std::atomic<size_t> g_allocs{0};
}  // namespace

void* operator new(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace ravelin::waf {
namespace {

struct req_case {
  std::vector<http_header> headers;
  http_request req;
};

std::vector<req_case> mix() {
  static const std::string json = R"({"user":{"name":"bob","tags":["a","b",{"x":1}]},"n":-1.5e3,"ok":true,"z":null})";
  static const std::string form = "user=alice&pass=secret+word&x=%3Cb%3E";
  static const std::string mp =
      "--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n";
  static const std::string xml = "<?xml version=\"1.0\"?><a x=\"1\"><b>text &amp; more</b></a>";
  std::vector<req_case> out(6);
  auto base = [](req_case& c, const char* method, const char* uri) {
    c.headers = {{"Host", "example.com"}, {"User-Agent", "Mozilla/5.0 (X11; Linux x86_64)"},
                 {"Accept", "*/*"}, {"Cookie", "a=1; b=2"}};
    c.req.method = method;
    c.req.uri = uri;
    c.req.protocol = "HTTP/1.1";
    c.req.remote_addr = "198.18.0.2";
  };
  base(out[0], "GET", "/a/b.php?x=1&y=hello%20world&z=%u0041");
  base(out[1], "GET", "/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--&x=%3Cscript%3Ealert(1)%3C/script%3E");
  base(out[2], "POST", "/api");
  out[2].headers.push_back({"Content-Type", "application/json"});
  out[2].req.body = json;
  base(out[3], "POST", "/login");
  out[3].headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  out[3].req.body = form;
  base(out[4], "POST", "/upload");
  out[4].headers.push_back({"Content-Type", "multipart/form-data; boundary=XyZ"});
  out[4].req.body = mp;
  base(out[5], "POST", "/soap");
  out[5].headers.push_back({"Content-Type", "text/xml"});
  out[5].req.body = xml;
  for (auto& c : out) c.req.headers = c.headers;
  return out;
}

void expect_no_allocation(bool hyperscan) {
  auto rs = test::load_crs(test::paranoia(4));
  ASSERT_TRUE(rs);
  waf_engine engine(rs, engine_options{hyperscan});
  transaction tx(engine);
  auto cases = mix();
  http_response resp;
  auto pass = [&] {
    for (auto& c : cases) {
      tx.process_request(c.req, "warm-up-id");
      tx.process_response(resp);
      tx.process_logging();
      // The streaming form, the body in 3 segments (joined in the transaction's buffer).
      tx.process_request_headers(c.req, "streamed-id");
      const std::string_view body = c.req.body;
      const size_t third = body.size() / 3 + 1;
      for (size_t i = 0; i < body.size(); i += third) tx.append_request_body(body.substr(i, third));
      tx.process_request_body();
    }
  };
  for (int i = 0; i < 3; ++i) pass();
  const size_t before = g_allocs.load();
  for (int i = 0; i < 5; ++i) pass();
  EXPECT_EQ(g_allocs.load() - before, 0u);
  EXPECT_GT(tx.counters().requests, 0u);
}

TEST(no_alloc, pcre2_path) { expect_no_allocation(false); }
TEST(no_alloc, hyperscan_path) { expect_no_allocation(true); }

}  // namespace
}  // namespace ravelin::waf
