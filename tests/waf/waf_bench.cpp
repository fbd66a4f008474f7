// Measures the WAF on this machine: CRS load time, Hyperscan build time and statistics, and
// CPU time per request for a set of realistic requests on the PCRE2 reference path and the
// Hyperscan path. `waf_bench [iterations]`; prints one line per figure. A request is the whole
// transaction, as ModSecurity runs it in nginx and the proxy runs it: phases 1 and 2, the
// response head (a small JSON answer, body not inspected) in 3 and 4, and logging in 5.
// WAF_BENCH_REQUEST_ONLY=1 times phases 1 and 2 alone (figures before 2026-11-28).
// WAF_BENCH_LIVE=N keeps N transactions in flight, as a proxy does while N requests wait for
// their responses: each one's response phases run after N - 1 other requests' phases 1 and 2.
// They share one transaction_scratch, as the proxy's do; WAF_BENCH_PRIVATE=1 gives each its own.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "internal/hs_matcher.h"
#include "ravelin/waf/engine.h"
#include "ravelin/waf/seclang.h"

using namespace ravelin::waf;

namespace {
double cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

// Each sample is timed over k_variants requests that differ in their arguments (and the GET's
// session cookie), as one client's successive requests do: transformation results are kept
// across transactions (waf/src/internal/transform_memo.h), and the very same request over and
// over would find all of its own there. WAF_BENCH_FIXED=1 repeats the first variant (as every
// figure before abd5860 did). The first variant is what WAF_BENCH_DUMP writes for ModSecurity.
constexpr int k_variants = 1024;

struct request_copy {  // one variant; the request's views point into it
  std::string uri, body, cookie, length;
  std::vector<http_header> headers;
  http_request req;
};

struct sample {
  const char* name;
  std::vector<std::unique_ptr<request_copy>> variants;
  const http_request& req() const { return variants.front()->req; }
};

// `t` with every "{n}" replaced by n.
std::string with_n(std::string_view t, int n) {
  std::string out(t);
  const std::string digits = std::to_string(n);
  for (size_t at = out.find("{n}"); at != std::string::npos; at = out.find("{n}", at + digits.size()))
    out.replace(at, 3, digits);
  return out;
}

std::vector<sample> samples() {
  const std::vector<http_header> browser{
      {"Host", "api.example.com"},
      {"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"},
      {"Accept", "application/json, text/plain, */*"},
      {"Accept-Language", "en-US,en;q=0.9"},
      {"Accept-Encoding", "gzip, deflate, br"},
      {"Cookie", "session=6f1c2a9e8b7d{n}; theme=dark"},
      {"Connection", "keep-alive"}};
  std::vector<sample> out;
  auto add = [&](const char* name, const char* method, std::string_view uri, std::string_view body,
                 std::string_view content_type) {
    sample s{name, {}};
    for (int k = 0; k < k_variants; ++k) {
      auto v = std::make_unique<request_copy>();
      const int n = 1000 + k;
      v->uri = with_n(uri, n);
      v->body = with_n(body, n);
      v->length = std::to_string(v->body.size());
      for (const auto& h : browser) {
        if (h.name != "Cookie") {
          v->headers.push_back(h);
          continue;
        }
        v->cookie = with_n(h.value, n);
        v->headers.push_back({h.name, v->cookie});
      }
      if (!content_type.empty()) {
        v->headers.push_back({"Content-Type", content_type});
        v->headers.push_back({"Content-Length", v->length});
      }
      v->req.method = method;
      v->req.uri = v->uri;
      v->req.protocol = "HTTP/1.1";
      v->req.remote_addr = "198.18.0.2";
      v->req.headers = v->headers;
      v->req.body = v->body;
      s.variants.push_back(std::move(v));
    }
    out.push_back(std::move(s));
  };
  add("GET with 3 args", "GET", "/v1/orders?customer={n}&status=open&sort=-created_at", "", "");
  std::string json = R"({"customer":{"id":{n},"name":"Ada Lovelace","email":"ada{n}@example.com"},"items":[)";
  while (json.size() < 1900) json += R"({"sku":"AB-1234","qty":2,"note":"gift wrap please"},)";
  json += R"({"sku":"END","qty":1}],"comment":"Leave at the door, thanks!"})";
  add("JSON POST 2 KB", "POST", "/v1/orders", json, "application/json");
  std::string mp = "--b0undary\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday photos {n}\r\n"
                   "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"img.jpg\"\r\n"
                   "Content-Type: image/jpeg\r\n\r\n";
  for (int i = 0; mp.size() < 100 * 1024; ++i) mp.push_back(static_cast<char>('A' + (i * 7) % 26));
  mp += "\r\n--b0undary--\r\n";
  add("multipart 100 KB", "POST", "/upload", mp, "multipart/form-data; boundary=b0undary");
  add("attack (SQLi+XSS)", "GET",
      "/search?q={n}%27%20UNION%20SELECT%20password%20FROM%20users--&x=%3Cscript%3Ealert({n})%3C/script%3E", "", "");
  return out;
}

// WAF_BENCH_DUMP=DIR writes each request as DIR/N.{method,uri,headers,body} so that
// bench/waf_modsecurity.py sends ModSecurity exactly these requests.
void dump(const char* dir, const std::vector<sample>& ss) {
  auto write = [&](size_t k, const char* ext, std::string_view text) {
    const std::string path = std::string(dir) + "/" + std::to_string(k) + "." + ext;
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
      std::fwrite(text.data(), 1, text.size(), f);
      std::fclose(f);
    }
  };
  for (size_t k = 0; k < ss.size(); ++k) {
    std::string headers;
    const http_request& r = ss[k].req();
    for (const auto& h : r.headers)
      headers.append(h.name).append(": ").append(h.value).append("\n");
    write(k, "name", ss[k].name);
    write(k, "method", r.method);
    write(k, "uri", r.uri);
    write(k, "headers", headers);
    write(k, "body", r.body);
  }
}

