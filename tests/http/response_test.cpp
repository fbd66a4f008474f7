// Response parsing: framing by request method and status (RFC 9112 §6.3), interim
// responses, read-until-close, tunnels after 101 and CONNECT.
#include <gtest/gtest.h>

#include "http_harness.h"

namespace ravelin::http::test {
namespace {

harness_options to(std::vector<method> requests, bool upgrade = false) {
  harness_options o;
  o.role = role::response;
  o.requests = std::move(requests);
  o.upgrade_requested = upgrade;
  return o;
}

TEST(response, length_body_then_next_response) {
  EXPECT_EQ(run_whole("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                      to({method::get, method::get})),
            "head 200 [OK] 1.1 length cl=2 ka=1 ec=0 up=0\n  [Content-Length][2]\nbody [ok]\ndone\n"
            "head 404 [Not Found] 1.1 length cl=0 ka=1 ec=0 up=0\n  [Content-Length][0]\n"
            "done\nclosed\n");
}

TEST(response, no_body_for_head_204_304_and_1xx) {
  EXPECT_EQ(run_whole("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", to({method::head})),
            "head 200 [OK] 1.1 none cl=9 ka=1 ec=0 up=0\n  [Content-Length][9]\ndone\nclosed\n");
  EXPECT_EQ(run_whole("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
                      to({method::get})),
            "head 304 [Not Modified] 1.1 none cl=0 ka=1 ec=0 up=0\n"
            "  [Transfer-Encoding][chunked]\ndone\nclosed\n");
  EXPECT_EQ(run_whole("HTTP/1.1 204 \r\n\r\n", to({method::delete_})),
            "head 204 [] 1.1 none cl=0 ka=1 ec=0 up=0\ndone\nclosed\n");
}

TEST(response, interim_responses_keep_the_expectation) {
  EXPECT_EQ(run_whole("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
                      to({method::post})),
            "head 100 [Continue] 1.1 none cl=0 ka=1 ec=0 up=0\ndone\n"
            "head 103 [Early Hints] 1.1 none cl=0 ka=1 ec=0 up=0\n  [Link][</s>]\ndone\n"
            "head 200 [OK] 1.1 length cl=1 ka=1 ec=0 up=0\n  [Content-Length][1]\nbody [x]\n"
            "done\nclosed\n");
}

TEST(response, read_until_close) {
  EXPECT_EQ(run_cut("HTTP/1.1 200 OK\r\n\r\nabc", {20}, to({method::get})),
            "head 200 [OK] 1.1 close cl=0 ka=0 ec=0 up=0\nbody [abc]\ndone\nclosed\n");
}

TEST(response, http10_keep_alive) {
  EXPECT_EQ(run_whole("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
                      to({method::get})),
            "head 200 [OK] 1.0 length cl=0 ka=1 ec=0 up=0\n"
            "  [Connection][keep-alive]\n  [Content-Length][0]\ndone\nclosed\n");
  EXPECT_NE(
      run_whole("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", to({method::get})).find("ka=0"),
      std::string::npos);
}

TEST(response, switching_protocols_opens_a_tunnel) {
  EXPECT_EQ(run_whole("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\n\r\nframes",
                      to({method::get}, true)),
            "head 101 [Switching Protocols] 1.1 tunnel cl=0 ka=1 ec=0 up=1\n"
            "  [Upgrade][websocket]\n  [Connection][Upgrade]\ndone\ntunnel [frames]\nclosed\n");
  EXPECT_EQ(error_of("HTTP/1.1 101 Switching Protocols\r\n\r\n", to({method::get})),
            error::unexpected_response);
}

TEST(response, connect_success_opens_a_tunnel_and_failure_does_not) {
  EXPECT_EQ(run_whole("HTTP/1.1 200 OK\r\n\r\nbytes", to({method::connect})),
            "head 200 [OK] 1.1 tunnel cl=0 ka=1 ec=0 up=0\ndone\ntunnel [bytes]\nclosed\n");
  EXPECT_EQ(
      run_whole("HTTP/1.1 403 Forbidden\r\nContent-Length: 1\r\n\r\nx", to({method::connect})),
      "head 403 [Forbidden] 1.1 length cl=1 ka=1 ec=0 up=0\n  [Content-Length][1]\n"
      "body [x]\ndone\nclosed\n");
}

TEST(response, unsolicited_bytes_are_refused) {
  EXPECT_EQ(run_whole("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
                      to({method::get})),
            "head 200 [OK] 1.1 length cl=0 ka=1 ec=0 up=0\n  [Content-Length][0]\ndone\n"
            "error unexpected_response\n");
}

TEST(response, malformed) {
  const auto o = to({method::get});
  EXPECT_EQ(error_of("HTTP/1.1 20 OK\r\n\r\n", o), error::bad_status_line);
  EXPECT_EQ(error_of("HTTP/1.1 600 X\r\n\r\n", o), error::bad_status_line);
  EXPECT_EQ(error_of("HTTP/1.1 200OK\r\n\r\n", o), error::bad_status_line);
  EXPECT_EQ(error_of("HTTP/1.1  200 OK\r\n\r\n", o), error::bad_status_line);
  EXPECT_EQ(error_of("\r\nHTTP/1.1 200 OK\r\n\r\n", o), error::bad_status_line);
  EXPECT_EQ(error_of("HTTP/2 200 OK\r\n\r\n", o), error::bad_status_line);
  EXPECT_EQ(
      error_of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", o),
      error::content_length_and_transfer_encoding);
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", o),
            error::bad_transfer_encoding);
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", o), error::obs_fold);
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", o), error::truncated);
}

}  // namespace
}  // namespace ravelin::http::test
