// Operator primitives, from the reference manual's definitions (Operators chapter), plus the
// SQLi/XSS detectors on classic attack strings and on benign text they must not flag.
#include <gtest/gtest.h>

#include <cstring>

#include "ravelin/waf/matchers.h"
#include "ravelin/waf/operators.h"
#include "ravelin/waf/regex.h"

namespace ravelin::waf {
namespace {

TEST(operators, sec_atoi_reads_like_stoi_with_zero_on_error) {
  EXPECT_EQ(sec_atoi("42"), 42);
  EXPECT_EQ(sec_atoi("  -7xyz"), -7);
  EXPECT_EQ(sec_atoi("abc"), 0);
  EXPECT_EQ(sec_atoi(""), 0);
  EXPECT_EQ(sec_atoi("99999999999"), 0);
}

// `^.*$` skips PCRE2: its answer and capture must be what PCRE2 gives for the same pattern.
TEST(operators, whole_subject_regex_answers_like_pcre2) {
  regex_scratch scratch;
  for (const char* pattern : {"^.*$", "^.*", ".*"}) {
    const regex fast(pattern);
    const regex slow(std::string("(?:") + pattern + ")");
    for (const char* subject : {"", "user-agent", "a\nb", "x\n", "\n\n"}) {
      regex_captures a, b;
      ASSERT_EQ(fast.match(subject, scratch, &a), slow.match(subject, scratch, &b)) << pattern << subject;
      EXPECT_EQ(a.count, b.count);
      EXPECT_EQ(a.group[0], b.group[0]) << pattern << " on " << subject;
    }
  }
}

TEST(operators, validate_byte_range) {
  std::array<bool, 256> ok{};
  for (int b = 32; b <= 126; ++b) ok[b] = true;
  EXPECT_FALSE(byte_range_violation(ok, "hello world"));
  EXPECT_TRUE(byte_range_violation(ok, std::string("a\0b", 3)));
  EXPECT_TRUE(byte_range_violation(ok, "caf\xE9"));
}

TEST(operators, validate_url_encoding) {
  EXPECT_FALSE(invalid_url_encoding("a%20b%41"));
  EXPECT_TRUE(invalid_url_encoding("a%2"));   // not enough bytes
  EXPECT_TRUE(invalid_url_encoding("a%zzb"));  // non-hex
  EXPECT_FALSE(invalid_url_encoding("plain"));
}

TEST(operators, validate_utf8_encoding) {
  EXPECT_FALSE(invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_TRUE(invalid_utf8("\xC3"));               // truncated
  EXPECT_TRUE(invalid_utf8("\xC0\xAF"));           // overlong '/'
  EXPECT_TRUE(invalid_utf8("\xED\xA0\x80"));       // surrogate
  EXPECT_TRUE(invalid_utf8("\xF4\x90\x80\x80"));   // above U+10FFFF
  EXPECT_TRUE(invalid_utf8("\x80"));               // lone continuation
}

TEST(operators, contains_word_and_within) {
  EXPECT_TRUE(contains_word("select * from t", "select"));
  EXPECT_FALSE(contains_word("selection", "select"));
  EXPECT_TRUE(contains_word("a,select;", "select"));
  EXPECT_TRUE(within("GET", "GET HEAD POST"));
  EXPECT_FALSE(within("PUT", "GET HEAD POST"));
  EXPECT_TRUE(within("", "x"));
  // CRS' lists repeat the needle's first byte at every entry; the last entry and a needle
  // longer than the list are the edges.
  const std::string_view restricted = "/proxy/ /lock-token/ /content-range/ /if/";
  EXPECT_TRUE(within("/if/", restricted));
  EXPECT_TRUE(within("/proxy/", restricted));
  EXPECT_FALSE(within("/i/", restricted));
  EXPECT_FALSE(within("/host/", restricted));
  EXPECT_FALSE(within("/if/ /x/", "/if/"));
  EXPECT_FALSE(within("x", ""));
  EXPECT_FALSE(within("x", std::string_view()));  // an unset %{tx.x}: no data at all
}

TEST(operators, phrase_matcher_is_case_insensitive_and_reports_the_phrase) {
  const phrase_matcher pm({"he", "she", "his", "hers", "/etc/passwd"});
  std::string_view hit;
  EXPECT_TRUE(pm.find("uSHErs", &hit));
  EXPECT_EQ(hit, "she");
  EXPECT_TRUE(pm.find("cat /ETC/passwd", &hit));
  EXPECT_EQ(hit, "/etc/passwd");
  EXPECT_FALSE(pm.find("xyz"));
  EXPECT_FALSE(pm.find(""));
}

TEST(operators, ip_set_v4_v6_cidr) {
  const ip_set ips("127.0.0.1,::1, 10.0.0.0/8 2001:db8::/32");
  EXPECT_TRUE(ips.contains("127.0.0.1"));
  EXPECT_TRUE(ips.contains("10.200.3.4"));
  EXPECT_FALSE(ips.contains("11.0.0.1"));
  EXPECT_TRUE(ips.contains("::1"));
  EXPECT_TRUE(ips.contains("2001:db8:1::5"));
  EXPECT_FALSE(ips.contains("2001:db9::1"));
  EXPECT_FALSE(ips.contains("not-an-ip"));
  EXPECT_THROW(ip_set("1.2.3.4/33"), std::runtime_error);
}

TEST(detect_sqli, classic_injections) {
  for (const char* s : {"' or '1'='1", "1' or 1=1--", "admin'--", "1 union select 1,2,3",
                        "-1 UNION ALL SELECT password FROM users", "x'; drop table users--",
                        "1 or 1=1", "1' and sleep(5)#", "') or ('a'='a", "\" or \"\"=\"",
                        "1;select pg_sleep(5)", "select * from users", "1 and @@version",
                        "' union/**/select null--", "1) or (1=1"}) {
    sqli_fingerprint fp;
    EXPECT_TRUE(detect_sqli(s, &fp)) << s;
    EXPECT_GT(std::strlen(fp.text), 0u) << s;
  }
}

TEST(detect_sqli, benign_text) {
  for (const char* s : {"hello world", "O'Reilly or someone", "it's a nice day", "Rock 'n' roll",
                        "choose 1 or 2", "john.doe@example.com", "2024-01-01", "select an option",
                        "Tom & Jerry", "price: 10-20", "I'm here and you", "the union of sets",
                        "a -- b", "#hashtag", "drop me a line", "C'est la vie; bonne journée"}) {
    EXPECT_FALSE(detect_sqli(s)) << s;
  }
}

// Single words skip the tokenizer; a space or any other byte puts them back through it.
TEST(detect_sqli, words_alone_are_never_injections) {
  for (const char* s : {"union", "select", "sleep", "1union", "1_union_select", "x$y.z", "6f1c2a9e8b7d4c3a", ""}) {
    EXPECT_FALSE(detect_sqli(s)) << s;
  }
  EXPECT_TRUE(detect_sqli("union select"));
  EXPECT_TRUE(detect_sqli("1;select\tx"));
}

TEST(detect_xss, classic_vectors) {
  for (const char* s : {"<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                        "<a href=\"javascript:alert(1)\">x</a>", "\"><svg/onload=alert(1)>",
                        "\" onmouseover=\"alert(1)", "' onfocus='x", "<iframe src=//x>",
                        "<a href=' jav&#x09;ascript:x'>", "<body onload=x>",
                        "<div style=\"width:expression(alert(1))\">", "x onerror=alert(1)",
                        "<IMG SRC=\"jav\tascript:alert('XSS');\">", "<object data=x>"}) {
    EXPECT_TRUE(detect_xss(s)) << s;
  }
}

// Reports need a tag ('<') or an attribute value ('='); detect_xss answers values with
// neither in one pass, so a script scheme or handler name alone is not an injection, and
// one such byte is enough to be read again.
TEST(detect_xss, needs_a_tag_or_an_attribute_value) {
  for (const char* s : {"javascript:alert(1)", "onload alert(1)", "\" onmouseover alert(1)",
                        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"}) {
    EXPECT_FALSE(detect_xss(s)) << s;
  }
  EXPECT_TRUE(detect_xss("\" onmouseover=alert(1)"));
  EXPECT_TRUE(detect_xss("<svg"));
}

TEST(detect_xss, benign_text) {
  for (const char* s : {"hello", "a < b and c > d", "<b>bold</b>", "I am online today",
                        "<a href=\"https://example.com\">link</a>", "x<y", "one onion",
                        "\"quoted\" text", "it's <3", "<p class=\"note\">hi</p>"}) {
    EXPECT_FALSE(detect_xss(s)) << s;
  }
}

}  // namespace
}  // namespace ravelin::waf
