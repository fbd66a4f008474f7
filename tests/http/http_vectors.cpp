// The request smuggling table and the sample exchanges (http_vectors.h). Sources for the
// refusals: RFC 9112 §2.2, §3, §5, §6.1, §6.3, §7.1, §11.2; RFC 9110 §5.5, §7.2, §8.6.
#include "http_vectors.h"

namespace ravelin::http::test {

using namespace std::string_view_literals;

#define R_ "POST / HTTP/1.1\r\nHost: h\r\n"
#define CHUNKED_ R_ "Transfer-Encoding: chunked\r\n\r\n"

const std::vector<refused_vector>& smuggling_vectors() {
  static const std::vector<refused_vector> v = {
      // Content-Length against Transfer-Encoding (CL.TE, TE.CL).
      {"cl_then_te", R_ "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"sv,
       error::content_length_and_transfer_encoding, 400},
      {"te_then_cl", R_ "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"sv,
       error::content_length_and_transfer_encoding, 400},
      {"te_in_http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"sv,
       error::transfer_encoding_http10, 400},
      // Content-Length itself.
      {"cl_twice_equal", R_ "Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd"sv,
       error::duplicate_content_length, 400},
      {"cl_twice_differ", R_ "Content-Length: 4\r\ncontent-length: 5\r\n\r\nabcd"sv,
       error::duplicate_content_length, 400},
      {"cl_list", R_ "Content-Length: 4, 4\r\n\r\nabcd"sv, error::bad_content_length, 400},
      {"cl_plus", R_ "Content-Length: +4\r\n\r\nabcd"sv, error::bad_content_length, 400},
      {"cl_negative", R_ "Content-Length: -1\r\n\r\n"sv, error::bad_content_length, 400},
      {"cl_hex", R_ "Content-Length: 0x4\r\n\r\nabcd"sv, error::bad_content_length, 400},
      {"cl_inner_space", R_ "Content-Length: 1 2\r\n\r\n"sv, error::bad_content_length, 400},
      {"cl_empty", R_ "Content-Length:\r\n\r\n"sv, error::bad_content_length, 400},
      {"cl_overflow", R_ "Content-Length: 18446744073709551617\r\n\r\n"sv,
       error::bad_content_length, 400},
      // Transfer-Encoding: only a single final chunked is understood.
      {"te_identity", R_ "Transfer-Encoding: identity\r\n\r\n"sv, error::bad_transfer_encoding,
       400},
      {"te_chunked_not_last", R_ "Transfer-Encoding: chunked, gzip\r\n\r\n"sv,
       error::bad_transfer_encoding, 400},
      {"te_chunked_twice", R_ "Transfer-Encoding: chunked, chunked\r\n\r\n"sv,
       error::bad_transfer_encoding, 400},
      {"te_two_lines", R_ "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"sv,
       error::bad_transfer_encoding, 400},
      {"te_two_lines_gzip_last",
       R_ "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n"sv,
       error::bad_transfer_encoding, 400},
      {"te_empty_element", R_ "Transfer-Encoding: , chunked\r\n\r\n"sv,
       error::bad_transfer_encoding, 400},
      {"te_empty", R_ "Transfer-Encoding:\r\n\r\n"sv, error::bad_transfer_encoding, 400},
      {"te_parameter", R_ "Transfer-Encoding: chunked;q=1\r\n\r\n"sv, error::bad_transfer_encoding,
       400},
      {"te_lookalike", R_ "Transfer-Encoding: xchunked\r\n\r\n"sv, error::bad_transfer_encoding,
       400},
      {"te_quoted", R_ "Transfer-Encoding: \"chunked\"\r\n\r\n"sv, error::bad_transfer_encoding,
       400},
      {"te_gzip_chunked", R_ "Transfer-Encoding: gzip, chunked\r\n\r\n"sv,
       error::unsupported_transfer_encoding, 501},
      {"te_vertical_tab",
       R_ "Transfer-Encoding: \x0b"
          "chunked\r\n\r\n"sv,
       error::invalid_byte, 400},
      {"te_space_before_colon", R_ "Transfer-Encoding : chunked\r\n\r\n"sv,
       error::space_before_colon, 400},
      {"te_tab_before_colon", R_ "Transfer-Encoding\t: chunked\r\n\r\n"sv,
       error::space_before_colon, 400},
      {"te_obs_fold", R_ "Transfer-Encoding:\r\n chunked\r\n\r\n"sv, error::obs_fold, 400},
      // Line endings.
      {"bare_lf_request_line", "GET / HTTP/1.1\nHost: h\r\n\r\n"sv, error::bare_lf, 400},
      {"bare_lf_field", "GET / HTTP/1.1\r\nHost: h\n\r\n"sv, error::bare_lf, 400},
      {"bare_lf_end_of_head", "GET / HTTP/1.1\r\nHost: h\r\n\n"sv, error::bare_lf, 400},
      {"bare_lf_leading", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"sv, error::bare_lf, 400},
      {"bare_cr_field", "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"sv, error::bare_cr, 400},
      {"bare_cr_end_of_head", "GET / HTTP/1.1\r\nHost: h\r\n\r\r\n"sv, error::bare_cr, 400},
      {"obs_fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n"sv, error::obs_fold, 400},
      {"space_after_start_line", "GET / HTTP/1.1\r\n Host: h\r\n\r\n"sv, error::obs_fold, 400},
      // Field names and values.
      {"space_before_colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n"sv, error::space_before_colon,
       400},
      {"name_not_token", "GET / HTTP/1.1\r\nHost: h\r\nX@Y: 1\r\n\r\n"sv, error::bad_field_name,
       400},
      {"name_empty", "GET / HTTP/1.1\r\nHost: h\r\n: 1\r\n\r\n"sv, error::bad_field_name, 400},
      {"name_no_colon", "GET / HTTP/1.1\r\nHost: h\r\nX-Y\r\n\r\n"sv, error::bad_field_name, 400},
      {"name_utf8", "GET / HTTP/1.1\r\nHost: h\r\nX\xc3\xa9: 1\r\n\r\n"sv, error::bad_field_name,
       400},
      {"value_nul", "GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n"sv, error::invalid_byte, 400},
      {"value_del", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n"sv, error::invalid_byte, 400},
      {"value_escape", "GET / HTTP/1.1\r\nHost: h\r\nX: \x1b[0m\r\n\r\n"sv, error::invalid_byte,
       400},
      // Request line.
      {"double_space", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n"sv, error::bad_target, 400},
      {"trailing_space", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n"sv, error::bad_request_line, 400},
      {"tab_separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"sv, error::bad_method, 400},
      {"no_version", "GET /\r\nHost: h\r\n\r\n"sv, error::bad_request_line, 400},
      {"lowercase_version", "GET / http/1.1\r\nHost: h\r\n\r\n"sv, error::bad_version, 400},
      {"two_digit_minor", "GET / HTTP/1.10\r\nHost: h\r\n\r\n"sv, error::bad_request_line, 400},
      {"http2_version", "GET / HTTP/2.0\r\nHost: h\r\n\r\n"sv, error::version_not_supported, 505},
      {"method_not_token", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n"sv, error::bad_method, 400},
      {"target_8bit", "GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n"sv, error::bad_target, 400},
      {"target_tab", "GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n"sv, error::bad_target, 400},
      {"request_line_nul", "GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n"sv, error::invalid_byte, 400},
      // Host (RFC 9112 §3.2).
      {"host_missing", "GET / HTTP/1.1\r\nX: y\r\n\r\n"sv, error::missing_host, 400},
      {"host_twice", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"sv, error::duplicate_host, 400},
      {"host_space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"sv, error::bad_host, 400},
      {"host_userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"sv, error::bad_host, 400},
      {"host_path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"sv, error::bad_host, 400},
      {"connection_not_token", "GET / HTTP/1.1\r\nHost: h\r\nConnection: \"close\"\r\n\r\n"sv,
       error::bad_connection, 400},
      // Chunked framing (RFC 9112 §7.1).
      {"chunk_size_hex_prefix", CHUNKED_ "0x5\r\nhello\r\n0\r\n\r\n"sv, error::bad_chunk_size, 400},
      {"chunk_size_negative", CHUNKED_ "-5\r\nhello\r\n0\r\n\r\n"sv, error::bad_chunk_size, 400},
      {"chunk_size_leading_space", CHUNKED_ " 5\r\nhello\r\n0\r\n\r\n"sv, error::bad_chunk_size,
       400},
      {"chunk_size_empty", CHUNKED_ "\r\nhello\r\n0\r\n\r\n"sv, error::bad_chunk_size, 400},
      {"chunk_size_overflow", CHUNKED_ "10000000000000005\r\nhello\r\n0\r\n\r\n"sv,
       error::bad_chunk_size, 400},
      {"chunk_size_trailing_space", CHUNKED_ "5 \r\nhello\r\n0\r\n\r\n"sv,
       error::bad_chunk_extension, 400},
      {"chunk_size_bare_lf", CHUNKED_ "5\nhello\r\n0\r\n\r\n"sv, error::bare_lf, 400},
      {"chunk_size_bare_cr", CHUNKED_ "5\rhello\r\n0\r\n\r\n"sv, error::bare_cr, 400},
      {"chunk_data_too_long", CHUNKED_ "5\r\nhello!\r\n0\r\n\r\n"sv, error::bad_chunk_end, 400},
      {"chunk_data_bare_lf", CHUNKED_ "5\r\nhello\n0\r\n\r\n"sv, error::bad_chunk_end, 400},
      {"chunk_ext_empty", CHUNKED_ "5;\r\nhello\r\n0\r\n\r\n"sv, error::bad_chunk_extension, 400},
      {"chunk_ext_no_value", CHUNKED_ "5;a=\r\nhello\r\n0\r\n\r\n"sv, error::bad_chunk_extension,
       400},
      {"chunk_ext_space_in_value", CHUNKED_ "5;a=b c\r\nhello\r\n0\r\n\r\n"sv,
       error::bad_chunk_extension, 400},
      {"chunk_ext_open_quote", CHUNKED_ "5;a=\"b\r\nhello\r\n0\r\n\r\n"sv,
       error::bad_chunk_extension, 400},
      {"chunk_ext_ctl", CHUNKED_ "5;a\x01\r\nhello\r\n0\r\n\r\n"sv, error::bad_chunk_extension,
       400},
      {"chunk_ext_bare_lf", CHUNKED_ "5;a=b\nhello\r\n0\r\n\r\n"sv, error::bare_lf, 400},
      {"chunk_ext_trailing_bws", CHUNKED_ "5;a \r\nhello\r\n0\r\n\r\n"sv,
       error::bad_chunk_extension, 400},
      {"trailer_obs_fold", CHUNKED_ "0\r\nX: a\r\n b\r\n\r\n"sv, error::obs_fold, 400},
      {"trailer_space_before_colon", CHUNKED_ "0\r\nX : a\r\n\r\n"sv, error::space_before_colon,
       400},
      {"trailer_bare_lf", CHUNKED_ "0\r\nX: a\n\r\n"sv, error::bare_lf, 400},
      {"truncated_chunked", CHUNKED_ "5\r\nhel"sv, error::truncated, 400},
  };
  return v;
}

namespace {

harness_options response_to(std::vector<http::method> requests, bool upgrade = false) {
  harness_options o;
  o.role = role::response;
  o.requests = std::move(requests);
  o.upgrade_requested = upgrade;
  return o;
}

}  // namespace

const std::vector<sample>& samples() {
  static const std::vector<sample> v = {
      {"get", "GET /a?b=c HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n"sv, {}},
      {"post_length", R_ "Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"sv, {}},
      {"chunked_trailers",
       CHUNKED_ "5;name=val;q=\"a \\\"b\\\"\"\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                "0 ;last\r\nChecksum: abc\r\nX-T:  1 \r\n\r\n"sv,
       {}},
      {"pipelined",
       "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n" R_ "Content-Length: 3\r\n\r\nabc"
       "\r\nGET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"sv,
       {}},
      {"http10_keep_alive",
       "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n"sv,
       {}},
      {"upgrade",
       "GET /chat HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"
       "Sec-WebSocket-Version: 13\r\n\r\n\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"sv,
       {}},
      {"expect_continue",
       "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\ndata"sv,
       {}},
      {"response_length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"sv,
       response_to({method::get})},
      {"response_chunked",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n"sv,
       response_to({method::get})},
      {"response_head_and_304",
       "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n"
       "HTTP/1.1 304 Not Modified\r\nContent-Length: 500\r\n\r\n"
       "HTTP/1.1 204 No Content\r\n\r\n"sv,
       response_to({method::head, method::get, method::delete_})},
      {"response_continue",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201\r\nContent-Length: 0\r\n\r\n"sv,
       response_to({method::put})},
      {"response_until_close", "HTTP/1.0 200 OK\r\nServer: py\r\n\r\n<html>until close</html>"sv,
       response_to({method::get})},
      {"response_switching",
       "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
       "\x81\x02hi"sv,
       response_to({method::get}, true)},
      {"response_connect", "HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01"sv,
       response_to({method::connect})},
  };
  return v;
}

}  // namespace ravelin::http::test
