// False-positive check: ordinary browser and API requests (data/benign-requests.txt) through
// CRS 3.3.4 at its default paranoia level 1 with the engine On. None may be blocked.
#include <gtest/gtest.h>

#include "crs_rules.h"
#include "raw_http.h"
#include "ravelin/waf/engine.h"

namespace ravelin::waf {
namespace {

void check(bool hyperscan) {
  // An API gateway's usual crs-setup choice (900200): REST methods are allowed.
  auto rs = test::load_crs("Include " RAVELIN_WAF_TEST_DATA "/crs-api-methods.conf\n");
  ASSERT_TRUE(rs);
  waf_engine engine(rs, engine_options{hyperscan});
  transaction tx(engine);
  const auto requests = test::read_request_blocks(RAVELIN_WAF_TEST_DATA "/benign-requests.txt");
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
