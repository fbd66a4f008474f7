// The transaction evaluator on small rule sets: phases, chains, captures, setvar with macros,
// skipAfter, ctl, exclusions, counts, body processors, verdicts and the audit line.
#include <gtest/gtest.h>

#include "ravelin/waf/engine.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::waf {
namespace {

struct fixture {
  std::shared_ptr<const rule_set> rules;
  std::unique_ptr<waf_engine> engine;
  std::unique_ptr<transaction> tx;
  std::vector<http_header> headers;
  http_request req;

  explicit fixture(std::string_view text, bool hyperscan = false) {
    auto r = load_rules_text(std::string("SecRuleEngine On\nSecRequestBodyAccess On\n") + std::string(text), "t.conf");
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    rules = r.rules;
    engine = std::make_unique<waf_engine>(rules, engine_options{hyperscan});
    tx = std::make_unique<transaction>(*engine);
    req.method = "GET";
    req.uri = "/";
    req.protocol = "HTTP/1.1";
    req.remote_addr = "198.18.0.1";
  }
  verdict run() {
    req.headers = headers;
    return tx->process_request(req, "uid-1");
  }
  std::vector<int64_t> ids() const {
    std::vector<int64_t> out;
    for (const auto& m : tx->matches()) out.push_back(m.id);
    return out;
  }
};

TEST(evaluator, args_transformations_and_deny) {
  fixture f("SecRule ARGS \"@rx <script\" \"id:1,phase:2,deny,status:406,t:urlDecodeUni,t:lowercase,msg:'xss in %{MATCHED_VAR_NAME}',logdata:'%{MATCHED_VAR}'\"\n");
  f.req.uri = "/p?q=%3CSCRIPT%3Ealert(1)";
  const verdict v = f.run();
  EXPECT_EQ(v.action, verdict_action::deny);
  EXPECT_EQ(v.status, 406);
  ASSERT_EQ(f.ids(), std::vector<int64_t>{1});
  EXPECT_EQ(f.tx->matches()[0].msg, "xss in ARGS:q");
  EXPECT_EQ(f.tx->matches()[0].data, "<script>alert(1)");
}

TEST(evaluator, detection_only_logs_but_passes) {
  fixture f("SecRuleEngine DetectionOnly\nSecRule ARGS \"@contains evil\" \"id:1,phase:1,deny\"\n");
  f.req.uri = "/?a=evil";
  EXPECT_EQ(f.run().action, verdict_action::pass);
  EXPECT_EQ(f.ids(), std::vector<int64_t>{1});
}

TEST(evaluator, chain_capture_and_macro_in_operator) {
  // CRS 920190's shape: the head captures, the chained rule compares TX.2 with %{tx.1}.
  fixture f(
      "SecRule REQUEST_HEADERS:Range \"@rx (\\d+)-(\\d+)\" \"id:1,phase:1,pass,capture,chain\"\n"
      "  SecRule TX:2 \"@lt %{tx.1}\" \"setvar:'tx.score=+5'\"\n");
  f.headers = {{"Range", "bytes=20-10"}};
  f.run();
  EXPECT_EQ(f.ids(), std::vector<int64_t>{1});
  EXPECT_EQ(f.tx->tx("score"), "5");
  f.headers = {{"Range", "bytes=10-20"}};
  f.run();
  EXPECT_TRUE(f.ids().empty());
  EXPECT_EQ(f.tx->tx("score"), "");
}

TEST(evaluator, setvar_runs_per_matching_value) {
  fixture f("SecRule ARGS \"@rx x\" \"id:1,phase:2,pass,nolog,setvar:tx.n=+1,setvar:'tx.last_%{MATCHED_VAR_NAME}=%{MATCHED_VAR}'\"\n");
  f.req.uri = "/?a=x&b=y&c=xx";
  f.run();
  EXPECT_EQ(f.tx->tx("n"), "2");
  EXPECT_EQ(f.tx->tx("last_args:c"), "xx");
  EXPECT_TRUE(f.ids().empty());  // nolog
}

TEST(evaluator, multi_match_skips_steps_that_changed_nothing) {
  // v3 hands multiMatch operators the value before the transformations and after each step
  // that changed it: an unchanged "abc" is seen once, "b%42" three times (raw, decoded "bB",
  // lower-cased "bb"), so setvar runs once and three times.
  const char* rules =
      "SecRule ARGS \"@rx b\" "
      "\"id:1,phase:1,pass,t:none,t:urlDecodeUni,t:lowercase,multiMatch,setvar:tx.n=+1\"\n";
  for (const bool hs : {false, true}) {
    fixture f(rules, hs);
    f.req.uri = "/?a=abc";
    f.run();
    EXPECT_EQ(f.tx->tx("n"), "1") << hs;
    f.req.uri = "/?a=b%2542";  // ARGS are form-decoded once already: the value is "b%42"
    f.run();
    EXPECT_EQ(f.tx->tx("n"), "3") << hs;
  }
}

TEST(evaluator, byte_gates_respect_negation_and_empty_values) {
  // "(?:/|get )" requires the byte '/': on the speed path a value without one is ruled out by
  // the byte gate before PCRE2, which must still make a negated rule match.
  const char* rules =
      "SecRule REQUEST_LINE \"!@rx ^\\w+ (?:/|\\*)\" \"id:1,phase:1,pass,t:none\"\n"
      "SecRule ARGS \"@rx ^$|x\" \"id:2,phase:1,pass,t:none\"\n";
  for (const bool hs : {false, true}) {
    fixture f(rules, hs);
    f.req.uri = "\\index.html?a=";
    f.run();
    EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 2})) << hs;
    f.req.uri = "/index.html?a=b";
    f.run();
    EXPECT_TRUE(f.ids().empty()) << hs;
  }
}

