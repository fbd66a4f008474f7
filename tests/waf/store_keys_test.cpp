// Collection stores: var_store's hashing over every tail length, its saved images (folded
// runs replayed onto an empty TX), selector literals, and setvar names, whose literal text
// the parser lower-cases and whose macro-built parts run_setvar lower-cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "internal/arena.h"
#include "internal/collections.h"
#include "ravelin/waf/engine.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::waf {
namespace {

http_request get_request(std::string_view uri, std::span<const http_header> headers = {}) {
  http_request req;
  req.method = "GET";
  req.uri = uri;
  req.protocol = "HTTP/1.1";
  req.remote_addr = "198.18.0.1";
  req.headers = headers;
  return req;
}

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

TEST(store_keys, a_restored_image_is_the_saved_store) {
  detail::var_store st, other;
  detail::var_store::image im;
  st.set("key", "v");
  st.set("odd", "1");
  st.remove("odd");
  st.save(im);
  std::vector<std::string> many;
  for (int i = 0; i < 150; ++i) many.push_back("k" + std::to_string(i));
  for (int round = 0; round < 2; ++round) {
    other.clear();
    for (const auto& k : many) other.set(k, "x");  // grows its index past the image's
    other.restore(im);
    ASSERT_EQ(other.entries().size(), 2u);
    ASSERT_NE(other.get("key"), nullptr);
    EXPECT_EQ(*other.get("key"), "v");
    EXPECT_EQ(other.get("odd"), nullptr);  // removed before the save
    EXPECT_EQ(other.get("k0"), nullptr);
    for (const auto& k : many) other.set(k, "y");  // grows again from the image's index
    EXPECT_EQ(other.entries().size(), 152u);
    ASSERT_NE(other.get("k149"), nullptr);
    EXPECT_EQ(*other.get("k149"), "y");
    other.set("odd", "back");  // revives the dead entry rather than adding one
    EXPECT_EQ(other.entries().size(), 152u);
    EXPECT_EQ(*other.get("odd"), "back");
  }
}

// One transaction over many requests: from the second on, folded runs that start on an empty
// TX are restored from an image. Each request must end as on a fresh reference transaction.
TEST(store_keys, folded_runs_restored_from_an_image_match_evaluation) {
  const std::string rules =
      "SecRuleEngine On\n"
      "SecAction \"id:10,phase:1,pass,nolog,setvar:tx.a=1,setvar:tx.b=5,setvar:tx.gone=1,setvar:!tx.gone\"\n"
      "SecRule &TX:c \"@eq 0\" \"id:11,phase:1,pass,nolog,setvar:tx.c=2\"\n"
      "SecRule REQUEST_HEADERS:X-Set \"@rx .\" \"id:12,phase:1,pass,nolog,setvar:tx.b=9,setvar:tx.gone=3\"\n"
      "SecRule TX:a \"@eq 1\" \"id:13,phase:1,pass,nolog,setvar:tx.d=+%{tx.b}\"\n"
      "SecRule ARGS:rm \"@rx .\" \"id:14,phase:1,pass,nolog,ctl:ruleRemoveById=20\"\n"
      "SecRule ARGS:a \"@rx .\" \"id:15,phase:2,pass,nolog,setvar:tx.a=7\"\n"
      "SecRule TX:a \"@eq 1\" \"id:20,phase:2,pass,nolog,setvar:tx.f=1\"\n"
      "SecRule &TX:/^(a|b|c|d|f|gone)$/ \"@eq 6\" \"id:21,phase:2,deny,status:403\"\n";
  auto load = [&] {
    auto r = load_rules_text(rules, "t.conf");
    EXPECT_TRUE(r.errors.empty());
    return r.rules;
  };
  const auto rs = load();
  waf_engine fast_engine(rs, engine_options{true});
  transaction fast(fast_engine);
  for (int round = 0; round < 3; ++round) {
    for (const char* uri : {"/", "/?rm=1", "/?a=1", "/"}) {
      for (const bool header : {false, true}) {
        std::vector<http_header> headers;
        if (header) headers.push_back({"X-Set", "1"});
        const http_request req = get_request(uri, headers);
        waf_engine ref_engine(rs, engine_options{false});
        transaction ref(ref_engine);
        const verdict a = ref.process_request(req, "uid"), b = fast.process_request(req, "uid");
        EXPECT_EQ(a.action, b.action) << uri << header << round;
        EXPECT_EQ(a.rule_id, b.rule_id) << uri << header << round;
        for (const char* k : {"a", "b", "c", "d", "f", "gone"}) {
          EXPECT_EQ(ref.tx(k), fast.tx(k)) << k << " " << uri << header << round;
        }
        EXPECT_EQ(fast.tx("gone"), header ? "3" : "");
        EXPECT_EQ(fast.tx("d"), header ? "9" : "5");
      }
    }
  }
}

// TX entries remember each regex selector's answer for their key (waf_engine::selector_bit).
// Keys the image holds, keys a request adds before and after a walk, a removed and re-set
// key, and one pattern written in two rules (one bit) must all count as on the reference path;
// so must a selector none of the image's keys satisfies (its walks start past the image).
TEST(store_keys, remembered_selector_answers_follow_added_and_removed_keys) {
  const std::string rules =
      "SecRuleEngine On\n"
      "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.aaa=1,setvar:tx.foo_a=1,setvar:tx.bar=1,setvar:tx.foo_z=1\"\n"
      "SecRule &TX:/^foo_/ \"@eq 2\" \"id:2,phase:1,pass,nolog,setvar:tx.n=+1\"\n"
      "SecRule REQUEST_HEADERS:X-Add \"@rx .\" \"id:3,phase:1,pass,nolog,setvar:tx.foo_b=1,setvar:!tx.foo_z,setvar:tx.new_1=1\"\n"
      "SecRule &TX:/^FOO_/ \"@eq 2\" \"id:4,phase:1,pass,nolog,setvar:tx.n=+10\"\n"
      "SecRule ARGS:z \"@rx .\" \"id:5,phase:1,pass,nolog,setvar:tx.foo_z=2\"\n"
      "SecRule TX:/^foo_/ \"@eq 2\" \"id:6,phase:1,pass,nolog,setvar:tx.n=+100\"\n"
      "SecRule &TX:/o_[ab]$/ \"@eq 2\" \"id:7,phase:1,pass,nolog,setvar:tx.n=+1000\"\n"
      "SecRule TX:/^new_/ \"@eq 1\" \"id:8,phase:1,pass,nolog,setvar:tx.n=+10000\"\n";
  auto r = load_rules_text(rules, "t.conf");
  ASSERT_TRUE(r.errors.empty());
  waf_engine fast_engine(r.rules, engine_options{true});
  waf_engine ref_engine(r.rules, engine_options{false});
  transaction fast(fast_engine);
  for (int round = 0; round < 2; ++round) {
    for (const char* uri : {"/", "/?z=1"}) {
      for (const bool add : {false, true, false}) {
        std::vector<http_header> headers;
        if (add) headers.push_back({"X-Add", "1"});
        const http_request req = get_request(uri, headers);
        transaction ref(ref_engine);
        ref.process_request(req, "uid");
        fast.process_request(req, "uid");
        EXPECT_EQ(ref.tx("n"), fast.tx("n")) << uri << add << round;
        // 2 always (foo_a, foo_z); 4 always (foo_a and foo_z, or foo_a and foo_b); 6 when ?z
        // set foo_z (back) to 2; 7 with X-Add (foo_a, foo_b); 8 with X-Add (new_1).
        const bool z = std::string_view(uri) == "/?z=1";
        EXPECT_EQ(fast.tx("n"), std::to_string(11 + (z ? 100 : 0) + (add ? 11000 : 0)))
            << uri << add << round;
      }
    }
  }
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
    const http_request req = get_request("/");
    for (int round = 0; round < 2; ++round) {  // the second request reuses the transaction
      const verdict v = tx.process_request(req, "uid");
      EXPECT_EQ(v.status, 403) << "hyperscan " << hyperscan << " round " << round;
      EXPECT_EQ(tx.tx("mixed_name"), "7");
      EXPECT_EQ(tx.tx("built_get"), "2");
    }
  }
}

