// The training run of the release build's profile-guided optimisation (cmake/ravelin_pgo.cmake):
// CRS 3.3.4 at paranoia level 1 on the Hyperscan path, as the waf plugin runs it, over the
// traffic an edge sees most (data/benign-requests.txt, many rounds) and, once each, CRS'
// regression requests (attacks and protocol oddities, so their paths are not laid out as
// cold). Every transaction runs phases 1 to 5 with a small JSON answer, as a proxied request
// does. The benchmark's own requests (waf_bench) are left out so that its figures are not
// measured on what the profile was trained on.
//   waf_pgo_train CASES.tsv [ROUNDS]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "crs_load.h"
#include "ravelin/waf/engine.h"
#include "raw_http.h"

using namespace ravelin::waf;

namespace {

// Returns how many requests were refused (a figure to print, not a verdict on anything).
// Matches are written out as the plugin's audit log does.
size_t run(transaction& tx, const std::vector<std::string>& raws, int rounds) {
  static const std::string body = R"({"id":42,"status":"open","items":[{"sku":"AB-1","qty":2}]})";
  static const std::string length = std::to_string(body.size());
  const std::vector<http_header> head{{"Content-Type", "application/json"},
                                      {"Content-Length", length}};
  http_response response;
  response.headers = head;
  response.body = body;
  size_t refused = 0;
  std::string audit;
  test::owned_request r;
  for (int k = 0; k < rounds; ++k) {
    for (const auto& raw : raws) {
      parse_raw_request(raw, r);
      if (!r.ok) continue;
      if (tx.process_request(r.req, "train").interrupted())
        ++refused;
      else
        tx.process_response(response);
      tx.process_logging();
      for (const auto& m : tx.matches()) audit.append(tx.audit_line(m)).push_back('\n');
      audit.clear();
    }
  }
  return refused;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: waf_pgo_train CASES.tsv [ROUNDS]\n");
    return 2;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 200;
  std::vector<load_error> errors;
  auto rs =
      test::load_crs_rules("Include " RAVELIN_WAF_TEST_DATA "/crs-api-methods.conf\n", errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (!rs || !errors.empty()) return 1;
  waf_engine engine(rs, engine_options{true});
  transaction tx(engine);
  const auto benign = test::read_request_blocks(RAVELIN_WAF_TEST_DATA "/benign-requests.txt");
  std::vector<std::string> cases;
  for (auto& c : test::read_crs_cases(argv[1])) cases.push_back(std::move(c.raw));
  if (benign.empty() || cases.empty()) {
    std::fprintf(stderr, "waf_pgo_train: no requests (benign %zu, regression cases %zu)\n",
                 benign.size(), cases.size());
    return 1;
  }
  const size_t a = run(tx, benign, rounds);
  const size_t b = run(tx, cases, 1);
  std::printf(
      "waf_pgo_train: %zu benign requests x %d (%zu refused), %zu regression requests (%zu "
      "refused)\n",
      benign.size(), rounds, a, cases.size(), b);
  return 0;
}
