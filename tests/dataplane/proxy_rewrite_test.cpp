// The proxy's head rewriting (dataplane/src/proxy/rewrite.h) and head-end search (flow.h):
// what the upstream and the client see, Kong's fields, hop-by-hop removal, error answers.
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>

#include "proxy/flow.h"
#include "proxy/rewrite.h"
#include "ravelin/http/parser.h"

namespace ravelin::dataplane::proxy {
namespace {

// Parses `text` as one request or response head; the fixture keeps the storage alive.
class head_fixture : public ::testing::Test {
 protected:
  const http::message_head& parse(http::role role, std::string_view text) {
    text_ = text;
    p_.emplace(role, http::limits{}, fields_, scratch_);
    if (role == http::role::response) p_->expect_response(http::method::get, false);
    const auto r = p_->feed(text_);
    EXPECT_EQ(r.what, http::event::head);
    return p_->head();
  }
  std::string text_;
  std::array<http::header_field, 64> fields_{};
  std::array<char, 1024> scratch_{};
  std::optional<http::parser> p_;
  std::array<char, 4096> out_{};
  std::array<char, 2048> compose_{};
};

TEST_F(head_fixture, upstream_request_carries_kong_fields_and_drops_hop_by_hop) {
  const auto& h = parse(http::role::request,
                        "POST /api/x?y=1 HTTP/1.1\r\nHost: api.example:8080\r\n"
                        "X-Forwarded-For: 203.0.113.9\r\nX-Real-IP: 6.6.6.6\r\n"
                        "Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: 5\r\n"
                        "Transfer-Encoding: chunked\r\nVia: 1.0 edge\r\nAccept: */*\r\n\r\n");
  const forward_facts f{"origin:8000", 0xC6120110, 80, "/api/x", "/api", false};
  const auto w = write_upstream_request(out_, h, "/x?y=1", f, compose_);
  ASSERT_EQ(w.status, http::write_status::ok);
  const std::string got(out_.data(), w.size);
  EXPECT_TRUE(got.starts_with("POST /x?y=1 HTTP/1.1\r\n")) << got;
  for (const char* want :
       {"\r\nHost: origin:8000\r\n", "\r\nConnection: keep-alive\r\n",
        "\r\nTransfer-Encoding: chunked\r\n", "\r\nX-Forwarded-For: 203.0.113.9, 198.18.1.16\r\n",
        "\r\nX-Forwarded-Proto: http\r\n", "\r\nX-Forwarded-Host: api.example\r\n",
        "\r\nX-Forwarded-Port: 80\r\n", "\r\nX-Forwarded-Path: /api/x\r\n",
        "\r\nX-Forwarded-Prefix: /api\r\n", "\r\nX-Real-IP: 198.18.1.16\r\n",
        "\r\nVia: 1.0 edge, 1.1 ravelin\r\n", "\r\nAccept: */*\r\n"}) {
    EXPECT_NE(got.find(want), std::string::npos) << want << " in\n" << got;
  }
  // The client's own copies never pass: one of each, ours.
  for (const char* gone : {"X-Secret", "Keep-Alive", "6.6.6.6", "api.example:8080"}) {
    EXPECT_EQ(got.find(gone), std::string::npos) << gone << " in\n" << got;
  }
  EXPECT_TRUE(got.ends_with("\r\n\r\n"));
}

TEST_F(head_fixture, upgrade_request_keeps_upgrade) {
  const auto& h = parse(http::role::request,
                        "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\n\r\n");
  const forward_facts f{"a", 1, 80, "/ws", {}, true};
  const auto w = write_upstream_request(out_, h, "/ws", f, compose_);
  ASSERT_EQ(w.status, http::write_status::ok);
  const std::string got(out_.data(), w.size);
  EXPECT_NE(got.find("\r\nConnection: upgrade\r\nUpgrade: websocket\r\n"), std::string::npos)
      << got;
}

TEST_F(head_fixture, client_response_restates_framing_and_connection) {
  const auto& h = parse(http::role::response,
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
                        "Server: origin\r\n\r\n");
  auto w = write_client_response(out_, h, false, compose_);
  ASSERT_EQ(w.status, http::write_status::ok);
  std::string got(out_.data(), w.size);
  EXPECT_EQ(got,
            "HTTP/1.1 200 OK\r\nServer: origin\r\nConnection: keep-alive\r\n"
            "Transfer-Encoding: chunked\r\nVia: 1.1 ravelin\r\n\r\n");
  w = write_client_response(out_, h, true, compose_);
  got.assign(out_.data(), w.size);
  EXPECT_NE(got.find("Connection: close\r\n"), std::string::npos);
}

TEST(proxy_rewrite, error_answers_carry_kong_bodies) {
  std::array<char, 512> out{};
  const auto w = write_error(out, 503, k_no_peer_body, true);
  ASSERT_EQ(w.status, http::write_status::ok);
  const std::string got(out.data(), w.size);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << got;
  EXPECT_NE(got.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(got.find("Content-Length: " + std::to_string(k_no_peer_body.size() + 1)),
            std::string::npos);
  EXPECT_TRUE(got.ends_with("\r\n\r\n" + std::string(k_no_peer_body) + "\n"));
  std::array<char, 16> tiny{};
  EXPECT_EQ(write_error(tiny, 503, k_no_peer_body, true).status, http::write_status::no_space);
}

TEST(proxy_rewrite, ipv4_text_both_ways) {
  uint32_t ip = 0;
  ASSERT_TRUE(parse_ipv4("198.18.2.10", ip));
  EXPECT_EQ(ip, 0xC612020Au);
  std::array<char, 16> buf{};
  EXPECT_EQ(format_ipv4(ip, buf), "198.18.2.10");
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "a.b.c.d", "1.2.3.4 ", "pool.up"}) {
    EXPECT_FALSE(parse_ipv4(bad, ip)) << bad;
  }
}

TEST(proxy_flow, head_end_found_across_calls_and_with_bare_lf) {
  std::string s = "GET / HTTP/1.1\r\nHost: a\r\n";
  uint32_t from = 0;
  EXPECT_EQ(find_head_end(s.data(), static_cast<uint32_t>(s.size()), from), 0u);
  s += "\r\nNEXT";
  EXPECT_EQ(find_head_end(s.data(), static_cast<uint32_t>(s.size()), from), s.size() - 4);
  // A bare-LF ending is reported too, so the parser can refuse it (RFC 9112 §2.2).
  const std::string lf = "GET / HTTP/1.1\nHost: a\n\n";
  from = 0;
  EXPECT_EQ(find_head_end(lf.data(), static_cast<uint32_t>(lf.size()), from), lf.size());
}

}  // namespace
}  // namespace ravelin::dataplane::proxy
