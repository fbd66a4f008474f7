// Rule-parser tests: the shapes of SecLang CRS uses, and errors reported as FILE:LINE: message.
#include <gtest/gtest.h>

#include "ravelin/waf/matchers.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::waf {
namespace {

std::shared_ptr<const rule_set> load_ok(std::string_view text) {
  auto r = load_rules_text(text, "t.conf");
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  return r.rules;
}

std::string first_error(std::string_view text) {
  auto r = load_rules_text(text, "t.conf");
  EXPECT_EQ(r.rules, nullptr);
  return r.errors.empty() ? "" : r.errors.front().to_string();
}

TEST(seclang, rule_with_continuations_and_chain) {
  auto rs = load_ok(
      "# comment\n"
      "SecRule REQUEST_METHOD \"@rx ^(?:GET|HEAD)$\" \\\n"
      "    \"id:920170,\\\n"
      "    phase:2,\\\n"
      "    block,\\\n"
      "    t:none,\\\n"
      "    msg:'GET or HEAD Request with Body Content',\\\n"
      "    severity:'CRITICAL',\\\n"
      "    chain\"\n"
      "    SecRule REQUEST_HEADERS:Content-Length \"!@rx ^0?$\" \\\n"
      "        \"t:none,\\\n"
      "        setvar:'tx.anomaly_score_pl1=+%{tx.critical_anomaly_score}'\"\n");
  ASSERT_TRUE(rs);
  ASSERT_EQ(rs->rules.size(), 1u);
  const rule& r = rs->rules[0];
  EXPECT_EQ(r.id(), 920170);
  EXPECT_EQ(r.phase, 2);
  EXPECT_EQ(r.line, 2);
  ASSERT_EQ(r.links.size(), 2u);
  EXPECT_EQ(r.head().msg->source, "GET or HEAD Request with Body Content");
  EXPECT_EQ(r.head().severity, 2);
  const rule_link& follower = r.links[1];
  EXPECT_TRUE(follower.op.negated);
  EXPECT_EQ(follower.targets[0].id, variable_id::request_headers);
  EXPECT_EQ(follower.targets[0].key, "content-length");
  ASSERT_EQ(follower.actions.setvars.size(), 1u);
  const setvar_action& sv = follower.actions.setvars[0];
  EXPECT_EQ(sv.op, setvar_op::add);
  EXPECT_EQ(sv.name.source, "anomaly_score_pl1");
  ASSERT_EQ(sv.value.parts.size(), 1u);
  EXPECT_TRUE(sv.value.parts[0].is_var);
  EXPECT_EQ(sv.value.parts[0].key, "critical_anomaly_score");
}

TEST(seclang, targets_counts_exclusions_and_regex_selectors) {
  auto rs = load_ok(
      "SecRule REQUEST_COOKIES|!REQUEST_COOKIES:/__utm/|&ARGS|TX:/^(a|b)_/|XML:/* "
      "\"@rx x\" \"id:1,phase:2,pass\"\n"
      "SecRule &TX:'/LEAKAGE\\\\\\/ERRORS/' \"@ge 1\" \"id:2,phase:5,pass\"\n");
  ASSERT_TRUE(rs);
  const auto& l = rs->rules[0].links[0];
  ASSERT_EQ(l.targets.size(), 4u);
  EXPECT_TRUE(l.targets[1].count);
  EXPECT_EQ(l.targets[1].id, variable_id::args);
  EXPECT_TRUE(l.targets[2].key_regex);
  EXPECT_EQ(l.targets[3].id, variable_id::xml);
  EXPECT_EQ(l.targets[3].key, "/*");
  ASSERT_EQ(l.exclusions.size(), 1u);
  EXPECT_TRUE(l.exclusions[0].key_regex);
  EXPECT_TRUE(rs->rules[1].links[0].targets[0].key_regex);
}

// The speed path tests an anchored selector's leading literal before (or instead of) PCRE2.
TEST(seclang, anchored_regex_selectors_get_their_prefix) {
  auto rs = load_ok(
      "SecRule TX:/^HEADER_NAME_/|TX:/^msc_x+y/|TX:/^(a|b)_/|TX:/^ab?c/|TX:/^a*/|TX:/x_/ "
      "\"@rx x\" \"id:1,phase:2,pass\"\n");
  ASSERT_TRUE(rs);
  const auto& t = rs->rules[0].links[0].targets;
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].key_prefix, "header_name_");
  EXPECT_TRUE(t[0].key_prefix_whole);
  EXPECT_EQ(t[1].key_prefix, "msc_x");  // x+ still needs one x
  EXPECT_FALSE(t[1].key_prefix_whole);
  EXPECT_EQ(t[2].key_prefix, "");  // alternation: ^ binds one branch only
  EXPECT_EQ(t[3].key_prefix, "a");
  EXPECT_FALSE(t[3].key_prefix_whole);
  EXPECT_EQ(t[4].key_prefix, "");
  EXPECT_EQ(t[5].key_prefix, "");  // not anchored
}

