// Incremental, zero-copy HTTP/1.1 parser (RFC 9112) for one direction of one connection.
// Input arrives as segments cut at any byte; the parser keeps no copy of them except a line
// that straddles two segments, which it stitches into the caller's scratch. It never
// allocates, never throws and stops at the first event so the caller stays in control.
//
// Driving it, for each segment `seg` as it arrives (a TCP payload, one mbuf of a chain):
//
//   for (;;) {
//     feed_result r = p.feed(seg);
//     seg.remove_prefix(r.consumed);
//     switch (r.what) {
//       case event::need_more: goto next_segment;    // all of seg was used
//       case event::head:   use p.head(); break;     // fields are views, valid until the
//                                                    // next message starts
//       case event::body:   forward r.data; break;   // chunk framing already removed
//       case event::done:   p.trailers(); break;     // then the next message (pipelining)
//       case event::tunnel: forward r.data; break;   // raw bytes after 101 / CONNECT
//       case event::paused: decide, then p.resume() or p.start_tunnel(); break;
//       case event::closed: close after answering; goto stop;
//       case event::error:  answer status_of(p.last_error()), close; goto stop;
//     }
//   }
//
// Responses: call expect_response() before each one (it says what the request was). An
// interim 1xx response also ends in `done`; the final response to the same request follows.
//
// Lifetime: the views in head() point into the segments fed since the message started and
// into `scratch`; the caller keeps those segments until it is done with the head (the next
// feed after `done` starts reusing the table and the scratch). Body and tunnel views point
// into the segment just fed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "ravelin/http/errors.h"
#include "ravelin/http/http_types.h"

namespace ravelin::http {

enum class role : uint8_t { request, response };

enum class event : uint8_t {
  need_more,  // the segment is used up; feed the next one
  head,       // head() is complete and framing is decided
  body,       // `data` holds body bytes
  done,       // the message ended; trailers() holds its trailer fields
  tunnel,     // `data` holds bytes of the upgraded protocol, passed through untouched
  paused,     // request role: an Upgrade or CONNECT request ended; the caller decides
  closed,     // no further message may follow on this connection (or the input ended cleanly)
  error,      // last_error() says why; the connection must be closed
};

struct feed_result {
  event what;
  std::size_t consumed;   // bytes of the segment this call used
  std::string_view data;  // body or tunnel bytes, a view into the segment
};

class parser {
 public:
  // `fields` holds the parsed header and trailer fields; `scratch` the lines split across
  // segments. A scratch of 2 * limits.max_head_bytes (header and trailer section) makes the
  // result independent of how the input is cut; real segments (an MSS or more) stitch a few
  // lines per head, so a smaller one saves memory and answers 431 only to pathological cuts.
  parser(role r, const limits& l, std::span<header_field> fields, std::span<char> scratch);

  [[nodiscard]] feed_result feed(std::string_view segment);
  // The peer closed its side: ends a response read until close, or reports truncation.
  [[nodiscard]] feed_result finish();

  // Response role, before each response: the request it answers decides whether the response
  // has a body (HEAD, RFC 9112 §6.3) and whether 101 / 2xx opens a tunnel.
  void expect_response(http::method request_method, bool upgrade_requested);
  // Request role, after `paused`: the upgrade was refused; parse HTTP again.
  void resume();
  // Request role, after `paused`: the upgrade was accepted; pass every byte through.
  void start_tunnel();

  const message_head& head() const { return head_; }
  std::span<const header_field> trailers() const;
  error last_error() const { return error_; }

 private:
  enum class state : uint8_t {
    start,
    line,
    body_length,
    body_close,
    chunk_line,
    chunk_data,
    chunk_data_cr,
    chunk_data_lf,
    message_end,
    paused,
    tunnel,
    closed,
    failed,
  };
  enum class line_kind : uint8_t { start_line, field, trailer };
  enum class line_status : uint8_t { ready, need_more, failed };

  // What the header fields said about framing and persistence, gathered line by line.
  struct field_facts {
    uint8_t host_count = 0;
    bool content_length_seen = false;
    bool transfer_encoding_seen = false;
    bool te_bad = false;           // an empty or non-token coding, or chunked not last
    bool te_chunked_last = false;  // the last coding so far is chunked
    bool te_other = false;         // a coding other than chunked
    bool close = false;            // Connection options
    bool keep_alive = false;
    bool upgrade_option = false;
    bool upgrade_field = false;  // an Upgrade field is present
    bool expect_continue = false;
  };

  feed_result fail(error e, std::size_t consumed);
  void begin_message();
  line_status take_line(std::string_view seg, std::size_t& pos, std::string_view& line);
  int64_t line_budget() const;
  error line_limit_error() const;
  bool stitch(const char* p, std::size_t n);
  error on_line(std::string_view line);
  error parse_request_line(std::string_view line);
  error parse_status_line(std::string_view line);
  error parse_field_line(std::string_view line, bool trailer);
  error note_field(const header_field& f);
  error note_host(std::string_view v);
  error note_connection(std::string_view v);
  error note_content_length(std::string_view v);
  void note_transfer_encoding(std::string_view v);
  error decide_request_framing();
  error decide_response_framing();
  error end_head();
  void begin_chunk_line();
  error chunk_line_byte(char c);
  error end_chunk_line();
  feed_result on_message_end(std::size_t pos);

  role role_;
  limits limits_;
  std::span<header_field> table_;
  std::span<char> scratch_;

  state state_ = state::start;
  line_kind line_kind_ = line_kind::start_line;
  error error_ = error::none;
  message_head head_{};
  field_facts facts_{};

  uint32_t field_count_ = 0;     // entries of table_ in use: head fields, then trailers
  uint16_t section_fields_ = 0;  // fields in the current section (head or trailers)
  uint32_t trailer_begin_ = 0;   // index in table_ of the first trailer field
  uint32_t scratch_used_ = 0;    // bytes of scratch_ holding stitched lines of this message
  uint32_t line_begin_ = 0;      // scratch offset of the line being stitched
  uint32_t line_len_ = 0;        // bytes of the current line seen so far (stitched)
  uint32_t section_bytes_ = 0;   // bytes of the current head or trailer section so far
  bool line_stitched_ = false;   // the current line is being assembled in scratch_
  bool cr_pending_ = false;      // the segment ended right after the line's CR

  uint64_t remaining_ = 0;   // body bytes left in the message or in the current chunk
  uint64_t body_bytes_ = 0;  // body bytes so far, for limits_.max_body_bytes
  uint64_t chunk_size_ = 0;
  uint32_t chunk_line_len_ = 0;
  uint8_t chunk_step_ = 0;  // position in the chunk-size line grammar (chunked.cpp)

  http::method expected_method_ = http::method::other;  // response role: the pending request
  bool expecting_ = false;
  bool expected_upgrade_ = false;
};

}  // namespace ravelin::http
