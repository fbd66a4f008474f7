// The transmission control block (RFC 9293 §3.3.1) of one connection, and the parsed form
// of a received segment. TCBs live in a pool allocated once per lcore; every field has a
// fixed size, so a connection never allocates.
#pragma once

#include <cstdint>

#include "internal/seg_queue.h"
#include "internal/tcp_options.h"
#include "ravelin/tcpstack/tcp.h"

namespace ravelin::tcpstack::internal {

inline constexpr uint32_t k_none = UINT32_MAX;
inline constexpr uint32_t k_scoreboard_ranges = 16;  // SACKed ranges remembered per connection

// A received segment after validation (host byte order). The payload is the mbuf chain
// passed alongside it, headers already removed.
struct segment {
  uint32_t src_ip = 0;
  uint32_t dst_ip = 0;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint32_t wnd = 0;  // the raw 16-bit field
  uint8_t flags = 0;
  uint32_t len = 0;  // payload bytes
  tcp_options opt;
  bool syn() const { return (flags & 0x02) != 0; }
  bool fin() const { return (flags & 0x01) != 0; }
  bool rst() const { return (flags & 0x04) != 0; }
  bool has_ack() const { return (flags & 0x10) != 0; }
  // SEG.LEN of RFC 9293 §3.4: payload plus one for each of SYN and FIN.
  uint32_t seg_len() const { return len + (syn() ? 1 : 0) + (fin() ? 1 : 0); }
};

// The peer's SACK blocks (RFC 2018) above SND.UNA, sorted and disjoint: the RFC 6675
// scoreboard.
struct scoreboard {
  sack_block r[k_scoreboard_ranges];
  uint8_t n = 0;
  uint32_t sacked_bytes = 0;
};

enum class rtx_kind : uint8_t { none, rto, persist };

struct tcb {
  // --- identity and pool bookkeeping
  uint32_t local_ip = 0;
  uint32_t remote_ip = 0;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  uint32_t generation = 0;  // bumped when the application's handle goes stale
  tcp_state state = tcp_state::closed;
  bool in_use = false;
  bool passive = false;        // created by a listener
  bool attached = false;       // the application holds a handle (until on_closed)
  bool announced = false;      // on_accepted / on_connected has been delivered
  uint16_t port_id = 0;        // the DPDK port its packets leave by
  uint32_t listener = k_none;  // SYN-RECEIVED: the listener it counts against
  uint16_t busy = 0;           // nesting depth of engine code working on it (see tcb_guard)
  tcp_handler* handler = nullptr;
  void* opaque = nullptr;
  congestion_control cc = congestion_control::cubic;

  // --- options negotiated (RFC 9293 §3.7.1, RFC 7323, RFC 2018)
  bool ts_ok = false;
  bool sack_ok = false;
  bool ws_ok = false;
  uint8_t snd_wscale = 0;
  uint8_t rcv_wscale = 0;
  uint16_t mss = 536;      // largest segment the peer accepts, our limit applied
  uint16_t smss = 536;     // payload bytes of a full data segment (mss less timestamps)
  uint32_t ts_recent = 0;  // RFC 7323 §4.3 TS.Recent
  uint64_t ts_recent_ns = 0;
  uint32_t ts_offset = 0;  // per-connection random TSval offset (RFC 7323 §5.4)

  // --- send sequence space (RFC 9293 §3.3.1)
  uint32_t iss = 0;
  uint32_t snd_una = 0;
  uint32_t snd_nxt = 0;
  uint32_t snd_max = 0;      // highest sequence number sent plus one
  uint32_t snd_wnd = 0;      // bytes, scaled
  uint32_t max_snd_wnd = 0;  // largest window the peer has offered (RFC 5961 §5.2)
  uint32_t snd_wl1 = 0;
  uint32_t snd_wl2 = 0;
  seg_queue sndq;                  // unacknowledged and unsent data
  uint32_t sndq_seq = 0;           // sequence number of the first byte in sndq
  rte_mbuf* snd_cursor = nullptr;  // a segment of sndq, to find send positions quickly
  uint32_t snd_cursor_seq = 0;     // sequence number of the first byte of snd_cursor's data
  bool fin_queued = false;         // shutdown or close: FIN follows the data
  bool app_closed = false;         // close() called: the application reads nothing more
  bool want_writable = false;      // a send was refused; on_writable is owed
  // Events found while processing, delivered together at its end (deliver_events).
  bool ev_established = false;
  bool ev_readable = false;
  bool ev_writable = false;
  bool ev_peer_closed = false;
  bool ev_closed = false;  // TIME-WAIT reached: on_closed(normal) after the others

