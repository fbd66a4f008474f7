// The application interface of the per-lcore TCP (RFC 9293): listen, connect, send with
// back-pressure, zero-copy receive, shutdown, close and abort, with events delivered as
// callbacks on the lcore that owns the connection. Reached through stack::tcp().
//
// Threading: everything here, callbacks included, runs on the stack's lcore; nothing is
// thread-safe and nothing needs to be.
//
// Callbacks run from inside stack::input() and stack::poll(). A callback may call any
// function here, for this connection or another one; such calls never invoke a callback
// themselves, so callbacks never nest. Within one segment's processing the order is
// accepted/connected, readable, peer_closed, writable, then closed. After on_closed() the
// handle is stale: every call with it fails harmlessly (send* accept nothing, the rest
// return false or empty), and bytes still unread are gone with it.
//
// Output the stack could not queue because a port's tx_batch was full resumes at the next
// stack::input() or stack::poll() (counted as tcp_tx_deferred).
//
// mbuf ownership:
//  - send(c, m): on send_status::accepted the stack owns the whole chain `m` and frees it
//    once the peer has acknowledged its bytes (or the connection ends). Transmission uses
//    indirect mbufs that reference it, so the data must not be modified after the call.
//    On any other status the caller still owns `m`.
//  - send_copy(c, p, n): the stack copies into mbufs of its own pool; the caller keeps `p`.
//  - readable(c) / on_readable(): a view into mbufs the stack owns. It stays valid until
//    the next consume(), take(), close() or abort() of that connection, or the next
//    stack::input() or poll() (which may end the connection), whichever comes first.
//  - consume(c, n): the stack frees what is entirely consumed and reopens the window.
//  - take(c): hands all readable bytes over as one well-formed mbuf chain (nb_segs and
//    pkt_len set) that the caller owns from then on; counts as consumed.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>

#include "ravelin/tcpstack/rss.h"

namespace ravelin::tcpstack {

namespace internal {
class tcp_engine;
}

// A connection handle: an index into the lcore's connection pool plus the generation of
// that slot, so a handle kept past on_closed() is recognised as stale instead of aliasing
// the connection that reuses the slot.
struct conn_id {
  uint32_t index = UINT32_MAX;
  uint32_t generation = 0;
  bool valid() const { return index != UINT32_MAX; }
  friend bool operator==(const conn_id&, const conn_id&) = default;
};

enum class close_reason : uint8_t {
  normal,     // both directions finished with FINs (RFC 9293 §3.6)
  reset,      // the peer sent an acceptable RST (RFC 5961 §3.2)
  refused,    // RST in answer to our SYN (RFC 9293 §3.10.7.3)
  timed_out,  // retransmissions, keep-alive probes or FIN-WAIT-2 time ran out
  aborted,    // data arrived after close(), so we reset the connection
};
const char* to_string(close_reason r);

enum class send_status : uint8_t {
  accepted,     // the stack owns the data now
  would_block,  // not enough send-buffer space; on_writable() follows when there is
  closed,       // shutdown()/close() was called, or the connection is going away
  invalid,      // stale handle, or an empty or oversized chain
};

// Unread, in-order received bytes: `length` bytes starting `offset` bytes into `first`,
// continuing through first->next. Segments are ordinary mbuf segments (data_len each).
struct rx_view {
  const rte_mbuf* first = nullptr;
  uint32_t offset = 0;
  uint32_t length = 0;

  // Calls fn(const uint8_t* data, uint32_t len) for each contiguous piece, in order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    uint32_t left = length;
    uint32_t off = offset;
    for (const rte_mbuf* s = first; s != nullptr && left != 0; s = s->next) {
      const uint32_t n = s->data_len - off < left ? s->data_len - off : left;
      if (n != 0) fn(rte_pktmbuf_mtod_offset(s, const uint8_t*, off), n);
      left -= n;
      off = 0;
    }
  }
  // Copies up to `max` bytes from the start of the view; returns how many.
  uint32_t copy_to(void* dst, uint32_t max) const;
};

// Connection events. One handler object may serve many connections; `opaque` is the
// per-connection pointer given to connect() or set with set_opaque() (accepted connections
// start with the listener's). Default implementations ignore the event.
class tcp_handler {
 public:
  virtual ~tcp_handler() = default;
  // A passive open completed the three-way handshake (RFC 9293 §3.5).
  virtual void on_accepted(conn_id c, void* opaque);
  // An active open completed.
  virtual void on_connected(conn_id c, void* opaque);
  // New in-order bytes arrived; `data` is everything unread (see rx_view). Not consuming
  // keeps the bytes and shrinks the advertised window.
  virtual void on_readable(conn_id c, void* opaque, rx_view data);
  // A quarter of the send buffer is free again after a send was refused or cut short, or
  // after send_space() reported less than that.
  virtual void on_writable(conn_id c, void* opaque);
  // The peer's FIN arrived after all its data: nothing more will be readable.
  virtual void on_peer_closed(conn_id c, void* opaque);
  // The last event of every connection that was accepted, connected or being connected.
  virtual void on_closed(conn_id c, void* opaque, close_reason reason);
};