// A link whose exclusions name only some of its targets (evaluate.cpp tests exclusions per
// value only for those): the others are walked whole, the named ones still lose their members,
// also through ctl:ruleRemoveTargetById, on both paths.
TEST(exclusions, apply_to_the_targets_they_name_only) {
  auto r = load_rules_text(
      "SecRuleEngine On\n"
      "SecRule REQUEST_URI \"@beginsWith /x\" \"id:1,phase:1,pass,nolog,ctl:ruleRemoveTargetById=3;REQUEST_COOKIES:c\"\n"
      "SecRule REQUEST_COOKIES|ARGS|!ARGS:/^safe/|REQUEST_HEADERS:X-A|!REQUEST_COOKIES:d \"@contains bad\" "
      "\"id:2,phase:2,pass,log,setvar:tx.n2=+1\"\n"
      "SecRule ARGS|REQUEST_COOKIES|&TX:/^n2$/ \"@contains bad\" \"id:3,phase:2,pass,log,setvar:tx.n3=+1\"\n",
      "t.conf");
  ASSERT_TRUE(r.errors.empty());
  for (const bool hyperscan : {false, true}) {
    waf_engine engine(r.rules, engine_options{hyperscan});
    transaction tx(engine);
    for (const char* uri : {"/x?a=bad&safe_1=bad", "/y?a=bad&safe_1=bad"}) {
      std::vector<http_header> headers{{"Cookie", "c=bad; d=bad; e=bad"}, {"X-A", "bad"}};
      const http_request req = get_request(uri, headers);
      tx.process_request(req, "uid");
      EXPECT_EQ(tx.tx("n2"), "4") << uri << " hyperscan " << hyperscan;  // c, e, a, X-A
      const bool removes = uri[1] == 'x';
      EXPECT_EQ(tx.tx("n3"), removes ? "4" : "5") << uri << " hyperscan " << hyperscan;
    }
  }
}

}  // namespace
}  // namespace ravelin::waf