TEST(evaluator, skip_after_and_markers) {
  fixture f(
      "SecRule REQUEST_METHOD \"@streq GET\" \"id:1,phase:1,pass,nolog,skipAfter:END\"\n"
      "SecRule REQUEST_METHOD \"@rx .\" \"id:2,phase:1,pass\"\n"
      "SecMarker END\n"
      "SecRule REQUEST_METHOD \"@rx .\" \"id:3,phase:1,pass\"\n");
  f.run();
  EXPECT_EQ(f.ids(), std::vector<int64_t>{3});
}

TEST(evaluator, counts_negation_and_missing_values) {
  fixture f(
      "SecRule &REQUEST_HEADERS:Host \"@eq 0\" \"id:1,phase:1,pass\"\n"
      "SecRule REQUEST_HEADERS:Content-Length \"!@rx ^\\d+$\" \"id:2,phase:1,pass\"\n"
      "SecRule &ARGS \"@eq 2\" \"id:3,phase:1,pass\"\n");
  f.req.uri = "/?a=1&b=2";
  f.run();
  EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 3}));  // no Content-Length: rule 2 sees nothing
}

TEST(evaluator, exclusions_and_ctl_remove_target) {
  fixture f(
      "SecRule REQUEST_URI \"@beginsWith /login\" \"id:1,phase:1,pass,nolog,ctl:ruleRemoveTargetById=3;ARGS:password\"\n"
      "SecRule ARGS|!ARGS:/^safe/ \"@contains bad\" \"id:2,phase:2,pass\"\n"
      "SecRule ARGS \"@contains bad\" \"id:3,phase:2,pass\"\n");
  f.req.uri = "/login?password=bad&safe_x=bad";
  f.run();
  EXPECT_EQ(f.ids(), (std::vector<int64_t>{2, 3}));
  const auto m = f.tx->matches();
  EXPECT_EQ(m[0].var_name, "ARGS:password");
  EXPECT_EQ(m[1].var_name, "ARGS:safe_x");
}

TEST(evaluator, ctl_rule_remove_by_id_and_engine_off) {
  fixture f(
      "SecAction \"id:1,phase:1,pass,nolog,ctl:ruleRemoveById=2\"\n"
      "SecRule REQUEST_METHOD \"@rx .\" \"id:2,phase:1,pass\"\n"
      "SecRule REQUEST_METHOD \"@rx .\" \"id:3,phase:1,pass,ctl:ruleEngine=Off\"\n"
      "SecRule REQUEST_METHOD \"@rx .\" \"id:4,phase:2,deny\"\n");
  EXPECT_EQ(f.run().action, verdict_action::pass);
  EXPECT_EQ(f.ids(), std::vector<int64_t>{3});
}

