// Every bound of limits{} and of the caller's table and scratch: at the limit passes, one
// byte or field past it is refused with the matching status.
#include <gtest/gtest.h>

#include <string>

#include "http_harness.h"

namespace ravelin::http::test {
namespace {

std::string request_with_target(std::size_t line_length) {
  const std::string fixed = "GET / HTTP/1.1";
  return "GET /" + std::string(line_length - fixed.size(), 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n";
}

TEST(limits, request_line) {
  harness_options o;
  o.limits.max_start_line = 100;
  EXPECT_EQ(error_of(request_with_target(100), o), error::none);
  EXPECT_EQ(error_of(request_with_target(101), o), error::start_line_too_long);
  EXPECT_EQ(status_of(error::start_line_too_long), 414);
  // Refused before the line ends, so a client cannot hold the parser with an endless line.
  EXPECT_EQ(error_of("GET /" + std::string(200, 'a'), o), error::start_line_too_long);
}

TEST(limits, head_bytes_include_every_crlf) {
  harness_options o;
  const std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: ";  // 28 bytes
  const std::string at_limit = head + std::string(100 - head.size() - 4, 'v') + "\r\n\r\n";
  ASSERT_EQ(at_limit.size(), 100u);
  o.limits.max_head_bytes = 100;
  EXPECT_EQ(error_of(at_limit, o), error::none);
  o.limits.max_head_bytes = 99;
  EXPECT_EQ(error_of(at_limit, o), error::head_too_large);
  EXPECT_EQ(error_of(head + std::string(500, 'v'), o), error::head_too_large);
}

TEST(limits, start_line_against_a_smaller_head_limit_is_431) {
  harness_options o;
  o.limits.max_head_bytes = 50;
  EXPECT_EQ(error_of(request_with_target(60), o), error::head_too_large);
}

TEST(limits, field_count_and_table_size) {
  std::string req = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 9; ++i) req += "X-" + std::to_string(i) + ": v\r\n";
  req += "\r\n";  // 10 fields
  harness_options o;
  o.limits.max_fields = 10;
  EXPECT_EQ(error_of(req, o), error::none);
  o.limits.max_fields = 9;
  EXPECT_EQ(error_of(req, o), error::too_many_fields);
  o.limits.max_fields = 100;
  o.table_size = 9;
  EXPECT_EQ(error_of(req, o), error::too_many_fields);
  EXPECT_EQ(status_of(error::too_many_fields), 431);
}

TEST(limits, content_length_over_the_body_limit_is_refused_before_the_body) {
  harness_options o;
  o.limits.max_body_bytes = 10;
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", o),
            error::none);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", o),
            error::body_too_large);
  EXPECT_EQ(status_of(error::body_too_large), 413);
}

TEST(limits, small_scratch_refuses_only_lines_that_straddle_segments) {
  harness_options o;
  o.scratch_size = 8;
  const std::string_view in = "GET / HTTP/1.1\r\nHost: h\r\nX-Long-Field: 0123456789\r\n\r\n";
  EXPECT_EQ(run_whole(in, o).find("error"), std::string::npos);
  EXPECT_EQ(run_cut(in, {in.find("Host") + 2}, o).find("error"), std::string::npos);
  EXPECT_EQ(run_cut(in, {in.find("0123")}, o), "error scratch_exhausted\n");
}

TEST(limits, leading_empty_lines_count_against_the_head) {
  harness_options o;
  o.limits.max_head_bytes = 40;
  std::string crlfs;
  for (int i = 0; i < 20; ++i) crlfs += "\r\n";
  EXPECT_EQ(error_of(crlfs + "GET / HTTP/1.1\r\nHost: h\r\n\r\n", o), error::head_too_large);
}

}  // namespace
}  // namespace ravelin::http::test
