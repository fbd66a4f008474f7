// Byte movement shared by both directions of the proxy: walking a receive view, copying a
// head into a session buffer, feeding a parser the body bytes that fit the other side's
// send buffer, and moving exactly those raw bytes across (zero copy when it is all of them).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ravelin/http/parser.h"
#include "ravelin/tcpstack/tcp.h"

namespace ravelin::dataplane::proxy {

// Calls fn(const char*, uint32_t) for the pieces of bytes [skip, skip + limit) of `v` until
// fn returns false.
template <typename Fn>
void walk(const tcpstack::rx_view& v, uint32_t skip, uint32_t limit, Fn&& fn) {
  uint32_t off = v.offset;
  uint32_t left = v.length;
  for (const rte_mbuf* s = v.first; s != nullptr && left != 0 && limit != 0; s = s->next) {
    uint32_t n = s->data_len - off < left ? s->data_len - off : left;
    left -= n;
    if (skip >= n) {
      skip -= n;
      off = 0;
      continue;
    }
    const char* p = rte_pktmbuf_mtod_offset(s, const char*, off + skip);
    n -= skip;
    skip = 0;
    off = 0;
    if (n > limit) n = limit;
    limit -= n;
    if (!fn(p, n)) return;
  }
}

// Appends readable bytes past the `have` already copied into `buf` (capacity `cap`);
// returns the new count.
inline uint32_t copy_more(const tcpstack::rx_view& v, char* buf, uint32_t have, uint32_t cap) {
  if (v.length <= have || have >= cap) return have;
  walk(v, have, cap - have, [&](const char* p, uint32_t n) {
    std::memcpy(buf + have, p, n);
    have += n;
    return true;
  });
  return have;
}

// Where a head ends in buf[0, len): the index past the empty line's LF, or 0. Bare-LF
// endings count too, so the parser can refuse them (RFC 9112 §2.2). `from` remembers where
// the last search stopped.
inline uint32_t find_head_end(const char* buf, uint32_t len, uint32_t& from) {
  for (uint32_t i = from; i < len; ++i) {
    if (buf[i] != '\n') continue;
    if (i + 1 < len && buf[i + 1] == '\n') return i + 2;
    if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') return i + 3;
  }
  from = len > 2 ? len - 2 : 0;
  return 0;
}

// Copies readable bytes into `buf` a step at a time until a complete head is there (returns
// its length) or `v` or the buffer is exhausted (returns 0). Stepping keeps a small head
// followed by a large body from costing a full-buffer copy.
inline uint32_t gather_head(const tcpstack::rx_view& v, char* buf, uint32_t& have, uint32_t cap,
                            uint32_t& scan_from) {
  constexpr uint32_t k_step = 2048;
  for (;;) {
    const uint32_t before = have;
    have = copy_more(v, buf, have, std::min(cap, have + k_step));
    if (const uint32_t end = find_head_end(buf, have, scan_from); end != 0) return end;
    if (have == before || have == cap) return 0;
  }
}

struct body_step {
  uint32_t raw = 0;  // input bytes the parser used (framing included)
  bool done = false;
  bool failed = false;
};

// Feeds the parser at most `limit` readable bytes of `v`, stopping at the end of the message;
// on_body(std::string_view) sees each piece of decoded body (chunk framing removed).
template <typename OnBody>
body_step feed_body(http::parser& p, const tcpstack::rx_view& v, uint32_t limit, OnBody&& on_body) {
  body_step st;
  const auto settle = [&] {
    // A message whose framing completed on the last byte reports `done` on the next feed.
    const http::feed_result r = p.feed({});
    st.done = r.what == http::event::done;
    st.failed = r.what == http::event::error;
  };
  settle();
  if (st.done || st.failed) return st;
  walk(v, 0, limit, [&](const char* d, uint32_t n) {
    std::string_view seg(d, n);
    while (!seg.empty()) {
      const http::feed_result r = p.feed(seg);
      st.raw += static_cast<uint32_t>(r.consumed);
      seg.remove_prefix(r.consumed);
      switch (r.what) {
        case http::event::body:
          on_body(r.data);
          continue;
        case http::event::tunnel:
        case http::event::need_more:
          continue;
        case http::event::done:
          st.done = true;
          return false;
        default:
          st.failed = true;
          return false;
      }
    }
    return true;
  });
  if (!st.done && !st.failed) settle();
  return st;
}

// The raw bytes are what moves on: the body itself is not looked at.
inline body_step feed_body(http::parser& p, const tcpstack::rx_view& v, uint32_t limit) {
  return feed_body(p, v, limit, [](std::string_view) {});
}

// Sends the decoded body to `to` as it is parsed. `limit` is within to's send space and
// decoded bytes never outnumber raw ones, so every copy is accepted whole; the caller
// consumes `raw` from the source.
inline body_step dechunk_body(http::parser& p, const tcpstack::rx_view& v, uint32_t limit,
                              tcpstack::tcp_endpoint& tcp, tcpstack::conn_id to) {
  return feed_body(p, v, limit, [&](std::string_view d) {
    tcp.send_copy(to, d.data(), static_cast<uint32_t>(d.size()));
  });
}

// Moves the first `n` readable bytes of `from` to `to`; the caller checked send_space.
inline bool move_bytes(tcpstack::tcp_endpoint& tcp, tcpstack::conn_id from, tcpstack::conn_id to,
                       uint32_t n) {
  if (n == 0) return true;
  const tcpstack::rx_view v = tcp.readable(from);
  if (n == v.length) {
    rte_mbuf* chain = tcp.take(from);
    if (chain == nullptr) return false;
    if (tcp.send(to, chain) == tcpstack::send_status::accepted) return true;
    rte_pktmbuf_free(chain);
    return false;
  }
  uint32_t moved = 0;
  walk(v, 0, n, [&](const char* p, uint32_t len) {
    const uint32_t k = tcp.send_copy(to, p, len);
    moved += k;
    return k == len;
  });
  tcp.consume(from, moved);
  return moved == n;
}

}  // namespace ravelin::dataplane::proxy