TEST(evaluator, headers_cookies_and_names) {
  fixture f(
      "SecRule REQUEST_HEADERS_NAMES \"@rx ^x-\" \"id:1,phase:1,pass,t:lowercase\"\n"
      "SecRule REQUEST_COOKIES:session \"@streq abc\" \"id:2,phase:1,pass\"\n"
      "SecRule REQUEST_COOKIES_NAMES \"@streq theme\" \"id:3,phase:1,pass\"\n"
      "SecRule REQUEST_FILENAME \"@streq /a b/c.php\" \"id:4,phase:1,pass\"\n"
      "SecRule REQUEST_BASENAME \"@streq c.php\" \"id:5,phase:1,pass\"\n"
      "SecRule REQUEST_LINE \"@streq GET /a%20b/c.php?x=1 HTTP/1.1\" \"id:6,phase:1,pass\"\n"
      "SecRule QUERY_STRING \"@streq x=1\" \"id:7,phase:1,pass\"\n");
  f.req.uri = "/a%20b/c.php?x=1";
  f.headers = {{"X-Test", "1"}, {"Cookie", "session=abc; theme=dark"}};
  f.run();
  EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(evaluator, urlencoded_body) {
  fixture f("SecRule ARGS_POST:user \"@streq a b\" \"id:1,phase:2,pass\"\n"
            "SecRule REQUEST_BODY \"@contains user=\" \"id:2,phase:2,pass\"\n");
  f.req.method = "POST";
  f.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  f.req.body = "user=a+b&x=1";
  f.run();
  EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 2}));
}

TEST(evaluator, json_body_via_ctl) {
  fixture f(
      "SecRule REQUEST_HEADERS:Content-Type \"@rx ^application/json\" \"id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON\"\n"
      "SecRule ARGS:json.user.name \"@streq bob\" \"id:2,phase:2,pass\"\n"
      "SecRule ARGS:json.tags.array_1 \"@streq b\" \"id:3,phase:2,pass\"\n"
      "SecRule REQBODY_ERROR \"!@eq 0\" \"id:4,phase:2,pass\"\n");
  f.req.method = "POST";
  f.headers = {{"Content-Type", "application/json"}};
  f.req.body = R"({"user":{"name":"bob"},"tags":["a","b"],"n":1})";
  f.run();
  EXPECT_EQ(f.ids(), (std::vector<int64_t>{2, 3}));
  f.req.body = R"({"user":)";
  f.run();
  EXPECT_EQ(f.ids(), (std::vector<int64_t>{4}));
}

TEST(evaluator, multipart_body_and_strict_errors) {
  fixture f(
      "SecRule ARGS_POST:field \"@streq value\" \"id:1,phase:2,pass\"\n"
      "SecRule FILES \"@streq a.txt\" \"id:2,phase:2,pass\"\n"
      "SecRule MULTIPART_STRICT_ERROR \"!@eq 0\" \"id:3,phase:2,pass\"\n"
      "SecRule MULTIPART_PART_HEADERS \"@rx ^content-type\" \"id:4,phase:2,pass,t:lowercase\"\n"
      "SecRule FILES_NAMES \"@streq up\" \"id:5,phase:2,pass\"\n");
  f.req.method = "POST";
  f.headers = {{"Content-Type", "multipart/form-data; boundary=XyZ"}};
  f.req.body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n";
  f.run();
  EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 2, 4, 5}));
  f.req.body = "junk\r\n--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n--XyZ--\r\n";
  f.run();
  EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 3}));  // data before the first boundary
}

TEST(evaluator, audit_line_has_modsecurity_fields) {
  fixture f("SecRule ARGS \"@rx attack\" \"id:942100,phase:2,block,msg:'SQL Injection Attack',logdata:'Matched Data: %{TX.0}',capture,severity:'CRITICAL',tag:'attack-sqli'\"\n");
  f.req.uri = "/x?a=attack";
  f.run();
  ASSERT_EQ(f.tx->matches().size(), 1u);
  const std::string line = f.tx->audit_line(f.tx->matches()[0]);
  EXPECT_NE(line.find("[id \"942100\"]"), std::string::npos) << line;
  EXPECT_NE(line.find("[msg \"SQL Injection Attack\"]"), std::string::npos) << line;
  EXPECT_NE(line.find("[data \"Matched Data: attack\"]"), std::string::npos) << line;
  EXPECT_NE(line.find("[severity \"2\"]"), std::string::npos) << line;
  EXPECT_NE(line.find("[uri \"/x\"]"), std::string::npos) << line;
  EXPECT_NE(line.find("[unique_id \"uid-1\"]"), std::string::npos) << line;
  EXPECT_NE(line.find("[tag \"attack-sqli\"]"), std::string::npos) << line;
}