  // --- receive sequence space
  uint32_t irs = 0;
  uint32_t rcv_nxt = 0;
  uint32_t rcv_adv = 0;        // right edge of the window last advertised
  uint32_t last_ack_sent = 0;  // RFC 7323 §4.3 Last.ACK.sent
  seg_queue rcvq;              // in-order bytes the application has not consumed
  uint32_t ooo_head = k_none;  // out-of-order segments, sorted (reassembly node indices)
  uint32_t ooo_count = 0;
  uint32_t ooo_bytes = 0;
  sack_block last_ooo{};  // the block most recently received, reported first
  bool peer_fin = false;  // the FIN has been processed (RCV.NXT is past it)
  bool ooo_fin = false;   // a FIN arrived beyond a hole, at ooo_fin_seq
  uint32_t ooo_fin_seq = 0;
  bool ack_now = false;      // an ACK must go out with the next output
  uint8_t unacked_segs = 0;  // in-order segments received since our last ACK

  // --- retransmission (RFC 6298) and timers; times in ns, 0 = not armed
  uint64_t srtt_ns = 0;
  uint64_t rttvar_ns = 0;
  uint64_t rto_ns = 0;
  uint8_t backoff = 0;      // consecutive expirations of the current timer kind
  bool rtt_timing = false;  // Karn-safe sample in progress (no timestamps)
  uint32_t rtt_seq = 0;
  uint64_t rtt_start_ns = 0;
  rtx_kind rtx = rtx_kind::none;
  uint64_t rtx_at = 0;
  uint64_t delack_at = 0;
  uint64_t idle_at = 0;  // TIME-WAIT, FIN-WAIT-2 or keep-alive, by state
  uint64_t last_rx_ns = 0;
  uint64_t time_wait_ns = 0;  // when TIME-WAIT was entered
  bool keepalive = false;
  bool nagle = false;          // RFC 9293 §3.7.4; off unless set_nagle()
  uint8_t keepalive_sent = 0;  // keep-alive probes since the peer was last heard
  uint8_t persist_probes = 0;  // zero-window probes since the peer was last heard
  uint64_t retransmits = 0;

  // --- congestion control (RFC 5681, RFC 6582, RFC 6675, RFC 9438)
  uint32_t cwnd = 0;
  uint32_t ssthresh = 0;
  uint32_t recover = 0;   // RFC 6582 "recover" / RFC 6675 RecoveryPoint
  uint32_t high_rxt = 0;  // RFC 6675 HighRxt
  uint32_t dupacks = 0;
  uint32_t ca_acked = 0;  // bytes acknowledged toward the next NewReno increase
  bool in_recovery = false;
  scoreboard sb;
  struct {
    double w_max = 0;       // segments, at the last congestion event
    double w_est = 0;       // segments, Reno-friendly estimate (RFC 9438 §4.3)
    double k = 0;           // seconds
    uint64_t epoch_ns = 0;  // start of the current avoidance epoch; 0 = none
    double frac = 0;        // bytes of growth not yet added to cwnd
  } cubic;

  // --- lists of the engine
  uint32_t free_next = k_none;
  uint32_t pending_prev = k_none;  // output deferred for lack of tx batch room
  uint32_t pending_next = k_none;
  bool pending = false;
  uint32_t tw_prev = k_none;  // TIME-WAIT list, oldest first, for recycling
  uint32_t tw_next = k_none;
};

}  // namespace ravelin::tcpstack::internal
