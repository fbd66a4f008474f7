// Writing heads for the next hop: hop-by-hop removal (RFC 9110 §7.6.1), caller edits,
// refusal of fields that would corrupt the head, and bounded output.
#include <gtest/gtest.h>

#include <array>

#include "ravelin/http/serializer.h"

namespace ravelin::http {
namespace {

constexpr header_field k_fields[] = {
    {"Host", "example.com"},
    {"Connection", "keep-alive, X-Hop , close"},
    {"Keep-Alive", "timeout=5"},
    {"X-Hop", "secret"},
    {"TE", "trailers"},
    {"Transfer-Encoding", "chunked"},
    {"Upgrade", "websocket"},
    {"Proxy-Connection", "keep-alive"},
    {"Accept", "*/*"},
    {"x-hop", "again"},
    {"X-Forwarded-For", "1.2.3.4"},
};

std::string write_request(const head_edit& edit, std::size_t room = 1024) {
  std::string out(room, '\0');
  const write_result r = write_request_head(out, "GET", "/a?b", k_fields, edit);
  if (r.status != write_status::ok)
    return r.status == write_status::no_space ? "no_space" : "invalid";
  out.resize(r.size);
  return out;
}

TEST(serializer, hop_by_hop_fields_are_removed) {
  EXPECT_EQ(write_request({}),
            "GET /a?b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n"
            "X-Forwarded-For: 1.2.3.4\r\n\r\n");
}

TEST(serializer, edits_remove_and_add) {
  const std::string_view remove[] = {"x-forwarded-for"};
  const header_field add[] = {{"X-Forwarded-For", "1.2.3.4, 198.18.0.2"}, {"Via", "1.1 ravelin"}};
  EXPECT_EQ(write_request({remove, add}),
            "GET /a?b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n"
            "X-Forwarded-For: 1.2.3.4, 198.18.0.2\r\nVia: 1.1 ravelin\r\n\r\n");
}

TEST(serializer, response_head) {
  const header_field fields[] = {{"Content-Length", "2"}, {"Connection", "close"}};
  std::array<char, 128> out{};
  const write_result r = write_response_head(out, 404, "Not Found", fields, {});
  ASSERT_EQ(r.status, write_status::ok);
  EXPECT_EQ(std::string_view(out.data(), r.size),
            "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n");
}

TEST(serializer, refuses_what_would_split_the_head) {
  const header_field crlf[] = {{"X-A", "a\r\nInjected: 1"}};
  const header_field bad_name[] = {{"X A", "1"}};
  EXPECT_EQ(write_request({{}, crlf}), "invalid");
  EXPECT_EQ(write_request({{}, bad_name}), "invalid");
  std::array<char, 64> out{};
  EXPECT_EQ(write_request_head(out, "GET", "/a b", {}, {}).status, write_status::invalid_field);
  EXPECT_EQ(write_request_head(out, "GE T", "/", {}, {}).status, write_status::invalid_field);
  EXPECT_EQ(write_response_head(out, 200, "OK\n", {}, {}).status, write_status::invalid_field);
  EXPECT_EQ(write_response_head(out, 99, "", {}, {}).status, write_status::invalid_field);
}

TEST(serializer, never_writes_past_the_buffer) {
  const std::string full = write_request({});
  for (std::size_t room = 0; room < full.size(); ++room) {
    std::string out(room + 8, '#');
    const write_result r = write_request_head({out.data(), room}, "GET", "/a?b", k_fields, {});
    EXPECT_EQ(r.status, write_status::no_space) << room;
    EXPECT_EQ(out.substr(room), "########");
  }
  EXPECT_EQ(write_request({}, full.size()), full);
}

TEST(serializer, hop_by_hop_names) {
  EXPECT_TRUE(is_hop_by_hop("keep-alive", {}));
  EXPECT_TRUE(is_hop_by_hop("X-HOP", k_fields));
  EXPECT_FALSE(is_hop_by_hop("X-HOP", {}));
  EXPECT_FALSE(is_hop_by_hop("Accept", k_fields));
}

}  // namespace
}  // namespace ravelin::http