// Phase 1 scans REQUEST_BODY (absent) and ARGS with the rules' database; the body then sets
// REQUEST_BODY alone or adds ARGS_POST. Phase 2 must see the new values on both paths, and a
// GET whose body sets nothing new must still match on what phase 1 saw.
TEST(evaluator, body_values_reach_phase_two_after_phase_one_scans) {
  for (const bool hs : {false, true}) {
    fixture f(
        "SecRule REQUEST_BODY|ARGS \"@rx needle\" \"id:1,phase:1,pass,log\"\n"
        "SecRule REQUEST_BODY|ARGS \"@rx needle\" \"id:2,phase:2,pass,log\"\n",
        hs);
    f.req.method = "POST";
    f.req.body = "haystack with a needle";  // no Content-Type: REQUEST_BODY only
    f.run();
    EXPECT_EQ(f.ids(), std::vector<int64_t>{2}) << "hyperscan " << hs;
    f.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    f.req.body = "a=needle";  // ARGS_POST gains a member
    f.run();
    EXPECT_EQ(f.ids(), std::vector<int64_t>{2}) << "hyperscan " << hs;
    f.headers.clear();
    f.req.method = "GET";
    f.req.body = "";
    f.req.uri = "/?q=needle";
    f.run();
    EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 2})) << "hyperscan " << hs;
  }
}

// Literal prescans match caselessly, so they scan a value the chain would change only in case
// as it is; a value holding bytes a step rewrites (cmdLine's quote and caret) must still be
// transformed before the scan, or its literal is missed and the rule skipped. The operator
// itself still sees the lower-cased value (rule 3 cannot match).
TEST(evaluator, case_blind_prescans_still_find_transformed_literals) {
  for (const bool hs : {false, true}) {
    fixture f(
        "SecRule ARGS \"@rx selection\" \"id:1,phase:1,pass,log,t:none,t:lowercase\"\n"
        "SecRule ARGS \"@rx xp_cmdshell\" \"id:2,phase:1,pass,log,t:none,t:cmdLine\"\n"
        "SecRule ARGS \"@rx SELECTION\" \"id:3,phase:1,pass,log,t:none,t:lowercase\"\n",
        hs);
    f.req.uri = "/?a=SeLeCtIoN&b=X%22P_CMD%5ESHELL";
    f.run();
    EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 2})) << "hyperscan " << hs;
  }
}

// Constructs CRS 4.x uses that 3.3.4 does not: XML attribute targets (XML://@*),
// t:base64DecodeExt (skips bytes outside the alphabet), t:removeCommentsChar, a count of one
// multipart part header, and SecRuleUpdateActionById turning a deny into a redirect.
TEST(evaluator, crs4_constructs) {
  const char* rules =
      "SecRule REQUEST_HEADERS:Content-Type \"@rx ^text/xml\" "
      "\"id:1,phase:1,pass,nolog,t:none,t:lowercase,ctl:requestBodyProcessor=XML\"\n"
      "SecRule XML:/*|XML://@* \"@rx runtime\\.exec\" \"id:2,phase:2,pass,log,t:none,t:lowercase\"\n"
      "SecRule ARGS \"@rx <script\" \"id:3,phase:2,pass,log,t:none,t:base64DecodeExt\"\n"
      "SecRule ARGS \"@rx select\" \"id:4,phase:2,pass,log,t:none,t:removeCommentsChar\"\n"
      "SecRule &MULTIPART_PART_HEADERS:_charset_ \"!@eq 0\" \"id:5,phase:2,pass,log\"\n"
      "SecRule ARGS:go \"@streq away\" \"id:6,phase:2,deny,status:403\"\n"
      "SecRuleUpdateActionById 6 \"redirect:'http://%{request_headers.host}/moved'\"\n";
  for (const bool hs : {false, true}) {
    fixture f(rules, hs);
    f.req.method = "POST";
    f.req.uri = "/?a=PHNj.cmlwdD4&b=se/**/le--ct&go=away";
    f.headers = {{"Host", "shop.example"}, {"Content-Type", "text/xml"}};
    f.req.body = "<call target=\"Runtime.exec\">x</call>";
    const verdict v = f.run();
    EXPECT_EQ(f.ids(), (std::vector<int64_t>{2, 3, 4, 6})) << "hyperscan " << hs;
    EXPECT_EQ(v.action, verdict_action::redirect) << "hyperscan " << hs;
    f.req.uri = "/";
    f.headers = {{"Content-Type", "multipart/form-data; boundary=b"}};
    f.req.body = "--b\r\nContent-Disposition: form-data; name=\"_charset_\"\r\n\r\nutf-8\r\n--b--\r\n";
    f.run();
    EXPECT_EQ(f.ids(), std::vector<int64_t>{5}) << "hyperscan " << hs;
  }
}

