// Differential test of the speed path: requests generated from benign and hostile fragments
// (seeded, so every run sees the same ones) go through the PCRE2 reference path and the
// Hyperscan path at paranoia level 4; matched rules, their logged data, the anomaly score and
// the verdict must agree exactly.
#include <gtest/gtest.h>

#include <random>

#include "crs_rules.h"
#include "ravelin/waf/engine.h"

namespace ravelin::waf {
namespace {

const char* const k_fragments[] = {
    "hello", "world", "1042", "-1", "0x41", "a b", "%20", "%27", "%22", "%3C", "%3E", "%00",
    "%u0027", "%uff1c", "&#x3c;", "&lt;", "\\x27", "\\u003c", "'", "\"", "`", ";", "|", "&&",
    "--", "/*", "*/", "#", "(", ")", "<", ">", "=", "../", "..\\", "/etc/passwd", "c:\\windows",
    "union", "UNION ALL SELECT", "select * from users", " or 1=1", "' or '1'='1", "sleep(5)",
    "benchmark(", "@@version", "information_schema", "<script>", "alert(1)", "onerror=",
    "javascript:", "<svg/onload=x>", "<iframe", "document.cookie", "eval(", "${jndi:ldap://x}",
    "system(", "phpinfo()", "<?php", "$_GET", "cat /etc/shadow", ";ls -la", "`id`", "$(whoami)",
    "wget http://x", "cmd.exe", "powershell", "java.lang.Runtime", "ProcessBuilder",
    "require('child_process')", "__proto__", "constructor", "Content-Type:", "\r\n", "\n",
    "http://evil.example/", "file://", "php://filter", "data:text/html", "%c0%af", "\xc3\xa9",
    "\xef\xbc\x9c", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "=", "&", "+", "~", "!", "@",
    "SELECT", "DROP TABLE", "xp_cmdshell", "waitfor delay '0:0:5'", "||", "CHAR(65)", "0e1",
};

const char* const k_benign[] = {
    "hello", "world", "1042", "order", "status", "open", "Ada", "Lovelace", "en-US", "2024",
    "page", "10", "sort", "name", "asc", "id", "item", "blue", "shoes", "search", "json",
};
bool g_benign = false;  // the current request uses benign words only

std::string phrase(std::mt19937& rng, int max_parts) {
  std::uniform_int_distribution<int> n(1, max_parts);
  std::string out;
  for (int i = n(rng); i > 0; --i) {
    if (g_benign) {
      if (!out.empty()) out += ' ';
      out += k_benign[rng() % std::size(k_benign)];
    } else {
      out += k_fragments[rng() % std::size(k_fragments)];
    }
  }
  return out;
}

std::string url_encode_some(std::mt19937& rng, const std::string& s) {
  std::string out;
  for (const char c : s) {
    if ((std::isalnum(static_cast<unsigned char>(c)) && rng() % 4) || c == '%') {
      out.push_back(c);
    } else {
      static const char hex[] = "0123456789ABCDEF";
      out += '%';
      out += hex[static_cast<unsigned char>(c) >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

struct generated {
  std::string uri, body, content_type, cookie, ua, extra_name, extra_value;
  std::vector<http_header> headers;
  http_request req;
};

void generate(std::mt19937& rng, generated& g) {
  g_benign = rng() % 2 == 0;
  g.uri = "/" + url_encode_some(rng, phrase(rng, 2)) + "?";
  const int args = static_cast<int>(rng() % 4);
  for (int i = 0; i < args; ++i) {
    if (i) g.uri += "&";
    g.uri += url_encode_some(rng, phrase(rng, 1)) + "=" + url_encode_some(rng, phrase(rng, 3));
  }
  g.cookie = "session=" + phrase(rng, 1) + "; pref=" + url_encode_some(rng, phrase(rng, 2));
  g.ua = rng() % 3 ? "Mozilla/5.0 (X11; Linux x86_64)" : phrase(rng, 2);
  g.extra_name = "X-" + std::to_string(rng() % 100);
  g.extra_value = phrase(rng, 2);
  g.headers = {{"Host", "example.com"}, {"User-Agent", g.ua}, {"Accept", "*/*"},
               {"Cookie", g.cookie}, {g.extra_name, g.extra_value}};
  g.req = {};
  g.req.method = "GET";
  switch (rng() % 4) {
    case 1:
      g.content_type = "application/x-www-form-urlencoded";
      g.body = "a=" + url_encode_some(rng, phrase(rng, 3)) + "&" + url_encode_some(rng, phrase(rng, 1)) + "=1";
      break;
    case 2:
      g.content_type = "application/json";
      g.body = "{\"q\":\"" + phrase(rng, 3) + "\",\"n\":[1,\"" + phrase(rng, 2) + "\"]}";
      break;
    case 3:
      g.content_type = "multipart/form-data; boundary=b";
      g.body = "--b\r\nContent-Disposition: form-data; name=\"" + phrase(rng, 1) + "\"\r\n\r\n" +
               phrase(rng, 3) + "\r\n--b--\r\n";
      break;
    default:
      g.content_type.clear();
      g.body.clear();
  }
  if (!g.body.empty()) {
    g.req.method = "POST";
    g.headers.push_back({"Content-Type", g.content_type});
  }
  g.req.uri = g.uri;
  g.req.protocol = "HTTP/1.1";
  g.req.headers = g.headers;
  g.req.body = g.body;
  g.req.remote_addr = "198.18.0.2";
}

TEST(differential, generated_requests_agree_exactly) {
  auto rs = test::load_crs(test::paranoia(4));
  ASSERT_TRUE(rs);
  waf_engine reference(rs), fast(rs, engine_options{true});
  transaction a(reference), b(fast);
  std::mt19937 rng(20241127);
  generated g;
  size_t blocked = 0, matched = 0;
  for (int n = 0; n < 1500; ++n) {
    generate(rng, g);
    const verdict va = a.process_request(g.req, "d");
    const verdict vb = b.process_request(g.req, "d");
    ASSERT_EQ(va.action, vb.action) << g.uri;
    ASSERT_EQ(va.rule_id, vb.rule_id) << g.uri;
    ASSERT_EQ(a.matches().size(), b.matches().size()) << g.uri << "\n" << g.body;
    for (size_t i = 0; i < a.matches().size(); ++i) {
      ASSERT_EQ(a.matches()[i].id, b.matches()[i].id) << g.uri;
      ASSERT_EQ(a.matches()[i].data, b.matches()[i].data) << g.uri;
      ASSERT_EQ(a.matches()[i].var_name, b.matches()[i].var_name) << g.uri;
    }
    // The speed path folds CRS' constant set-up rules: TX must come out the same.
    for (const char* k : {"anomaly_score", "anomaly_score_pl1", "anomaly_score_pl2",
                          "sql_injection_score", "xss_score", "rce_score", "lfi_score",
                          "http_violation_score", "executing_paranoia_level",
                          "detection_paranoia_level", "inbound_anomaly_score_threshold",
                          "critical_anomaly_score", "allowed_methods", "restricted_headers",
                          "ua_hash", "real_ip", "crs_setup_version"}) {
      ASSERT_EQ(a.tx(k), b.tx(k)) << k << " " << g.uri;
    }
    blocked += va.interrupted();
    matched += a.matches().size();
  }
  // The generator must exercise the rules, not just pass clean requests.
  EXPECT_GT(blocked, 500u);
  EXPECT_LT(blocked, 1400u);
  EXPECT_GT(matched, 5000u);
  EXPECT_GT(b.counters().hs_scans, 0u);
  std::printf("1500 generated requests: %zu blocked, %zu rule matches, identical on both paths\n",
              blocked, matched);
}

// A body with a thousand arguments, many repeated: the speed path's member lists run out of
// room part-way (evaluate.cpp then walks the collections itself) and repeats are rejected
// once per link. Both must still agree with the reference path.
TEST(differential, many_and_repeated_arguments_agree_exactly) {
  auto rs = test::load_crs(test::paranoia(2));
  ASSERT_TRUE(rs);
  waf_engine reference(rs), fast(rs, engine_options{true});
  transaction a(reference), b(fast);
  for (const char* last : {"plain", "1%27%20or%201%3D1--", "%3Cscript%3Ealert(1)%3C/script%3E"}) {
    std::string body;
    for (int i = 0; i < 999; ++i) {
      body += "k" + std::to_string(i) + "=" + (i % 3 ? "same+value" : "Other.Value-" + std::to_string(i % 7)) + "&";
    }
    body += std::string("z=") + last;
    http_request req;
    std::vector<http_header> headers{{"Host", "x"},
                                     {"Content-Type", "application/x-www-form-urlencoded"}};
    req.method = "POST";
    req.uri = "/form";
    req.protocol = "HTTP/1.1";
    req.headers = headers;
    req.body = body;
    req.remote_addr = "198.18.0.2";
    const verdict va = a.process_request(req, "m");
    const verdict vb = b.process_request(req, "m");
    ASSERT_EQ(va.action, vb.action) << last;
    ASSERT_EQ(va.rule_id, vb.rule_id) << last;
    ASSERT_EQ(a.matches().size(), b.matches().size()) << last;
    for (size_t i = 0; i < a.matches().size(); ++i) {
      ASSERT_EQ(a.matches()[i].id, b.matches()[i].id) << last;
      ASSERT_EQ(a.matches()[i].data, b.matches()[i].data) << last;
      ASSERT_EQ(a.matches()[i].var_name, b.matches()[i].var_name) << last;
    }
    ASSERT_EQ(a.tx("anomaly_score"), b.tx("anomaly_score")) << last;
    if (std::string_view(last) != "plain") {
      EXPECT_GT(b.matches().size(), 1u) << last;  // more than the argument-count rules
    }
  }
}

}  // namespace
}  // namespace ravelin::waf

namespace ravelin::waf {
namespace {

// Patterns without required literals go whole into Hyperscan when hs_whole_regex is set
// (exact, else HS_FLAG_PREFILTER for look-arounds and back-references): still exact results.
TEST(differential, whole_regex_databases_agree_exactly) {
  auto r = load_rules_text(
      "SecRuleEngine On\n"
      "SecRule ARGS \"@rx \\W{4}\" \"id:1,phase:1,pass,capture,logdata:'%{TX.0}'\"\n"
      "SecRule ARGS \"@rx (?<![a-z])\\d{3,}(?=x)\" \"id:2,phase:1,pass,t:lowercase\"\n"
      "SecRule ARGS \"@rx ^(a|b)\\1+$\" \"id:3,phase:1,pass\"\n"
      "SecRule ARGS|ARGS_NAMES \"!@rx ^[\\w.]*$\" \"id:4,phase:1,pass,multiMatch,t:urlDecodeUni\"\n",
      "t.conf");
  ASSERT_TRUE(r.rules) << (r.errors.empty() ? "" : r.errors[0].to_string());
  waf_engine reference(r.rules), whole(r.rules, engine_options{true, true});
  transaction a(reference), b(whole);
  std::mt19937 rng(7);
  size_t matched = 0;
  for (int n = 0; n < 400; ++n) {
    http_request req;
    std::string uri = "/?" + url_encode_some(rng, phrase(rng, 2)) + "=" + phrase(rng, 3) + "&q=aab" +
                      std::to_string(rng() % 2000) + (rng() % 2 ? "x" : "y");
    req.method = "GET";
    req.uri = uri;
    req.protocol = "HTTP/1.1";
    a.process_request(req, "w");
    b.process_request(req, "w");
    ASSERT_EQ(a.matches().size(), b.matches().size()) << uri;
    for (size_t i = 0; i < a.matches().size(); ++i) {
      ASSERT_EQ(a.matches()[i].id, b.matches()[i].id) << uri;
      ASSERT_EQ(a.matches()[i].data, b.matches()[i].data) << uri;
    }
    matched += a.matches().size();
  }
  EXPECT_GT(matched, 100u);
  EXPECT_GT(b.counters().hs_scans, 0u);
}

}  // namespace
}  // namespace ravelin::waf
