// The smuggling table: each vector is refused with its error and status, and the parser
// stops there (no head of a second message can follow a refusal).
#include <gtest/gtest.h>

#include "http_harness.h"
#include "http_vectors.h"

namespace ravelin::http::test {
namespace {

TEST(smuggling, every_vector_is_refused_with_its_status) {
  for (const refused_vector& v : smuggling_vectors()) {
    const error got = error_of(v.input);
    EXPECT_EQ(info_of(got).name, std::string_view(info_of(v.expected).name)) << v.name;
    EXPECT_EQ(status_of(got), v.status) << v.name;
  }
}

TEST(smuggling, nothing_after_a_refusal_is_parsed) {
  for (const refused_vector& v : smuggling_vectors()) {
    std::string in(v.input);
    in += "GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n";
    const std::string t = run_whole(in);
    EXPECT_EQ(t.find("/smuggled"), std::string::npos) << v.name << "\n" << t;
    EXPECT_NE(t.find("error "), std::string::npos) << v.name << "\n" << t;
  }
}

TEST(smuggling, statuses_cover_the_issue) {
  EXPECT_EQ(status_of(error::content_length_and_transfer_encoding), 400);
  EXPECT_EQ(status_of(error::unsupported_transfer_encoding), 501);
  EXPECT_EQ(status_of(error::start_line_too_long), 414);
  EXPECT_EQ(status_of(error::head_too_large), 431);
  EXPECT_EQ(status_of(error::too_many_fields), 431);
  EXPECT_EQ(status_of(error::body_too_large), 413);
  for (const error_info& e : k_error_table) {
    if (std::string_view(e.name) == "none") continue;
    EXPECT_TRUE(e.status == 400 || e.status == 413 || e.status == 414 || e.status == 431 ||
                e.status == 501 || e.status == 505)
        << e.name;
  }
}

TEST(smuggling, accepted_lookalikes) {
  // Allowed by RFC 9112 and unambiguous: they must not be refused.
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n"),
            error::none);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\tchunked \r\n\r\n0\r\n\r\n"),
            error::none);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\nabcdefg"),
            error::none);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:  3 \r\n\r\nabc"), error::none);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost:\r\n\r\n"), error::none);  // empty Host is valid
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"), error::none);
  EXPECT_EQ(error_of("GET / HTTP/1.0\r\n\r\n"), error::none);  // no Host needed in 1.0
  // Transfer_Encoding is just an unknown field: no body.
  EXPECT_EQ(run_whole("POST / HTTP/1.1\r\nHost: h\r\nTransfer_Encoding: chunked\r\n\r\n"),
            "head POST / m3 host=h 1.1 none cl=0 ka=1 ec=0 up=0\n"
            "  [Host][h]\n  [Transfer_Encoding][chunked]\ndone\nclosed\n");
}

}  // namespace
}  // namespace ravelin::http::test
