// False-positive check: ordinary browser and API requests (data/benign-requests.txt) through
// CRS 3.3.4 at its default paranoia level 1 with the engine On. None may be blocked.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "crs_rules.h"
#include "raw_http.h"
#include "ravelin/waf/engine.h"

namespace ravelin::waf {
namespace {

std::vector<std::string> read_requests() {
  std::ifstream in(RAVELIN_WAF_TEST_DATA "/benign-requests.txt");
  std::vector<std::string> out;
  std::string line, cur;
  auto flush = [&] {
    if (cur.empty()) return;
    // Fill in Content-Length for a body, as a client would.
    const size_t split = cur.find("\r\n\r\n");
    if (split != std::string::npos && split + 4 < cur.size()) {
      std::string body = cur.substr(split + 4);
      while (body.size() >= 2 && body.compare(body.size() - 2, 2, "\r\n") == 0) body.resize(body.size() - 2);
      cur = cur.substr(0, split) + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    } else if (split == std::string::npos) {
      cur += "\r\n";
    }
    out.push_back(cur);
    cur.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#' && cur.empty()) continue;
    if (line == "=====") {
      flush();
      continue;
    }
    cur += line + "\r\n";
  }
  flush();
  return out;
}

void check(bool hyperscan) {
  // An API gateway's usual crs-setup choice (900200): REST methods are allowed.
  auto rs = test::load_crs("Include " RAVELIN_WAF_TEST_DATA "/crs-api-methods.conf\n");
  ASSERT_TRUE(rs);
  waf_engine engine(rs, engine_options{hyperscan});
  transaction tx(engine);
  const auto requests = read_requests();
  ASSERT_GE(requests.size(), 20u);
  test::owned_request r;
  for (const auto& raw : requests) {
    parse_raw_request(raw, r);
    ASSERT_TRUE(r.ok);
    const verdict v = tx.process_request(r.req, "benign");
    std::string why;
    for (const auto& m : tx.matches()) why += tx.audit_line(m).substr(0, 400) + "\n";
    EXPECT_FALSE(v.interrupted()) << raw.substr(0, raw.find('\r')) << "\n" << why;
    EXPECT_EQ(tx.tx("anomaly_score"), "0") << raw.substr(0, raw.find('\r')) << "\n" << why;
  }
}

TEST(benign, paranoia_1_blocks_nothing_pcre2) { check(false); }
TEST(benign, paranoia_1_blocks_nothing_hyperscan) { check(true); }

}  // namespace
}  // namespace ravelin::waf