const http_request& variant(const sample& s, int i) {
  static const bool fixed = std::getenv("WAF_BENCH_FIXED") != nullptr;
  return fixed ? s.req() : s.variants[static_cast<size_t>(i % k_variants)]->req;
}

// WAF_BENCH_LIVE: request i starts on transaction i mod N, which first finishes request i - N.
double run_live(const waf_engine& e, const sample& s, const http_response& response, int iters,
                int live) {
  std::vector<std::unique_ptr<transaction>> txs;
  const auto shared = std::getenv("WAF_BENCH_PRIVATE") ? nullptr : make_transaction_scratch(e);
  for (int k = 0; k < live; ++k) txs.push_back(std::make_unique<transaction>(e, shared));
  for (auto& t : txs) t->process_request(s.req(), "warm");
  const double t0 = cpu_us();
  for (int i = 0; i < iters; ++i) {
    transaction& t = *txs[static_cast<size_t>(i % live)];
    t.process_response(response);
    t.process_logging();
    t.process_request(variant(s, i), "bench");
  }
  return (cpu_us() - t0) / iters;
}

void run(const char* label, const waf_engine& e, const std::vector<sample>& ss, int iters) {
  transaction tx(e);
  const int live = std::getenv("WAF_BENCH_LIVE") ? std::atoi(std::getenv("WAF_BENCH_LIVE")) : 0;
  const char* only_sample = std::getenv("WAF_BENCH_SAMPLE");  // index into samples()
  const bool with_response = std::getenv("WAF_BENCH_REQUEST_ONLY") == nullptr;
  static const std::vector<http_header> head{{"Content-Type", "application/json"}, {"Content-Length", "27"}};
  http_response response;
  response.headers = head;
  for (size_t k = 0; k < ss.size(); ++k) {
    if (only_sample && std::atoi(only_sample) != static_cast<int>(k)) continue;
    const auto& s = ss[k];
    for (int i = 0; i < 20; ++i) {  // warm-up
      tx.process_request(s.req(), "warm");
      tx.process_response(response);
      tx.process_logging();
    }
    if (live > 0) {
      std::printf("%-10s %-20s %9.1f us/request  (%d transactions live)\n", label, s.name,
                  run_live(e, s, response, iters, live), live);
      continue;
    }
    const double t0 = cpu_us();
    size_t matches = 0;
    for (int i = 0; i < iters; ++i) {
      tx.process_request(variant(s, i), "bench");
      if (with_response) {
        tx.process_response(response);
        tx.process_logging();
      }
      matches = tx.matches().size();
    }
    const double us = (cpu_us() - t0) / iters;
    std::printf("%-10s %-20s %9.1f us/request  (%zu rules matched, anomaly %s)\n", label, s.name, us,
                matches, std::string(tx.tx("anomaly_score")).c_str());
    const auto c0 = tx.counters();
    tx.process_request(variant(s, iters), "count");
    const auto& c1 = tx.counters();
    std::printf("           per request: %lu rules, %lu values, %lu transforms (+%lu remembered), "
                "%lu operators (+%lu remembered), %lu hs scans\n",
                c1.rules_evaluated - c0.rules_evaluated, c1.values_inspected - c0.values_inspected,
                c1.transforms_run - c0.transforms_run, c1.transform_memo_hits - c0.transform_memo_hits,
                c1.operators_run - c0.operators_run, c1.operator_memo_hits - c0.operator_memo_hits,
                c1.hs_scans - c0.hs_scans);
    if (std::getenv("WAF_BENCH_VERBOSE")) {
      for (const auto& m : tx.matches()) std::printf("    %s\n", tx.audit_line(m).substr(0, 300).c_str());
    }
  }
}
}  // namespace

