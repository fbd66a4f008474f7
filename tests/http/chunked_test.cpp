// Chunked bodies (RFC 9112 §7.1): extensions, sizes, trailers and the body limit.
#include <gtest/gtest.h>

#include "http_harness.h"

namespace ravelin::http::test {
namespace {

constexpr std::string_view k_head =
    "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
constexpr std::string_view k_head_transcript =
    "head POST /u m3 host=h 1.1 chunked cl=0 ka=1 ec=0 up=0\n"
    "  [Host][h]\n  [Transfer-Encoding][chunked]\n";

std::string body_of(std::string_view chunks, const harness_options& o = {}) {
  const std::string t = run_whole(std::string(k_head) + std::string(chunks), o);
  return t.substr(0, k_head_transcript.size()) == k_head_transcript
             ? t.substr(k_head_transcript.size())
             : t;
}

TEST(chunked, body_and_trailers) {
  EXPECT_EQ(body_of("4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n"
                    "Expires: never\r\nX-Sum:  9f \r\n\r\n"),
            "body [Wikipedia in\r\n\r\nchunks.]\ndone [Expires][never] [X-Sum][9f]\nclosed\n");
}

TEST(chunked, empty_body_and_hex_case) {
  EXPECT_EQ(body_of("0\r\n\r\n"), "done\nclosed\n");
  EXPECT_EQ(body_of("a\r\n0123456789\r\nA\r\n0123456789\r\n000\r\n\r\n"),
            "body [01234567890123456789]\ndone\nclosed\n");
}

TEST(chunked, extensions_that_parse) {
  for (std::string_view line :
       {"3;a\r\n", "3;a=b\r\n", "3 ; a = b ; c\r\n", "3;a=\"\"\r\n", "3;a=\"x;y=z\"\r\n",
        "3;a=\"\\\"q\\\\\"\r\n", "3;a=\"\xe2\x82\xac\"\r\n", "3\t;\ta\t=\tb\r\n"}) {
    EXPECT_EQ(body_of(std::string(line) + "abc\r\n0\r\n\r\n"), "body [abc]\ndone\nclosed\n")
        << line;
  }
}

TEST(chunked, extensions_that_do_not) {
  for (std::string_view line :
       {"3;\r\n", "3;;a\r\n", "3;=b\r\n", "3;a=\r\n", "3;a=b=c\r\n", "3;a=\"b\r\n",
        "3;a=\"b\"c\r\n", "3;a=\"\x01\"\r\n", "3;a=b \r\n", "3;a@b\r\n", "3 \r\n"}) {
    EXPECT_EQ(body_of(std::string(line) + "abc\r\n0\r\n\r\n"), "error bad_chunk_extension\n")
        << line;
  }
}

TEST(chunked, largest_chunk_size_is_accepted_then_truncated) {
  EXPECT_EQ(body_of("0fffffffffffffff\r\nab"), "body [ab]\nerror truncated\n");
  EXPECT_EQ(body_of("10000000000000000\r\n"), "error bad_chunk_size\n");
}

TEST(chunked, body_limit_counts_every_chunk) {
  harness_options o;
  o.limits.max_body_bytes = 8;
  EXPECT_EQ(body_of("4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n", o), "body [abcdefgh]\ndone\nclosed\n");
  EXPECT_EQ(body_of("4\r\nabcd\r\n5\r\nefghi\r\n0\r\n\r\n", o),
            "body [abcd]\nerror body_too_large\n");
}

TEST(chunked, chunk_line_limit) {
  harness_options o;
  o.limits.max_chunk_line = 8;
  EXPECT_EQ(body_of("3;a=1234\r\nabc\r\n0\r\n\r\n", o), "body [abc]\ndone\nclosed\n");
  EXPECT_EQ(body_of("3;a=12345\r\nabc\r\n0\r\n\r\n", o), "error chunk_line_too_long\n");
}

TEST(chunked, trailers_do_not_change_framing) {
  // RFC 9110 §6.5.1: a Content-Length or Host in the trailer section is only a field.
  EXPECT_EQ(body_of("1\r\nx\r\n0\r\nContent-Length: 50\r\nHost: other\r\n\r\n"
                    "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"),
            "body [x]\ndone [Content-Length][50] [Host][other]\n"
            "head GET /next m1 host=h 1.1 none cl=0 ka=1 ec=0 up=0\n  [Host][h]\ndone\nclosed\n");
}

TEST(chunked, trailer_section_has_its_own_limits) {
  harness_options o;
  o.limits.max_fields = 2;
  EXPECT_EQ(body_of("0\r\nA: 1\r\nB: 2\r\n\r\n", o), "done [A][1] [B][2]\nclosed\n");
  EXPECT_EQ(body_of("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", o), "error too_many_fields\n");
  o.table_size = 3;  // the two head fields leave room for one trailer
  EXPECT_EQ(body_of("0\r\nA: 1\r\nB: 2\r\n\r\n", o), "error too_many_fields\n");
}

}  // namespace
}  // namespace ravelin::http::test
