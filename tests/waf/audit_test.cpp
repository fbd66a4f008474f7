// Audit output the dataplane plugin writes: ModSecurity's error-log line per matched rule, the
// same match as a JSON line, and the 403 body with the transaction id.
#include <gtest/gtest.h>

#include <array>

#include "ravelin/waf/audit.h"
#include "ravelin/waf/engine.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::waf {
namespace {

struct blocked {
  std::unique_ptr<waf_engine> engine;
  std::unique_ptr<transaction> tx;
  http_request req;
  verdict v;

  explicit blocked(std::string_view uri) {
    auto r = load_rules_text(
        "SecRuleEngine On\n"
        "SecRule ARGS \"@rx attack\" \"id:942100,phase:1,pass,msg:'SQL Injection Attack',"
        "logdata:'Matched Data: %{TX.0} found within "
        "%{MATCHED_VAR_NAME}',capture,severity:'CRITICAL',"
        "tag:'attack-sqli',tag:'paranoia-level/1'\"\n"
        "SecRule ARGS \"@rx attack\" \"id:949110,phase:1,deny,status:403,msg:'Inbound Anomaly "
        "Score Exceeded'\"\n",
        "t.conf");
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    engine = std::make_unique<waf_engine>(r.rules, engine_options{true});
    tx = std::make_unique<transaction>(*engine);
    req.method = "GET";
    req.uri = uri;
    req.protocol = "HTTP/1.1";
    v = tx->process_request(req, "tx-0001");
  }
};

TEST(audit, error_log_line_per_matched_rule) {
  blocked b("/x?a=%22attack%22");
  ASSERT_EQ(b.tx->matches().size(), 2u);
  const std::string warn = b.tx->audit_line(b.tx->matches()[0]);
  EXPECT_EQ(warn.rfind("ModSecurity: Warning. ", 0), 0u) << warn;
  for (const char* want :
       {"[id \"942100\"]", "[msg \"SQL Injection Attack\"]",
        "[data \"Matched Data: attack found within ARGS:a\"]", "[severity \"2\"]", "[uri \"/x\"]",
        "[unique_id \"tx-0001\"]", "[tag \"paranoia-level/1\"]"}) {
    EXPECT_NE(warn.find(want), std::string::npos) << want << " in " << warn;
  }
  // The deciding rule says so, with the status, as ModSecurity's "Access denied" line does.
  const std::string deny = b.tx->audit_line(b.tx->matches()[1]);
  EXPECT_EQ(deny.rfind("ModSecurity: Access denied with code 403 (phase 1). ", 0), 0u) << deny;
  // The matched value is quoted: a '"' in it cannot end the field early.
  EXPECT_NE(warn.find("(Value: `\\\"attack\\\"'"), std::string::npos) << warn;
}

TEST(audit, json_line_escapes_what_the_request_sent) {
  blocked b("/x?a=attack%22%5C%0A%FF");
  ASSERT_FALSE(b.tx->matches().empty());
  const std::string j = b.tx->audit_json(b.tx->matches()[0]);
  EXPECT_EQ(j.front(), '{');
  EXPECT_EQ(j.back(), '}');
  EXPECT_EQ(j.find('\n'), std::string::npos) << "one line";
  for (const char* want :
       {"\"transaction_id\":\"tx-0001\"", "\"rule_id\":942100", "\"phase\":1", "\"severity\":2",
        "\"disruptive\":false", "\"msg\":\"SQL Injection Attack\"", "\"matched_var\":\"ARGS:a\"",
        "\"uri\":\"/x\"", "\"tags\":[\"attack-sqli\",\"paranoia-level/1\"]"}) {
    EXPECT_NE(j.find(want), std::string::npos) << want << " in " << j;
  }
  const std::string deny = b.tx->audit_json(b.tx->matches()[1]);
  EXPECT_NE(deny.find("\"disruptive\":true"), std::string::npos) << deny;
  // Quote, backslash, newline and a non-UTF-8 byte, all escaped.
  const std::string cap = std::string(b.tx->tx("0"));
  EXPECT_EQ(cap, "attack");
  blocked odd("/x?a=%22%5C%0A%FFattack");
  const std::string jo = odd.tx->audit_json(odd.tx->matches()[0]);
  EXPECT_NE(jo.find("\"data\":\"Matched Data: attack found within ARGS:a\""), std::string::npos)
      << jo;
  const std::string lo = odd.tx->audit_line(odd.tx->matches()[0]);
  EXPECT_EQ(lo.find('\n'), std::string::npos) << "a newline in the value cannot split the line";
  for (const unsigned char c : jo) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << jo;
}

TEST(audit, block_body_carries_the_transaction_id) {
  blocked b("/x?a=attack");
  ASSERT_TRUE(b.v.interrupted());
  std::array<char, k_block_body_max> buf{};
  const size_t n = write_block_body(buf, b.v.status, "tx-0001");
  EXPECT_EQ(std::string_view(buf.data(), n),
            "{\"error\":\"request blocked\",\"status\":403,\"transaction_id\":\"tx-0001\"}\n");
  // An id with quotes cannot break out of its string; a long one is cut, never overflows.
  const size_t q = write_block_body(buf, 403, "a\"b");
  EXPECT_NE(std::string_view(buf.data(), q).find("\"transaction_id\":\"a\\\"b\""),
            std::string::npos);
  const std::string huge(4096, '\x01');
  EXPECT_GT(write_block_body(buf, 403, huge), 0u);
  std::array<char, 16> tiny{};
  EXPECT_EQ(write_block_body(tiny, 403, "tx-0001"), 0u);
}

}  // namespace
}  // namespace ravelin::waf