// Phases 3 and 4 (reference manual, "SecResponseBodyAccess", "SecResponseBodyMimeType",
// "ctl"): which bodies are asked for, and RESPONSE_BODY only while access is on.
TEST(evaluator, response_phases_and_body_access) {
  const char* rules =
      "SecResponseBodyMimeType text/html application/json\n"
      "SecRule RESPONSE_HEADERS:X-Debug \"@rx .\" \"id:1,phase:3,pass,log\"\n"
      "SecRule RESPONSE_CONTENT_TYPE \"@beginsWith text/html\" \"id:2,phase:3,pass,log\"\n"
      "SecRule REQUEST_URI \"@streq /on\" \"id:3,phase:1,pass,nolog,ctl:responseBodyAccess=On\"\n"
      "SecRule RESPONSE_BODY \"@contains SQL syntax\" \"id:4,phase:4,deny,status:403\"\n";
  for (const bool hs : {false, true}) {
    fixture f(rules, hs);
    f.run();
    EXPECT_FALSE(f.tx->wants_response_body("text/html"));  // SecResponseBodyAccess is Off
    const std::vector<http_header> head{{"Content-Type", "text/html; charset=utf-8"}, {"X-Debug", "1"}};
    http_response resp;
    resp.headers = head;
    resp.body = "You have an error in your SQL syntax";
    EXPECT_EQ(f.tx->process_response(resp).action, verdict_action::pass) << "hyperscan " << hs;
    EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 2})) << "hyperscan " << hs;

    f.req.uri = "/on";
    f.run();
    EXPECT_TRUE(f.tx->wants_response_body("Text/HTML ; charset=utf-8"));
    EXPECT_TRUE(f.tx->wants_response_body("application/json"));
    EXPECT_FALSE(f.tx->wants_response_body("text/plain"));  // not listed here
    EXPECT_FALSE(f.tx->wants_response_body(""));
    const verdict v = f.tx->process_response(resp);
    EXPECT_EQ(v.action, verdict_action::deny) << "hyperscan " << hs;
    EXPECT_EQ(v.status, 403);
    EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 2, 4})) << "hyperscan " << hs;  // 3 is nolog
  }
  fixture d("SecResponseBodyAccess On\n");
  d.run();
  EXPECT_TRUE(d.tx->wants_response_body("text/plain"));  // the default list
  EXPECT_FALSE(d.tx->wants_response_body("application/json"));
}

