// Collection store keys: var_store's hashing over every tail length, and setvar names, whose
// literal text the parser lower-cases and whose macro-built parts run_setvar lower-cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "internal/arena.h"
#include "internal/collections.h"
#include "ravelin/waf/engine.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::waf {
namespace {

// Keys of every length from 0 to 40 that differ in one byte only (first, middle or last):
// lookups, removal and re-setting stay exact whatever the length of the hashed tail.
TEST(store_keys, every_tail_length_finds_its_own_entry) {
  detail::var_store st;
  std::vector<std::string> keys;
  for (size_t n = 0; n <= 40; ++n) {
    const std::string base(n, 'k');
    keys.push_back(base);
    for (size_t at : {size_t{0}, n / 2, n ? n - 1 : 0}) {
      if (n == 0) break;
      std::string k = base;
      k[at] = 'q';
      keys.push_back(k);
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const auto& k : keys) st.set(k, k);  // grows the index on the way
  for (const auto& k : keys) {
    const std::string_view* v = st.get(k);
    ASSERT_NE(v, nullptr) << k;
    EXPECT_EQ(*v, k);
  }
  st.remove(keys[5]);
  EXPECT_EQ(st.get(keys[5]), nullptr);
  EXPECT_NE(st.get(keys[6]), nullptr);
  st.set(keys[5], "again");
  ASSERT_NE(st.get(keys[5]), nullptr);
  EXPECT_EQ(*st.get(keys[5]), "again");
  EXPECT_EQ(st.get("kkkkkkkkz"), nullptr);  // never set
}

// Selector literals are lower-case; keys of collections other than stores keep their case.
TEST(store_keys, selector_literals_match_keys_of_either_case) {
  const std::vector<std::string> lits{"web_attack", "/errors", "9x"};
  EXPECT_TRUE(detail::holds_any("950100-OWASP_CRS/WEB_ATTACK/X", lits));
  EXPECT_TRUE(detail::holds_any("leakage/ERRORS", lits));
  EXPECT_TRUE(detail::holds_any("a9X", lits));
  EXPECT_TRUE(detail::holds_any("web_attack", lits));
  EXPECT_FALSE(detail::holds_any("web_attac", lits));
  EXPECT_FALSE(detail::holds_any("wEB-attack", lits));
  EXPECT_FALSE(detail::holds_any("leakage\x0f" "errors", lits));  // 0x0f | 0x20 is '/'
  EXPECT_FALSE(detail::holds_any("a9y", lits));
  EXPECT_FALSE(detail::holds_any("", lits));
  EXPECT_FALSE(detail::holds_any("WEB_ATTACK", {std::string("web_attack!")}));
}

TEST(store_keys, setvar_literal_names_are_lower_cased_at_load) {
  auto r = load_rules_text("SecAction \"id:1,phase:1,pass,nolog,setvar:tx.Mixed_NAME=1\"\n", "t.conf");
  ASSERT_TRUE(r.errors.empty());
  const setvar_action& sv = r.rules->rules[0].links[0].actions.setvars[0];
  ASSERT_EQ(sv.name.parts.size(), 1u);
  EXPECT_EQ(sv.name.parts[0].literal, "mixed_name");
  EXPECT_EQ(sv.name.source, "Mixed_NAME");  // messages show it as written
}

TEST(store_keys, setvar_names_match_whatever_their_case) {
  for (const bool hyperscan : {false, true}) {
    auto r = load_rules_text(
        "SecRuleEngine On\n"
        "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.Mixed_NAME=7,setvar:'tx.Built_%{REQUEST_METHOD}=+2'\"\n"
        "SecRule TX:mixed_name \"@eq 7\" \"id:2,phase:1,pass,log,setvar:tx.HITS=+1\"\n"
        "SecRule TX:BUILT_GET \"@eq 2\" \"id:3,phase:1,pass,log,setvar:tx.hits=+1\"\n"
        "SecRule TX:/^MIXED_/ \"@eq 7\" \"id:4,phase:1,pass,log,setvar:tx.Hits=+1\"\n"
        "SecRule &TX:/built_get/ \"@eq 1\" \"id:5,phase:1,pass,log,setvar:tx.hits=+1\"\n"
        "SecRule TX:hits \"@eq 4\" \"id:6,phase:1,deny,status:403\"\n",
        "t.conf");
    ASSERT_TRUE(r.errors.empty());
    waf_engine engine(r.rules, engine_options{hyperscan});
    transaction tx(engine);
    http_request req;
    req.method = "GET";
    req.uri = "/";
    req.protocol = "HTTP/1.1";
    req.remote_addr = "198.18.0.1";
    for (int round = 0; round < 2; ++round) {  // the second request reuses the transaction
      const verdict v = tx.process_request(req, "uid");
      EXPECT_EQ(v.status, 403) << "hyperscan " << hyperscan << " round " << round;
      EXPECT_EQ(tx.tx("mixed_name"), "7");
      EXPECT_EQ(tx.tx("built_get"), "2");
    }
  }
}

}  // namespace
}  // namespace ravelin::waf
