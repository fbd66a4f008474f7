// Transformations, checked against the definitions in the ModSecurity reference manual
// ("Transformation functions") and v3's documented edge cases (invalid input is kept).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "internal/transform_impl.h"
#include "ravelin/waf/transform.h"

namespace ravelin::waf {
namespace {

std::string t(std::string_view name, std::string_view in) {
  const auto id = transform_from_name(name);
  EXPECT_TRUE(id) << name;
  std::string out;
  apply_transform(*id, in, out);
  return out;
}

std::string hex(std::string_view s) {
  std::string out;
  apply_transform(transform_id::hex_encode, s, out);
  return out;
}

TEST(transform, names_are_case_insensitive_with_both_spellings) {
  EXPECT_EQ(transform_from_name("base64decode"), transform_id::base64_decode);
  EXPECT_EQ(transform_from_name("normalizePath"), transform_id::normalise_path);
  EXPECT_EQ(transform_from_name("normalizePathWin"), transform_id::normalise_path_win);
  EXPECT_FALSE(transform_from_name("alert"));
}

TEST(transform, case_and_length) {
  EXPECT_EQ(t("lowercase", "AbC\xC4"), "abc\xC4");
  EXPECT_EQ(t("uppercase", "aBc"), "ABC");
  EXPECT_EQ(t("length", "hello"), "5");
  EXPECT_EQ(t("length", ""), "0");
}

TEST(transform, url_decode) {
  EXPECT_EQ(t("urlDecode", "a%20b+c%41"), "a b cA");
  EXPECT_EQ(t("urlDecode", "%zz%4"), "%zz%4");  // invalid encodings are left alone
  EXPECT_EQ(t("urlDecode", "%u0041"), "%u0041");
}

TEST(transform, url_decode_uni) {
  EXPECT_EQ(t("urlDecodeUni", "%u0041%uff21%u00"), "AA%u00");
  EXPECT_EQ(t("urlDecodeUni", "%U0027 or 1"), "' or 1");
  EXPECT_EQ(t("urlDecodeUni", "%u20AC"), "\xAC");  // low byte only
  EXPECT_EQ(t("urlDecodeUni", "%uZZZZ%2"), "%uZZZZ%2");
}

TEST(transform, html_entity_decode) {
  EXPECT_EQ(t("htmlEntityDecode", "&lt;script&gt;&#x41;&#66;&amp;&quot;&nbsp;"), "<script>AB&\"\xA0");
  EXPECT_EQ(t("htmlEntityDecode", "&#x41&#66x&LT;"), "ABx<");  // ';' optional, names any case
  EXPECT_EQ(t("htmlEntityDecode", "&unknown;&#xZ;&#;&"), "&unknown;&#xZ;&#;&");
}

TEST(transform, js_decode) {
  EXPECT_EQ(t("jsDecode", "\\x41\\u0042\\103\\n\\'\\z"), "ABC\n'z");
  EXPECT_EQ(t("jsDecode", "\\uff21\\477"), "A'7");  // full width; \477 > 0377 uses two digits
  EXPECT_EQ(t("jsDecode", "\\u00\\"), "u00\\");
}

TEST(transform, css_decode) {
  EXPECT_EQ(t("cssDecode", "\\61\\62 c\\\nd\\"), "abcd");
  EXPECT_EQ(t("cssDecode", "jav\\0061script"), "javascript");
  EXPECT_EQ(t("cssDecode", "\\ff21\\x"), "Ax");
}

TEST(transform, cmd_line) {
  EXPECT_EQ(t("cmdLine", "ECHO ^hello , world ; /x"), "echo hello world/x");
  EXPECT_EQ(t("cmdLine", "c\"a't \\/etc/pa\"ss\"wd"), "cat/etc/passwd");
  EXPECT_EQ(t("cmdLine", "ping   (x)"), "ping(x)");
}

TEST(transform, whitespace_nulls_comments) {
  EXPECT_EQ(t("compressWhitespace", "a \t\n b\xA0\xA0" "c"), "a b c");
  EXPECT_EQ(t("removeWhitespace", "a b\tc\xA0" "d"), "abcd");
  EXPECT_EQ(t("removeNulls", std::string("a\0b", 3)), "ab");
  EXPECT_EQ(t("replaceNulls", std::string("a\0b", 3)), "a b");
  EXPECT_EQ(t("replaceComments", "a/*x*/b/*c"), "a b ");
  EXPECT_EQ(t("removeCommentsChar", "a/*b*/c--d#e"), "abcde");
  EXPECT_EQ(t("removeComments", "a/*b*/c<!--d-->e--f"), "ace");
}

TEST(transform, normalise_path) {
  EXPECT_EQ(t("normalisePath", "/a/b/../c/./d//e/"), "/a/c/d/e/");
  EXPECT_EQ(t("normalisePath", "../x/../y"), "../y");
  EXPECT_EQ(t("normalisePath", "/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(t("normalisePath", "a/./b/."), "a/b/");
  EXPECT_EQ(t("normalisePathWin", "\\a\\..\\b\\c"), "/b/c");
}

TEST(transform, codecs) {
  EXPECT_EQ(t("base64Decode", "SGVsbG8="), "Hello");
  EXPECT_EQ(t("base64Decode", "SGVs*bG8"), "Hel");         // stops at a foreign byte
  EXPECT_EQ(t("base64DecodeExt", "SGVs*bG8="), "Hello");  // skips it
  EXPECT_EQ(t("base64Encode", "Hello"), "SGVsbG8=");
  EXPECT_EQ(t("hexDecode", "41424"), "AB");
  EXPECT_EQ(t("hexEncode", "AB\xFF"), "4142ff");
  EXPECT_EQ(t("sqlHexDecode", "x 0x414243 0xZ"), "x ABC 0xZ");
  EXPECT_EQ(t("urlEncode", "a b&c"), "a+b%26c");
  EXPECT_EQ(hex(t("sha1", "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(t("sha1", std::string(1000, 'a'))), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
}

// SHA-1 has two block functions (portable and SHA-NI, where the CPU has it): FIPS 180-4's
// vectors on both, and every length up to three blocks plus padding must agree.
TEST(transform, sha1_paths_agree) {
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>((i * 131 + 7) % 256));
  std::vector<std::string> digests[2];
  for (const bool ni : {false, true}) {
    auto sha1 = [ni](std::string_view in) {
      std::string out;
      ravelin::waf::detail::sha1_digest(in, out, ni);
      return out;
    };
    EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(hex(sha1(two_blocks)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    for (size_t n = 0; n <= data.size(); ++n) digests[ni].push_back(sha1(std::string_view(data).substr(0, n)));
  }
  EXPECT_EQ(digests[0], digests[1]);
}

TEST(transform, utf8_to_unicode_then_url_decode_uni) {
  const std::string u = t("utf8toUnicode", "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xC3");
  EXPECT_EQ(u, "a%u00e9%u20ac%u1f600\xC3");  // truncated sequence copied as is
  EXPECT_EQ(t("urlDecodeUni", u), "a\xE9\xAC`0\xC3");  // %u1f60 -> 0x60, then "0"
  // Full-width '＜' (U+FF1C) becomes '<' after both steps, as CRS relies on.
  EXPECT_EQ(t("urlDecodeUni", t("utf8toUnicode", "\xEF\xBC\x9C")), "<");
}

TEST(transform, trims) {
  EXPECT_EQ(t("trim", " \ta b \n"), "a b");
  EXPECT_EQ(t("trimLeft", "  a "), "a ");
  EXPECT_EQ(t("trimRight", "  a "), "  a");
}

// The evaluator returns a value untouched when no byte of it can make a step of the chain
// change it (byte_classes / identity_breakers). Checked against the transformations
// themselves on many strings mixing every byte kind the classes tell apart.
TEST(transform, identity_by_byte_class_is_exact) {
  const std::string_view alphabet[] = {
      "a", "Z", "0",   " ",    "\t",       "%",  "+", "&",  "\\", std::string_view("\0", 1),
      "/", "*", ".",   "\xa0", "\xc3\xa9", ";",  "'", "\"", "(",  "#",
      "-", "x", "%41", "&lt;", "/*",       "..", "  "};
  uint64_t seed = 42;
  auto next = [&] { return seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; };
  std::string out;
  size_t skipped = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string v;
    for (int n = static_cast<int>(next() >> 60); n > 0; --n)
      v += alphabet[(next() >> 33) % std::size(alphabet)];
    for (int t = 0; t <= static_cast<int>(transform_id::parity_zero_7bit); ++t) {
      const auto id = static_cast<transform_id>(t);
      bool opaque = false;
      const uint32_t breakers = identity_breakers(id, opaque);
      if (opaque || id == transform_id::none || (byte_classes(v) & breakers)) continue;
      ++skipped;
      apply_transform(id, v, out);
      EXPECT_EQ(out, v) << transform_name(id) << " on \"" << v << "\"";
    }
  }
  EXPECT_GT(skipped, 4000u);  // the check above really ran
  bool opaque = false;
  identity_breakers(transform_id::sha1, opaque);
  EXPECT_TRUE(opaque);
  EXPECT_NE(byte_classes("Abc") & identity_breakers(transform_id::lowercase, opaque), 0u);
}

}  // namespace
}  // namespace ravelin::waf