// SecResponseBodyLimit (v3's appendResponseBody): past it OUTBOUND_DATA_ERROR is 1, and the
// body is inspected up to the limit (ProcessPartial) or refused before phase 4 (Reject, but
// only with the engine On).
TEST(evaluator, response_body_limit_actions) {
  const std::string common =
      "SecResponseBodyAccess On\nSecResponseBodyLimit 16\n"
      "SecRule OUTBOUND_DATA_ERROR \"@eq 1\" \"id:1,phase:4,pass,log\"\n"
      "SecRule RESPONSE_BODY \"@contains leak\" \"id:2,phase:4,deny,status:403\"\n"
      "SecRule RESPONSE_CONTENT_LENGTH \"@eq 16\" \"id:3,phase:4,pass,log\"\n";
  const std::vector<http_header> head{{"Content-Type", "text/html"}};
  for (const bool hs : {false, true}) {
    fixture partial(common + "SecResponseBodyLimitAction ProcessPartial\n", hs);
    partial.run();
    EXPECT_FALSE(partial.tx->response_body_limit_rejects());
    http_response resp;
    resp.headers = head;
    resp.body = "0123456789abcdef leak";  // the leak lies past the first 16 bytes
    EXPECT_EQ(partial.tx->process_response(resp).action, verdict_action::pass) << hs;
    EXPECT_EQ(partial.ids(), (std::vector<int64_t>{1, 3})) << hs;
    EXPECT_EQ(partial.tx->counters().response_body_limit_exceeded, 1u);
    partial.run();
    resp.body = "0123 leak";  // within the limit: whole
    EXPECT_EQ(partial.tx->process_response(resp).action, verdict_action::deny) << hs;
    EXPECT_EQ(partial.ids(), (std::vector<int64_t>{2})) << hs;
    partial.run();
    resp.body_over_limit = true;  // a caller that kept only the start: also over the limit
    EXPECT_EQ(partial.tx->process_response(resp).action, verdict_action::deny) << hs;
    EXPECT_EQ(partial.ids(), (std::vector<int64_t>{1, 2})) << hs;

    fixture reject(common + "SecResponseBodyLimitAction Reject\n", hs);
    reject.run();
    EXPECT_TRUE(reject.tx->response_body_limit_rejects());
    resp.body = "0123456789abcdef0";
    resp.body_over_limit = false;
    const verdict v = reject.tx->process_response(resp);
    EXPECT_EQ(v.action, verdict_action::deny) << hs;
    EXPECT_EQ(v.status, 403);
    EXPECT_TRUE(reject.ids().empty()) << hs;  // refused before phase 4

    fixture detect(common + "SecResponseBodyLimitAction Reject\nSecRuleEngine DetectionOnly\n", hs);
    detect.run();
    EXPECT_EQ(detect.tx->process_response(resp).action, verdict_action::pass) << hs;
    EXPECT_EQ(detect.ids(), (std::vector<int64_t>{1, 3})) << hs;  // inspected in part instead
  }
}

TEST(evaluator, transaction_reuse_starts_clean) {
  fixture f("SecRule ARGS:a \"@rx 1\" \"id:1,phase:1,pass,setvar:tx.seen=1\"\n");
  f.req.uri = "/?a=1";
  f.run();
  EXPECT_EQ(f.tx->tx("seen"), "1");
  f.req.uri = "/?a=2";
  f.run();
  EXPECT_EQ(f.tx->tx("seen"), "");
  EXPECT_TRUE(f.ids().empty());
}

