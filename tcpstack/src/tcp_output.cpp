// Deciding what a connection sends next: new data within min(cwnd, SND.WND) with sender
// SWS avoidance (RFC 9293 §3.8.6.2.1, Nagle off), the FIN after the data, RFC 6675 NextSeg()
// during SACK recovery, pure ACKs, and the persist timer when the window holds data back.
#include <algorithm>

#include "internal/seq.h"
#include "internal/tcp_engine.h"

namespace ravelin::tcpstack::internal {
namespace {

constexpr uint8_t k_ack = 0x10;
constexpr uint8_t k_psh = 0x08;
constexpr uint8_t k_fin = 0x01;

bool may_send_data(tcp_state s) {
  return s == tcp_state::established || s == tcp_state::close_wait || s == tcp_state::fin_wait_1 ||
         s == tcp_state::closing || s == tcp_state::last_ack;
}

}  // namespace

void tcp_engine::output(tcb& t) {
  if (t.state == tcp_state::closed) return;
  if (t.state == tcp_state::syn_sent || t.state == tcp_state::syn_received) {
    if (t.ack_now && t.state == tcp_state::syn_received) send_syn(t);
    t.ack_now = false;
    arm(t);
    return;
  }
  if (!tx_room(t.port_id)) {
    defer_output(t);
    arm(t);
    return;
  }
  bool sent = false;
  if (may_send_data(t.state)) {
    if (t.in_recovery && t.sack_ok) sent = sack_retransmit(t);
    sent = send_new_data(t) || sent;
  }
  if (!sent && t.ack_now && tx_room(t.port_id)) sent = send_ack(t);
  if (!sent && t.ack_now) defer_output(t);
  // Data held back with nothing in flight to clock it out: the persist timer forces a
  // probe or a small segment later (RFC 9293 §3.8.6.1, RFC 1122 §4.2.3.4).
  const uint32_t data_end = t.sndq_seq + t.sndq.bytes;
  if (t.rtx == rtx_kind::none && may_send_data(t.state)) {
    if (t.snd_una != t.snd_max) {
      start_rto(t);  // RFC 6298 §5.1: outstanding data always has a timer
    } else if (seq_lt(t.snd_nxt, data_end)) {
      t.rtx = rtx_kind::persist;
      t.rtx_at =
          now_ns_ + std::min(t.rto_ns << std::min<uint8_t>(t.backoff, 16), limits_.tcp_rto_max_ns);
    }
  }
  arm(t);
}

bool tcp_engine::send_new_data(tcb& t) {
  bool sent = false;
  for (;;) {
    if (!tx_room(t.port_id)) {
      defer_output(t);
      break;
    }
    const uint32_t data_end = t.sndq_seq + t.sndq.bytes;
    const uint32_t avail = seq_lt(t.snd_nxt, data_end) ? data_end - t.snd_nxt : 0;
    const bool fin_next = t.fin_queued && t.snd_nxt == data_end;
    const uint32_t flight = t.in_recovery && t.sack_ok ? pipe(t) : t.snd_nxt - t.snd_una;
    const uint32_t cc_room = t.cwnd > flight ? t.cwnd - flight : 0;
    const uint32_t right = t.snd_una + t.snd_wnd;
    const uint32_t peer_room = seq_lt(t.snd_nxt, right) ? right - t.snd_nxt : 0;
    // With TSO one segment may carry many MSS; SACK blocks would not fit beside it.
    const uint32_t seg_max = t.ooo_head == k_none ? max_payload(t) : t.smss;
    uint32_t len = std::min({avail, cc_room, peer_room, seg_max});
    if (len > t.smss) len -= len % t.smss;  // TSO: whole segments, the NIC cuts them
    if (len == 0 && !fin_next) break;
    // Sender SWS avoidance (RFC 9293 §3.8.6.2.1): a short segment only when it carries the
    // last queued byte or at least half the largest window the peer has offered...
    if (len != 0 && len < avail && len < t.smss && len < t.max_snd_wnd / 2) break;
    // ...and with Nagle on (RFC 9293 §3.7.4), not while earlier data is unacknowledged.
    if (t.nagle && len != 0 && len < t.smss && t.snd_una != t.snd_max) break;
    const bool last = t.snd_nxt + len == data_end;
    const bool fin = t.fin_queued && last;
    const uint8_t flags =
        static_cast<uint8_t>(k_ack | (len != 0 && last ? k_psh : 0) | (fin ? k_fin : 0));
    const bool again = seq_lt(t.snd_nxt, t.snd_max);
    if (!send_segment(t, t.snd_nxt, len, flags)) break;
    if (again) {
      counters_.add(counter::tcp_tx_retransmits);
      ++t.retransmits;
    } else if (!t.rtt_timing && !t.ts_ok && len != 0) {
      t.rtt_timing = true;  // RFC 6298 §3: one timed segment at a time
      t.rtt_seq = t.snd_nxt;
      t.rtt_start_ns = now_ns_;
    }
    t.snd_nxt += len + (fin ? 1 : 0);
    t.snd_max = seq_max(t.snd_max, t.snd_nxt);
    start_rto(t);
    sent = true;
    if (fin) break;
  }
  return sent;
}

bool tcp_engine::sack_retransmit(tcb& t) {
  // RFC 6675 §5 step (C): while cwnd - pipe >= 1 SMSS, NextSeg() rule 1 (a lost hole
  // above HighRxt). Rules 2 and 3 are new data (send_new_data) and, when there is none,
  // any unSACKed octet above HighRxt.
  bool sent = false;
  hole h[k_scoreboard_ranges + 1];
  while (tx_room(t.port_id)) {
    const uint32_t p = pipe(t);
    if (t.cwnd < p + t.smss) break;
    const uint32_t n = holes(t, h, k_scoreboard_ranges + 1);
    const uint32_t data_end = t.sndq_seq + t.sndq.bytes;
    const bool new_data = seq_lt(t.snd_max, data_end) && seq_lt(t.snd_max, t.snd_una + t.snd_wnd);
    uint32_t seq = 0;
    bool found = false;
    for (uint32_t i = 0; i < n && !found; ++i) {
      const uint32_t from = seq_max(h[i].start, t.high_rxt);
      if (!seq_lt(from, h[i].end)) continue;
      if (h[i].lost || !new_data) {
        seq = from;
        found = true;
      }
    }
    if (!found) break;
    const uint32_t len = retransmit(t, seq);
    if (len == 0) break;
    t.high_rxt = seq + len;
    sent = true;
  }
  if (!tx_room(t.port_id)) defer_output(t);
  return sent;
}

uint32_t tcp_engine::retransmit(tcb& t, uint32_t seq) {
  const uint32_t data_end = t.sndq_seq + t.sndq.bytes;
  const uint32_t avail = seq_lt(seq, data_end) ? data_end - seq : 0;
  const uint32_t len = std::min({avail, uint32_t{t.smss}, t.snd_max - seq});
  // The FIN goes again when it is next and was sent before.
  const bool fin = t.fin_queued && seq + len == data_end && seq_gt(t.snd_max, data_end);
  if (len == 0 && !fin) return 0;
  const uint8_t flags = static_cast<uint8_t>(k_ack | (fin ? k_fin : 0));
  if (!send_segment(t, seq, len, flags)) return 0;
  counters_.add(counter::tcp_tx_retransmits);
  ++t.retransmits;
  t.rtt_timing = false;  // Karn: this range is ambiguous now
  start_rto(t);
  return len + (fin ? 1 : 0);
}

void tcp_engine::start_rto(tcb& t) {
  // RFC 6298 §5.1: running while data is outstanding; started if it was not.
  if (t.rtx != rtx_kind::rto) {
    t.rtx = rtx_kind::rto;
    t.rtx_at = now_ns_ + t.rto_ns;
  }
}

}  // namespace ravelin::tcpstack::internal
