// Moves readable bytes of one connection into the send buffer of another (or the same, for
// echo). Zero copy when the destination can take all of it; otherwise copies what fits and
// leaves the rest in the source's receive buffer, where it closes the source's window: the
// back-pressure of a slow destination reaches the source's sender (RFC 9293 §3.8.6).
#pragma once

#include <cstdint>

#include "ravelin/tcpstack/tcp.h"

namespace ravelin::dataplane {

// Returns the bytes moved. When not all could be moved, the destination's on_writable()
// follows once it has room.
inline uint32_t splice(tcpstack::tcp_endpoint& tcp, tcpstack::conn_id from,
                       tcpstack::conn_id to) {
  const tcpstack::rx_view view = tcp.readable(from);
  if (view.length == 0) return 0;
  if (tcp.send_space(to) >= view.length) {
    const uint32_t n = view.length;
    if (rte_mbuf* chain = tcp.take(from)) {
      if (tcp.send(to, chain) == tcpstack::send_status::accepted) return n;
      rte_pktmbuf_free(chain);  // only a connection going away refuses after the check
    }
    return 0;
  }
  uint32_t moved = 0;
  bool full = false;
  view.for_each([&](const uint8_t* p, uint32_t len) {
    if (full) return;
    const uint32_t n = tcp.send_copy(to, p, len);
    moved += n;
    full = n < len;
  });
  tcp.consume(from, moved);
  return moved;
}

}  // namespace ravelin::dataplane