// The speed path folds rules that read only TX (fold.cpp); the reference path evaluates them.
// Both must leave TX, the matches and the verdict alike, also when a request-dependent rule
// wrote a key a later TX rule reads (by name, by a macro name, or by being skipped over),
// and when a ctl:ruleRemoveById removes a folded rule.
TEST(evaluator, folded_constant_rules_match_evaluation) {
  const char* rules =
      "SecAction \"id:10,phase:1,pass,nolog,setvar:tx.a=1,setvar:tx.b=5\"\n"
      "SecRule &TX:c \"@eq 0\" \"id:11,phase:1,pass,nolog,setvar:tx.c=2\"\n"
      "SecRule REQUEST_HEADERS:X-Set \"@rx .\" \"id:12,phase:1,pass,nolog,setvar:tx.b=9\"\n"
      "SecRule TX:a \"@eq 1\" \"id:13,phase:1,pass,nolog,setvar:tx.d=+%{tx.b}\"\n"
      "SecRule ARGS:rm \"@rx .\" \"id:14,phase:1,pass,nolog,ctl:ruleRemoveById=20\"\n"
      "SecRule TX:c \"@lt 3\" \"id:15,phase:1,pass,nolog,skipAfter:END\"\n"
      "SecRule ARGS \"@rx .\" \"id:16,phase:1,deny,status:401\"\n"
      "SecMarker END\n"
      "SecAction \"id:17,phase:1,pass,nolog,setvar:tx.g=%{tx.c}%{tx.a}\"\n"
      "SecRule ARGS:skip \"@rx .\" \"id:30,phase:2,pass,nolog,skipAfter:END2\"\n"
      "SecAction \"id:31,phase:2,pass,nolog,setvar:tx.h=1\"\n"
      "SecMarker END2\n"
      "SecRule ARGS_NAMES \"@rx ^n\" \"id:32,phase:2,pass,nolog,capture,setvar:tx.k_%{tx.0}=1\"\n"
      "SecRule TX:h \"@eq 1\" \"id:33,phase:2,pass,nolog,setvar:tx.i=1\"\n"
      "SecRule TX:k_n \"@eq 1\" \"id:34,phase:2,pass,nolog,setvar:tx.j=1\"\n"
      "SecRule TX:a \"@eq 1\" \"id:35,phase:2,pass,nolog,setvar:tx.l=1\"\n"
      "SecRule TX:a \"@eq 1\" \"id:20,phase:2,pass,nolog,setvar:tx.f=1\"\n"
      "SecRule TX:f \"@eq 1\" \"id:21,phase:2,deny,status:403,msg:'f=%{tx.f} g=%{tx.g}'\"\n";
  for (const char* uri : {"/", "/?rm=1", "/?x=1", "/?skip=1", "/?n=1"}) {
    for (bool header : {false, true}) {
      fixture ref(rules), fast(rules, true);
      for (fixture* f : {&ref, &fast}) {
        f->req.uri = uri;
        if (header) f->headers.push_back({"X-Set", "1"});
      }
      const verdict a = ref.run(), b = fast.run();
      EXPECT_EQ(a.action, b.action) << uri << header;
      EXPECT_EQ(a.rule_id, b.rule_id) << uri << header;
      EXPECT_EQ(ref.ids(), fast.ids()) << uri << header;
      for (const char* k : {"a", "b", "c", "d", "f", "g", "h", "i", "j", "k_n", "l"}) {
        EXPECT_EQ(ref.tx->tx(k), fast.tx->tx(k)) << k << " " << uri << header;
      }
      EXPECT_EQ(b.rule_id, std::string_view(uri) == "/?rm=1" ? 0 : 21) << uri << header;
      EXPECT_EQ(fast.tx->tx("d"), header ? "9" : "5");
      EXPECT_EQ(fast.tx->tx("g"), "21");
      EXPECT_EQ(fast.tx->tx("i"), std::string_view(uri) == "/?skip=1" ? "" : "1");
      EXPECT_EQ(fast.tx->tx("j"), std::string_view(uri) == "/?n=1" ? "1" : "");
      EXPECT_EQ(fast.tx->tx("l"), "1");
    }
  }
}

// Phase 5's rules that read named TX values only are replayed under guard on the speed path
// (fold.cpp): when the request left every value they read as the build saw it, and evaluated
// one by one when it did not (a score raised in phase 2, a key the build saw absent now set).
// Both paths must agree, and phase 5 must have evaluated no rule exactly when the guard held.
TEST(evaluator, guarded_logging_rules_match_evaluation) {
  const char* rules =
      "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.score=0,setvar:tx.limit=5\"\n"
      "SecRule ARGS:hit \"@rx .\" \"id:10,phase:2,pass,nolog,setvar:tx.score=+7\"\n"
      "SecRule ARGS:flag \"@rx .\" \"id:11,phase:2,pass,nolog,setvar:tx.flag=1\"\n"
      "SecRule ARGS:seen \"@rx .\" \"id:12,phase:2,pass,nolog,setvar:tx.seen=5\"\n"
      "SecRule &TX:flag \"@eq 0\" \"id:50,phase:5,pass,nolog,skipAfter:END5\"\n"
      "SecAction \"id:51,phase:5,pass,nolog,setvar:tx.flagged=1\"\n"
      "SecMarker END5\n"
      "SecAction \"id:52,phase:5,pass,nolog,setvar:tx.total=%{tx.score},setvar:tx.total=+%{tx.limit}\"\n"
      "SecRule TX:score \"@ge %{tx.limit}\" \"id:53,phase:5,pass,log,msg:'score %{tx.score}'\"\n"
      "SecRule TX:score \"@lt %{tx.limit}\" \"id:54,phase:5,pass,nolog,setvar:tx.low=1\"\n"
      "SecAction \"id:55,phase:5,pass,nolog,setvar:tx.seen=+1\"\n";  // reads, then writes
  for (const char* uri : {"/", "/?hit=1", "/?flag=1", "/?hit=1&flag=1", "/?seen=1"}) {
    fixture ref(rules), fast(rules, true);
    uint64_t logging_rules = 0;
    for (fixture* f : {&ref, &fast}) {
      f->req.uri = uri;
      f->run();
      f->tx->process_response(http_response{});
      const uint64_t before = f->tx->counters().rules_evaluated;
      f->tx->process_logging();
      logging_rules = f->tx->counters().rules_evaluated - before;
    }
    EXPECT_EQ(ref.ids(), fast.ids()) << uri;
    for (const char* k : {"score", "flag", "flagged", "total", "low", "seen"}) {
      EXPECT_EQ(ref.tx->tx(k), fast.tx->tx(k)) << k << " " << uri;
    }
    const bool quiet = std::string_view(uri) == "/";
    EXPECT_EQ(logging_rules == 0, quiet) << uri;  // fast's: replayed only when nothing changed
    EXPECT_EQ(fast.tx->tx("total"), std::string_view(uri).find("hit") != std::string_view::npos ? "12" : "5");
    EXPECT_EQ(fast.tx->tx("flagged"), std::string_view(uri).find("flag") != std::string_view::npos ? "1" : "");
    EXPECT_EQ(fast.ids().size(), std::string_view(uri).find("hit") != std::string_view::npos ? 1u : 0u) << uri;
    EXPECT_EQ(fast.tx->tx("seen"), std::string_view(uri) == "/?seen=1" ? "6" : "1") << uri;
  }
}