TEST(seclang, operators_and_implicit_rx) {
  auto rs = load_ok(
      "SecRule ARGS \"attack\" \"id:1,pass\"\n"
      "SecRule ARGS \"@pm a b c\" \"id:2,pass\"\n"
      "SecRule ARGS \"@validateByteRange 9,10,13,32-126\" \"id:3,pass\"\n"
      "SecRule REMOTE_ADDR \"@ipMatch 127.0.0.1,::1,10.0.0.0/8\" \"id:4,pass\"\n"
      "SecRule ARGS \"@detectSQLi\" \"id:5,pass\"\n"
      "SecRule ARGS \"!@within %{tx.allowed}\" \"id:6,pass\"\n");
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->rules[0].links[0].op.id, operator_id::rx);
  EXPECT_TRUE(rs->rules[0].links[0].op.re);
  EXPECT_EQ(rs->rules[1].links[0].op.phrases->phrases().size(), 3u);
  EXPECT_TRUE((*rs->rules[2].links[0].op.byte_ok)[32]);
  EXPECT_FALSE((*rs->rules[2].links[0].op.byte_ok)[0]);
  EXPECT_EQ(rs->rules[3].links[0].op.ips->size(), 3u);
  EXPECT_EQ(rs->rules[4].links[0].op.id, operator_id::detect_sqli);
  EXPECT_TRUE(rs->rules[5].links[0].op.param.has_macros());
}

TEST(seclang, default_action_and_transformations) {
  auto rs = load_ok(
      "SecDefaultAction \"phase:2,log,auditlog,deny,status:403,t:lowercase\"\n"
      "SecRule ARGS \"@rx a\" \"id:1,phase:2,block,t:urlDecodeUni\"\n"
      "SecRule ARGS \"@rx a\" \"id:2,phase:2,nolog,pass,t:none,t:base64decode\"\n"
      "SecRule ARGS \"@rx a\" \"id:3,phase:1,t:removeNulls\"\n");
  ASSERT_TRUE(rs);
  const auto& r1 = rs->rules[0];
  EXPECT_EQ(r1.disruptive, disruptive_action::deny);  // block -> the default's action
  EXPECT_EQ(r1.links[0].transforms,
            (std::vector{transform_id::lowercase, transform_id::url_decode_uni}));
  EXPECT_FALSE(rs->rules[1].log);
  EXPECT_EQ(rs->rules[1].links[0].transforms, (std::vector{transform_id::base64_decode}));
  EXPECT_EQ(rs->rules[2].disruptive, disruptive_action::pass);  // no default for phase 1
  EXPECT_EQ(rs->rules[2].links[0].transforms, (std::vector{transform_id::remove_nulls}));
}

TEST(seclang, ctl_and_exceptions) {
  auto rs = load_ok(
      "SecAction \"id:10,phase:1,pass,nolog,ctl:ruleRemoveTargetById=942450;REQUEST_COOKIES_NAMES,"
      "ctl:ruleRemoveTargetByTag=OWASP_CRS;ARGS:pass[pass1],ctl:ruleEngine=DetectionOnly,"
      "ctl:ruleRemoveById=910000-910999,ctl:requestBodyProcessor=JSON\"\n"
      "SecRule ARGS \"@rx a\" \"id:11,phase:2,pass,tag:'x'\"\n"
      "SecRule ARGS \"@rx b\" \"id:12,phase:2,pass,tag:'y'\"\n"
      "SecRule ARGS \"@rx c\" \"id:13,phase:2,pass\"\n"
      "SecRuleRemoveById 12\n"
      "SecRuleRemoveByTag ^x$\n"
      "SecRuleUpdateTargetById 13 \"!ARGS:foo|REQUEST_URI\"\n");
  ASSERT_TRUE(rs);
  ASSERT_EQ(rs->rules.size(), 2u);
  const auto& ctls = rs->rules[0].head().ctls;
  ASSERT_EQ(ctls.size(), 5u);
  EXPECT_EQ(ctls[0].kind, ctl_kind::rule_remove_target_by_id);
  EXPECT_EQ(ctls[0].ids[0].first, 942450);
  EXPECT_EQ(ctls[0].target->id, variable_id::request_cookies_names);
  EXPECT_EQ(ctls[1].tag, "OWASP_CRS");
  EXPECT_EQ(ctls[1].target->key, "pass[pass1]");
  EXPECT_EQ(ctls[2].mode, engine_mode::detection_only);
  EXPECT_EQ(ctls[3].ids[0].last, 910999);
  EXPECT_EQ(ctls[4].processor, body_processor::json);
  const auto& r13 = rs->rules[1].links[0];
  EXPECT_EQ(r13.targets.size(), 2u);
  EXPECT_EQ(r13.exclusions.size(), 1u);
}