int main(int argc, char** argv) {
  const int iters = argc > 1 ? std::atoi(argv[1]) : 200;
  const char* crs = argc > 2 ? argv[2] : "/usr/share/modsecurity-crs";
  double t0 = cpu_us();
  rule_loader l;
  l.load_text("SecRuleEngine On\nSecRequestBodyAccess On\n"
              "SecRule REQUEST_HEADERS:Content-Type \"^application/json\" \"id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n",
              "base.conf");
  l.load_file("/etc/modsecurity/crs/crs-setup.conf");
  l.load_text(std::string("Include ") + crs + "/rules/*.conf\n", "crs.load");
  // WAF_BENCH_EXTRA: SecLang loaded after CRS, e.g. "SecRuleRemoveById 920450" to see what
  // one rule costs (bench/results/2026-11-29-waf-modsecurity.md).
  if (const char* x = std::getenv("WAF_BENCH_EXTRA")) l.load_text(x, "extra.conf");
  auto rs = l.finish();
  if (!rs) {
    for (const auto& e : l.errors()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }
  std::printf("CRS load: %.1f ms CPU, %zu rules\n", (cpu_us() - t0) / 1000, rs->rules.size());
  const char* only = std::getenv("WAF_BENCH_ONLY");  // "pcre2" or "hyperscan"
  auto ss = samples();
  if (const char* dir = std::getenv("WAF_BENCH_DUMP")) {
    dump(dir, ss);
    return 0;
  }
  if (!only || std::string(only) == "pcre2") {
    waf_engine ref(rs);
    run("pcre2", ref, ss, iters);
  }
  if (!only || std::string(only) == "hyperscan") {
    t0 = cpu_us();
    waf_engine fast(rs, engine_options{true});
    const auto& st = fast.hs()->info();
    std::printf(
        "Hyperscan build: %.1f ms CPU, %zu databases, %zu patterns, %zu expressions, %zu split, "
        "%zu direct-only, %zu byte gates\n",
        (cpu_us() - t0) / 1000, st.databases, st.patterns, st.expressions, st.split_patterns,
        st.direct_only, st.byte_gates);
    run("hyperscan", fast, ss, iters);
  }
  return 0;
}