// The speed path rejects a repeated value once per link (evaluate.cpp, answers_by_bytes):
// matches on repeats, negated operators, multiMatch and macro parameters (never reused)
// must come out as on the reference path.
TEST(evaluator, repeated_values_agree_with_reference) {
  const char* rules =
      "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.v=x\"\n"
      "SecRule ARGS \"@rx <script\" \"id:10,phase:2,pass,log,setvar:tx.hits=+1\"\n"
      "SecRule ARGS \"!@rx ^[a-z<>/]+$\" \"id:11,phase:2,pass,log,setvar:tx.odd=+1\"\n"
      "SecRule ARGS \"@detectSQLi\" \"id:12,phase:2,pass,log,multiMatch,t:none,t:urlDecodeUni,setvar:tx.sqli=+1\"\n"
      "SecRule ARGS \"@streq %{tx.v}\" \"id:13,phase:2,pass,log,setvar:tx.v=y,setvar:tx.same=+1\"\n";
  fixture ref(rules), fast(rules, true);
  for (fixture* f : {&ref, &fast}) {
    f->req.uri = "/?a=y&b=x&c=y&d=%3Cscript%3E&e=%3Cscript%3E&f=1%27%20or%201=1--&g=1%27%20or%201=1--&h=x";
  }
  ref.run();
  fast.run();
  EXPECT_EQ(ref.ids(), fast.ids());
  for (const char* k : {"hits", "odd", "sqli", "same", "v"}) {
    EXPECT_EQ(ref.tx->tx(k), fast.tx->tx(k)) << k;
  }
  EXPECT_EQ(fast.tx->tx("hits"), "2");
  EXPECT_EQ(fast.tx->tx("sqli"), "2");
  // a=y is rejected while tx.v is x; b=x matches and sets it to y, so c=y, a repeat of a
  // rejected value, must match.
  EXPECT_EQ(fast.tx->tx("same"), "2");
}

// Regex key selectors are prefiltered by their required literals on the speed path only.
TEST(evaluator, regex_selectors_agree_with_reference) {
  const char* rules =
      "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.Header_Name_x=1,setvar:tx.other=1,"
      "setvar:tx.aheader_name_b=1\"\n"
      "SecRule TX:/^HEADER_NAME_/ \"@eq 1\" \"id:2,phase:1,pass,log,setvar:tx.n=+1\"\n"
      "SecRule ARGS:/Se?cret|tok[e]n/ \"@rx .\" \"id:3,phase:1,pass,log,setvar:tx.m=+1\"\n";
  fixture ref(rules), fast(rules, true);
  for (fixture* f : {&ref, &fast}) f->req.uri = "/?SECRET=1&Token=2&scret=3&tokn=4&x=5";
  ref.run();
  fast.run();
  EXPECT_EQ(ref.ids(), fast.ids());
  EXPECT_EQ(fast.tx->tx("n"), "1");
  EXPECT_EQ(fast.tx->tx("m"), "3");
  EXPECT_EQ(ref.tx->tx("m"), "3");
}

}  // namespace
}  // namespace ravelin::waf
