// The parser's driver: message lifecycle, assembling head lines across segments, and the
// body states (RFC 9112 §6). Line contents are parsed in head.cpp, chunk lines in chunked.cpp.
#include "ravelin/http/parser.h"

#include <algorithm>
#include <cstring>

#include "internal/scan.h"

namespace ravelin::http {

parser::parser(role r, const limits& l, std::span<header_field> fields, std::span<char> scratch)
    : role_(r), limits_(l), table_(fields), scratch_(scratch) {}

std::span<const header_field> parser::trailers() const {
  return {table_.data() + trailer_begin_, static_cast<std::size_t>(field_count_ - trailer_begin_)};
}

void parser::expect_response(http::method request_method, bool upgrade_requested) {
  expected_method_ = request_method;
  expected_upgrade_ = upgrade_requested;
  expecting_ = true;
}

void parser::resume() {
  if (state_ == state::paused) state_ = head_.keep_alive ? state::start : state::closed;
}

void parser::start_tunnel() {
  if (state_ == state::paused) state_ = state::tunnel;
}

feed_result parser::fail(error e, std::size_t consumed) {
  error_ = e;
  state_ = state::failed;
  return {event::error, consumed, {}};
}

void parser::begin_message() {
  // Copied from constants: `head_ = {}` makes g++ clear a temporary with `rep stos`, which
  // cost a fifth of a small request on this machine.
  static constexpr message_head k_new_head{};
  static constexpr field_facts k_new_facts{};
  head_ = k_new_head;
  facts_ = k_new_facts;
  field_count_ = section_fields_ = trailer_begin_ = 0;
  scratch_used_ = line_len_ = section_bytes_ = 0;
  line_stitched_ = cr_pending_ = false;
  remaining_ = body_bytes_ = 0;
  state_ = state::line;
  line_kind_ = line_kind::start_line;
}

feed_result parser::feed(std::string_view seg) {
  std::size_t pos = 0;
  for (;;) {
    switch (state_) {
      case state::start:
        if (pos == seg.size()) return {event::need_more, pos, {}};
        if (role_ == role::response && !expecting_) return fail(error::unexpected_response, pos);
        begin_message();
        break;
      case state::line: {
        std::string_view line;
        const line_status s = take_line(seg, pos, line);
        if (s == line_status::need_more) return {event::need_more, pos, {}};
        if (s == line_status::failed) return fail(error_, pos);
        const bool ends_head = line.empty() && line_kind_ == line_kind::field;
        if (const error e = on_line(line); e != error::none) return fail(e, pos);
        if (ends_head) return {event::head, pos, {}};
        break;
      }
      case state::body_length:
      case state::chunk_data: {
        if (remaining_ == 0) {
          state_ = state_ == state::body_length ? state::message_end : state::chunk_data_cr;
          break;
        }
        if (pos == seg.size()) return {event::need_more, pos, {}};
        const std::size_t n =
            static_cast<std::size_t>(std::min<uint64_t>(remaining_, seg.size() - pos));
        remaining_ -= n;
        pos += n;
        return {event::body, pos, seg.substr(pos - n, n)};
      }
      case state::body_close:
      case state::tunnel:
        if (pos == seg.size()) return {event::need_more, pos, {}};
        return {state_ == state::tunnel ? event::tunnel : event::body, seg.size(), seg.substr(pos)};
      case state::chunk_line:
        while (state_ == state::chunk_line) {
          if (pos == seg.size()) return {event::need_more, pos, {}};
          if (const error e = chunk_line_byte(seg[pos++]); e != error::none) return fail(e, pos);
        }
        break;
      // RFC 9112 §7.1: chunk-data is followed by CRLF.
      case state::chunk_data_cr:
      case state::chunk_data_lf: {
        if (pos == seg.size()) return {event::need_more, pos, {}};
        const bool cr = state_ == state::chunk_data_cr;
        if (seg[pos++] != (cr ? '\r' : '\n')) return fail(error::bad_chunk_end, pos);
        if (cr) {
          state_ = state::chunk_data_lf;
        } else {
          begin_chunk_line();
        }
        break;
      }
      case state::message_end:
        return on_message_end(pos);
      case state::paused:
        return {event::paused, pos, {}};
      case state::closed:
        return {event::closed, pos, {}};
      case state::failed:
        return {event::error, pos, {}};
    }
  }
}

feed_result parser::on_message_end(std::size_t pos) {
  if (role_ == role::response) {
    if (head_.framing == body_framing::tunnel) {
      state_ = state::tunnel;
    } else if (head_.status < 200) {
      state_ = state::start;  // interim (RFC 9110 §15.2): the final response follows
      return {event::done, pos, {}};
    } else {
      state_ = head_.keep_alive ? state::start : state::closed;
    }
    expecting_ = false;
  } else if (head_.upgrade || head_.method == http::method::connect) {
    state_ = state::paused;  // RFC 9110 §7.8, §9.3.6: the response decides what follows
  } else {
    state_ = head_.keep_alive ? state::start : state::closed;
  }
  return {event::done, pos, {}};
}

feed_result parser::finish() {
  switch (state_) {
    case state::line:
      if (line_kind_ == line_kind::start_line && line_len_ == 0 && !cr_pending_) break;
      return fail(error::truncated, 0);
    case state::body_close:  // RFC 9112 §6.3 rule 8: the close ends the body
      state_ = state::message_end;
      return on_message_end(0);
    case state::message_end:
      return on_message_end(0);
    case state::failed:
      return {event::error, 0, {}};
    case state::start:
    case state::paused:
    case state::tunnel:
    case state::closed:
      break;
    default:
      return fail(error::truncated, 0);
  }
  state_ = state::closed;
  return {event::closed, 0, {}};
}

// Content bytes the current line may have before its CRLF (negative: not even an empty one).
int64_t parser::line_budget() const {
  int64_t b = int64_t{limits_.max_head_bytes} - section_bytes_ - 2;
  if (line_kind_ == line_kind::start_line) b = std::min<int64_t>(b, limits_.max_start_line);
  return b;
}

error parser::line_limit_error() const {
  const bool start_line_bound =
      line_kind_ == line_kind::start_line && int64_t{limits_.max_start_line} <= line_budget();
  return start_line_bound ? error::start_line_too_long : error::head_too_large;
}

bool parser::stitch(const char* p, std::size_t n) {
  if (!line_stitched_) {
    line_stitched_ = true;
    line_begin_ = scratch_used_;
  }
  if (n == 0) return true;
  if (scratch_.size() - scratch_used_ < n) return false;
  std::memcpy(scratch_.data() + scratch_used_, p, n);
  scratch_used_ += static_cast<uint32_t>(n);
  line_len_ += static_cast<uint32_t>(n);
  return true;
}

// RFC 9112 §2.2: lines end in CRLF; a bare CR or LF is refused. The scan stops one byte past
// the line's budget, so a verdict never depends on where the input was cut.
parser::line_status parser::take_line(std::string_view seg, std::size_t& pos,
                                      std::string_view& line) {
  if (pos == seg.size()) return line_status::need_more;
  if (cr_pending_) {
    if (seg[pos] != '\n') {
      error_ = error::bare_cr;
      return line_status::failed;
    }
    ++pos;
    cr_pending_ = false;
    line = {scratch_.data() + line_begin_, line_len_};
    return line_status::ready;
  }
  const char* p = seg.data() + pos;
  const std::size_t avail = seg.size() - pos;
  const int64_t room = line_budget() - line_len_;
  const std::size_t n = room < 0 ? 0 : std::min<std::size_t>(avail, room + 1);
  const std::size_t i = internal::find_ctl(p, n);
  error_ = error::none;
  if (i == n) {
    if (int64_t{line_len_} + static_cast<int64_t>(n) > line_budget()) {
      error_ = line_limit_error();
    } else if (!stitch(p, n)) {
      error_ = error::scratch_exhausted;
    } else {
      pos += n;
      return line_status::need_more;
    }
  } else if (p[i] != '\r') {
    error_ = p[i] == '\n' ? error::bare_lf : error::invalid_byte;
  } else if (i + 1 == avail) {
    if (stitch(p, i)) {
      cr_pending_ = true;
      pos += avail;
      return line_status::need_more;
    }
    error_ = error::scratch_exhausted;
  } else if (p[i + 1] != '\n') {
    error_ = error::bare_cr;
  } else if (!line_stitched_) {
    line = {p, i};
  } else if (stitch(p, i)) {
    line = {scratch_.data() + line_begin_, line_len_};
  } else {
    error_ = error::scratch_exhausted;
  }
  if (error_ != error::none) return line_status::failed;
  pos += i + 2;
  return line_status::ready;
}

error parser::on_line(std::string_view line) {
  section_bytes_ += static_cast<uint32_t>(line.size() + 2);
  line_len_ = 0;
  line_stitched_ = false;
  switch (line_kind_) {
    case line_kind::start_line:
      if (line.empty()) {
        // RFC 9112 §2.2: a server ignores empty lines before the request line.
        return role_ == role::request ? error::none : error::bad_status_line;
      }
      line_kind_ = line_kind::field;
      section_fields_ = 0;
      return role_ == role::request ? parse_request_line(line) : parse_status_line(line);
    case line_kind::field:
      return line.empty() ? end_head() : parse_field_line(line, false);
    case line_kind::trailer:
      if (!line.empty()) return parse_field_line(line, true);
      state_ = state::message_end;
      return error::none;
  }
  return error::none;
}

error parser::end_head() {
  head_.fields = {table_.data(), field_count_};
  trailer_begin_ = field_count_;
  const error e = role_ == role::request ? decide_request_framing() : decide_response_framing();
  if (e != error::none) return e;
  switch (head_.framing) {
    case body_framing::none:
    case body_framing::tunnel:
      state_ = state::message_end;
      break;
    case body_framing::length:
      remaining_ = head_.content_length;
      state_ = remaining_ == 0 ? state::message_end : state::body_length;
      break;
    case body_framing::chunked:
      begin_chunk_line();
      break;
    case body_framing::until_close:
      state_ = state::body_close;
      break;
  }
  return error::none;
}

}  // namespace ravelin::http
