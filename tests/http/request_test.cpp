// Request parsing through the public API: start line, fields, framing, persistence,
// Expect, Upgrade and pipelining.
#include <gtest/gtest.h>

#include "http_harness.h"

namespace ravelin::http::test {
namespace {

TEST(request, simple_get) {
  EXPECT_EQ(run_whole("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\n"
                      "User-Agent: curl/7.88\r\nAccept:*/*\r\n\r\n"),
            "head GET /index.html?q=1 m1 host=example.com 1.1 none cl=0 ka=1 ec=0 up=0\n"
            "  [Host][example.com]\n"
            "  [User-Agent][curl/7.88]\n"
            "  [Accept][*/*]\n"
            "done\n"
            "closed\n");
}

TEST(request, values_are_trimmed_and_keep_inner_whitespace) {
  EXPECT_EQ(
      run_whole("GET / HTTP/1.1\r\nHost:h\r\nX-A: \t a \t b \t\r\nX-B:\r\nX-C: \xc3\xa9\r\n\r\n"),
      "head GET / m1 host=h 1.1 none cl=0 ka=1 ec=0 up=0\n"
      "  [Host][h]\n  [X-A][a \t b]\n  [X-B][]\n  [X-C][\xc3\xa9]\n"
      "done\nclosed\n");
}

TEST(request, methods) {
  struct c {
    const char* token;
    method id;
  };
  for (auto [token, id] :
       {c{"GET", method::get}, c{"HEAD", method::head}, c{"POST", method::post},
        c{"PUT", method::put}, c{"DELETE", method::delete_}, c{"OPTIONS", method::options},
        c{"TRACE", method::trace}, c{"PATCH", method::patch}, c{"PURGE", method::other},
        c{"get", method::other}, c{"M-SEARCH", method::other}}) {
    std::vector<header_field> table(8);
    std::vector<char> scratch(64);
    parser p(role::request, {}, table, scratch);
    const std::string msg = std::string(token) + " * HTTP/1.1\r\nHost: h\r\n\r\n";
    const feed_result r = p.feed(msg);
    ASSERT_EQ(r.what, event::head) << token;
    EXPECT_EQ(p.head().method, id) << token;
    EXPECT_EQ(p.head().method_token, token);
  }
}

TEST(request, content_length_body) {
  EXPECT_EQ(run_whole("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"),
            "head POST /p m3 host=h 1.1 length cl=5 ka=1 ec=0 up=0\n"
            "  [Host][h]\n  [Content-Length][5]\n"
            "body [hello]\ndone\nclosed\n");
}

TEST(request, body_events_are_views_into_the_segment) {
  std::vector<header_field> table(8);
  std::vector<char> scratch(256);
  parser p(role::request, {}, table, scratch);
  const std::string_view msg = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
  feed_result r = p.feed(msg);
  ASSERT_EQ(r.what, event::head);
  EXPECT_EQ(p.head().fields[0].value.data(), msg.data() + msg.find("h\r\nC"));
  r = p.feed(msg.substr(r.consumed));
  ASSERT_EQ(r.what, event::body);
  EXPECT_EQ(r.data.data(), msg.data() + msg.size() - 3);
}

TEST(request, keep_alive_rules) {  // RFC 9112 §9.3
  struct c {
    const char* version;
    const char* connection;
    bool keep_alive;
  };
  for (auto [v, conn, ka] :
       {c{"1.1", "", true}, c{"1.1", "Connection: close\r\n", false},
        c{"1.1", "Connection: keep-alive, CLOSE\r\n", false}, c{"1.0", "", false},
        c{"1.0", "Connection: Keep-Alive\r\n", true},
        c{"1.0", "Connection: keep-alive\r\nConnection: close\r\n", false}, c{"1.2", "", true}}) {
    std::vector<header_field> table(8);
    std::vector<char> scratch(256);
    parser p(role::request, {}, table, scratch);
    const std::string msg = std::string("GET / HTTP/") + v + "\r\nHost: h\r\n" + conn + "\r\n";
    ASSERT_EQ(p.feed(msg).what, event::head) << msg;
    EXPECT_EQ(p.head().keep_alive, ka) << msg;
  }
}

TEST(request, no_message_after_a_closing_one) {
  EXPECT_EQ(run_whole("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n"),
            "head GET / m1 host= 1.0 none cl=0 ka=0 ec=0 up=0\ndone\nclosed\n");
}

TEST(request, expect_continue) {  // RFC 9110 §10.1.1
  EXPECT_NE(run_whole("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n"
                      "\r\nx")
                .find("ec=1"),
            std::string::npos);
  EXPECT_NE(run_whole("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
                .find("ec=0"),
            std::string::npos);
}

TEST(request, upgrade_pauses_then_tunnels) {  // RFC 9110 §7.8
  const std::string_view msg =
      "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
      "\x81\x05hello";
  EXPECT_EQ(run_whole(msg),
            "head GET /ws m1 host=h 1.1 none cl=0 ka=1 ec=0 up=1\n"
            "  [Host][h]\n  [Connection][Upgrade]\n  [Upgrade][websocket]\n"
            "done\npaused\ntunnel [\x81\x05hello]\nclosed\n");
}

TEST(request, refused_upgrade_resumes_http) {
  harness_options o;
  o.accept_upgrade = false;
  EXPECT_EQ(run_whole("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n"
                      "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n",
                      o),
            "head GET / m1 host=h 1.1 none cl=0 ka=1 ec=0 up=1\n"
            "  [Host][h]\n  [Connection][upgrade]\n  [Upgrade][h2c]\n"
            "done\npaused\n"
            "head GET /2 m1 host=h 1.1 none cl=0 ka=1 ec=0 up=0\n  [Host][h]\ndone\nclosed\n");
}

TEST(request, upgrade_needs_the_connection_option_and_http11) {
  EXPECT_NE(run_whole("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n").find("up=0"),
            std::string::npos);
  EXPECT_NE(
      run_whole("GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n").find("up=0"),
      std::string::npos);
}

TEST(request, connect_pauses) {
  const std::string t = run_whole("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\nTLS");
  EXPECT_EQ(t,
            "head CONNECT h:443 m6 host=h:443 1.1 none cl=0 ka=1 ec=0 up=0\n  [Host][h:443]\n"
            "done\npaused\ntunnel [TLS]\nclosed\n");
}

TEST(request, pipelined_requests_in_one_segment) {
  const std::string_view in =
      "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab"
      "\r\n"  // a stray CRLF between requests is ignored (RFC 9112 §2.2)
      "POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nc\r\n0\r\n\r\n"
      "GET /4 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  EXPECT_EQ(run_whole(in),
            "head GET /1 m1 host=h 1.1 none cl=0 ka=1 ec=0 up=0\n  [Host][h]\ndone\n"
            "head POST /2 m3 host=h 1.1 length cl=2 ka=1 ec=0 up=0\n"
            "  [Host][h]\n  [Content-Length][2]\nbody [ab]\ndone\n"
            "head POST /3 m3 host=h 1.1 chunked cl=0 ka=1 ec=0 up=0\n"
            "  [Host][h]\n  [Transfer-Encoding][chunked]\nbody [c]\ndone\n"
            "head GET /4 m1 host=h 1.1 none cl=0 ka=0 ec=0 up=0\n"
            "  [Host][h]\n  [Connection][close]\ndone\nclosed\n");
}

TEST(request, previous_message_stays_readable_until_the_next_feed) {
  std::vector<header_field> table(8);
  std::vector<char> scratch(256);
  parser p(role::request, {}, table, scratch);
  std::string_view in = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
  feed_result r = p.feed(in);
  in.remove_prefix(r.consumed);
  r = p.feed(in);
  ASSERT_EQ(r.what, event::done);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(p.head().target, "/a");
  r = p.feed(in);
  ASSERT_EQ(r.what, event::head);
  EXPECT_EQ(p.head().target, "/b");
}

TEST(request, truncated_input) {
  EXPECT_EQ(run_whole("GET / HTTP/1.1\r\nHost: h\r\n"), "error truncated\n");
  EXPECT_EQ(run_whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\nabc"),
            "head POST / m3 host=h 1.1 length cl=9 ka=1 ec=0 up=0\n"
            "  [Host][h]\n  [Content-Length][9]\nbody [abc]\nerror truncated\n");
  EXPECT_EQ(run_whole(""), "closed\n");
  EXPECT_EQ(run_whole("\r\n\r\n"), "closed\n");
}

TEST(request, errors_are_sticky) {
  std::vector<header_field> table(8);
  std::vector<char> scratch(256);
  parser p(role::request, {}, table, scratch);
  EXPECT_EQ(p.feed("GET / HTTP/1.1\nHost: h\r\n\r\n").what, event::error);
  EXPECT_EQ(p.last_error(), error::bare_lf);
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n").what, event::error);
  EXPECT_EQ(p.finish().what, event::error);
}

TEST(request, find_field_is_case_insensitive) {
  const header_field fields[] = {{"Host", "a"}, {"X-Y", "b"}, {"x-y", "c"}};
  ASSERT_NE(find_field(fields, "x-Y"), nullptr);
  EXPECT_EQ(find_field(fields, "x-Y")->value, "b");
  EXPECT_EQ(find_field(fields, "x-z"), nullptr);
}

}  // namespace
}  // namespace ravelin::http::test