TEST(seclang, engine_directives) {
  auto rs = load_ok(
      "SecRuleEngine On\nSecRequestBodyAccess On\nSecRequestBodyLimit 1000\n"
      "SecRequestBodyLimitAction ProcessPartial\nSecComponentSignature \"OWASP_CRS/3.3.4\"\n"
      "SecAuditLog /dev/null\nSecCollectionTimeout 600\n");
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->config.rule_engine, engine_mode::on);
  EXPECT_TRUE(rs->config.request_body_access);
  EXPECT_EQ(rs->config.request_body_limit, 1000);
  EXPECT_FALSE(rs->config.request_body_limit_reject);
  EXPECT_EQ(rs->config.component_signatures.at(0), "OWASP_CRS/3.3.4");
}

TEST(seclang, errors_name_file_and_line) {
  EXPECT_EQ(first_error("\n\nSecFoo On\n"), "t.conf:3: unknown directive SecFoo");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \\\n  \"id:1,\\\n  phase:9\"\n"),
            "t.conf:3: phase must be 1..5, got 9");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx (\" \"id:1\"\n").substr(0, 37),
            "t.conf:1: bad regular expression at o");
  EXPECT_EQ(first_error("SecRule NOPE \"@rx a\" \"id:1\"\n"), "t.conf:1: unknown variable 'NOPE'");
  EXPECT_EQ(first_error("SecRule ARGS \"@nope a\" \"id:1\"\n"), "t.conf:1: unknown operator @nope");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"id:1,t:nope\"\n"),
            "t.conf:1: unknown transformation t:nope");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"phase:1\"\n"),
            "t.conf:1: rule has no id (every rule needs id:N)");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"id:1,bogus\"\n"), "t.conf:1: unknown action 'bogus'");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\n"), "t.conf:1: unterminated quoted argument");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"id:1,msg:'x\"\n"),
            "t.conf:1: unterminated quote in action 'msg'");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"id:1,chain\"\nSecAction \"id:2\"\n"),
            "t.conf:2: a chained rule must be followed by SecRule, got SecAction");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"id:1,chain\"\nSecRule ARGS \"@rx b\" \"id:2\"\n"),
            "t.conf:2: a chained rule cannot carry id or phase (they belong to the chain head)");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"id:1\"\nSecRule ARGS \"@rx b\" \"id:1\"\n"),
            "t.conf:2: duplicate rule id 1 (first at t.conf:1)");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"id:1,skipAfter:END\"\n"),
            "t.conf:1: skipAfter:END names no SecMarker");
  EXPECT_EQ(first_error("SecRule ARGS \"@eq\" \"id:1\"\n"), "t.conf:1: operator @eq needs an argument");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"id:1,setvar:foo.x=1\"\n"),
            "t.conf:1: setvar/initcol needs TX, IP, GLOBAL, SESSION, USER or RESOURCE, got 'foo'");
  EXPECT_EQ(first_error("SecRule ARGS \"@ipMatch 1.2.3.400\" \"id:1\"\n"),
            "t.conf:1: bad IP address '1.2.3.400'");
  EXPECT_EQ(first_error("SecRule ARGS \"@rx a\" \"id:1,chain\"\n"),
            "t.conf:1: chain not closed: the last rule has 'chain'");
  EXPECT_EQ(first_error("Include /nonexistent/*.conf\n"),
            "t.conf:1: Include matched no file: /nonexistent/*.conf");
  EXPECT_EQ(first_error("SecRequestBodyAccess Maybe\n"),
            "t.conf:1: SecRequestBodyAccess expects On or Off, got 'Maybe'");
}

TEST(seclang, collects_every_error) {
  auto r = load_rules_text("SecFoo 1\nSecRule ARGS \"@rx a\" \"id:1\"\nSecBar 2\n", "t.conf");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[1].line, 3);
}

TEST(seclang, include_optional_missing_is_fine) {
  EXPECT_TRUE(load_ok("IncludeOptional /nonexistent/file.conf\n"));
}

}  // namespace
}  // namespace ravelin::waf