enum class tcp_state : uint8_t {
  closed,
  syn_sent,
  syn_received,
  established,
  fin_wait_1,
  fin_wait_2,
  close_wait,
  closing,
  last_ack,
  time_wait,
};
const char* to_string(tcp_state s);

struct conn_info {
  tcp_state state = tcp_state::closed;
  uint32_t local_ip = 0;  // host byte order
  uint16_t local_port = 0;
  uint32_t remote_ip = 0;
  uint16_t remote_port = 0;
  uint16_t mss = 0;          // payload bytes per full segment
  bool sack = false;         // SACK-permitted negotiated (RFC 2018)
  bool timestamps = false;   // RFC 7323 timestamps negotiated
  uint8_t send_wscale = 0;   // peer's window shift
  uint8_t recv_wscale = 0;   // ours
  uint32_t send_window = 0;  // bytes
  uint32_t cwnd = 0;         // bytes
  uint32_t ssthresh = 0;     // bytes
  uint64_t srtt_ns = 0;
  uint64_t rto_ns = 0;
  uint32_t unacked_bytes = 0;  // queued and not yet acknowledged
  uint32_t readable_bytes = 0;
  uint64_t retransmits = 0;
};

enum class congestion_control : uint8_t { newreno, cubic };

struct connect_options {
  uint32_t local_ip = 0;    // 0: the address of the interface that routes to the peer
  uint16_t local_port = 0;  // 0: an ephemeral port (steered to this lcore's queue, rss.h)
};

class tcp_endpoint {
 public:
  explicit tcp_endpoint(internal::tcp_engine* engine) : engine_(engine) {}

  // Accepts connections to `port` on any of the stack's addresses. `backlog` bounds the
  // handshakes in progress for it (0: stack_limits::tcp_listen_backlog). False when the
  // port already listens or the listener table is full.
  bool listen(uint16_t port, tcp_handler* handler, void* opaque = nullptr, uint32_t backlog = 0);
  // Stops accepting; established connections are unaffected, handshakes in progress are reset.
  bool unlisten(uint16_t port);

  // Active open (RFC 9293 §3.5): sends the SYN and returns the handle, or an invalid handle
  // when there is no route, no free connection or no usable local port (all counted).
  conn_id connect(uint32_t remote_ip, uint16_t remote_port, tcp_handler* handler, void* opaque,
                  const connect_options& options = {});

  // Queues the chain for transmission, whole or not at all (ownership: see top of file).
  [[nodiscard]] send_status send(conn_id c, rte_mbuf* m);
  // Copies up to `len` bytes; returns how many were accepted (0: full, closed or invalid).
  uint32_t send_copy(conn_id c, const void* data, uint32_t len);
  // Bytes send() would accept now. Whenever a send or this look leaves less than a quarter
  // of the buffer free, on_writable follows once a quarter is free again.
  uint32_t send_space(conn_id c) const;

  rx_view readable(conn_id c) const;
  // Releases the first `n` readable bytes (n larger than readable releases all).
  void consume(conn_id c, uint32_t n);
  // All readable bytes as a chain the caller owns, or null when there are none.
  rte_mbuf* take(conn_id c);

  // Half-close: a FIN follows the queued data; receiving continues (RFC 9293 §3.10.4).
  bool shutdown(conn_id c);
  // Done with the connection: FIN after the queued data; bytes arriving later reset it.
  // on_closed() follows when the close completes or fails.
  bool close(conn_id c);
  // Sends RST and forgets the connection at once (RFC 9293 §3.10.5). No callback follows;
  // the handle is stale on return.
  bool abort(conn_id c);

  bool set_opaque(conn_id c, void* opaque);
  void* opaque(conn_id c) const;
  bool set_handler(conn_id c, tcp_handler* handler);
  // RFC 9293 §3.8.4 keep-alives with the stack_limits idle/interval/probe settings.
  bool set_keepalive(conn_id c, bool on);
  bool set_congestion_control(conn_id c, congestion_control cc);
  // Nagle's algorithm (RFC 9293 §3.7.4): off by default, as a proxy wants its small writes
  // sent at once.
  bool set_nagle(conn_id c, bool on);
  bool info(conn_id c, conn_info& out) const;

  // Steers active opens leaving by `port_id` (see rss.h). Configuration time only: it
  // allocates.
  void set_rss(uint16_t port_id, const rss_config& cfg);

  // Connections in use (any state, TIME-WAIT included) and the mbufs TCP holds in its
  // queues; both for leak checks and stats.
  uint32_t connections() const;
  uint32_t held_mbufs() const;
  // Connections with a timer on the wheel; never more than connections().
  uint32_t timers() const;

 private:
  internal::tcp_engine* engine_;
};

}  // namespace ravelin::tcpstack
