// Segment arrival in SYN-RECEIVED and the synchronized states: RFC 9293 §3.10.7.4 step by
// step, with RFC 7323 PAWS before the sequence check and RFC 5961 for RST, SYN and ACK.
#include "internal/seq.h"
#include "internal/tcp_engine.h"

namespace ravelin::tcpstack::internal {
namespace {

constexpr uint64_t k_ts_recent_valid_ns = 24ULL * 24 * 3600 * 1'000'000'000;  // RFC 7323 §5.5

bool receives_data(tcp_state s) {
  return s == tcp_state::established || s == tcp_state::fin_wait_1 || s == tcp_state::fin_wait_2 ||
         s == tcp_state::syn_received;
}

}  // namespace

void tcp_engine::sync_input(tcb& t, segment& seg, rte_mbuf* m) {
  if (!check_timestamps(t, seg)) {
    rte_pktmbuf_free(m);
    return;
  }
  // First: the sequence number (RFC 9293 §3.10.7.4, first check).
  if (!acceptable(t, seg)) {
    rte_pktmbuf_free(m);
    if (seg.rst()) {
      counters_.add(counter::tcp_rx_rst_ignored);
      return;
    }
    if (t.state == tcp_state::syn_received && seg.syn() && seg.seq == t.irs) {
      counters_.add(counter::tcp_rx_out_of_window);  // the peer's SYN again: our SYN,ACK was lost
      send_syn(t);
      return;
    }
    counters_.add(counter::tcp_rx_out_of_window);
    t.ack_now = true;
    output(t);
    return;
  }
  // RFC 7323 §5.3 R3: remember the newest TSval of an acceptable segment at or before the
  // last ACK sent (§4.3).
  if (t.ts_ok && seg.opt.has_timestamp && seq_geq(seg.opt.ts_val, t.ts_recent) &&
      seq_leq(seg.seq, t.last_ack_sent)) {
    t.ts_recent = seg.opt.ts_val;
    t.ts_recent_ns = now_ns_;
  }
  // Second: RST (RFC 5961 §3.2): exact RCV.NXT resets, elsewhere in the window challenges.
  // In TIME-WAIT a RST is ignored (RFC 1337 §3, fix F1) so that a stray one cannot end the
  // quiet time early.
  if (seg.rst()) {
    rte_pktmbuf_free(m);
    if (t.state == tcp_state::time_wait) {
      counters_.add(counter::tcp_rx_rst_ignored);
    } else {
      rst_input(t, seg);
    }
    return;
  }
  m = trim_to_window(t, seg, m);
  // Fourth: SYN. RFC 9293 sends a passive SYN-RECEIVED back to LISTEN; everywhere else
  // RFC 5961 §4.2 answers with a challenge ACK.
  if (seg.syn()) {
    rte_pktmbuf_free(m);
    if (t.state == tcp_state::syn_received && t.passive) {
      counters_.add(counter::tcp_rx_unexpected);
      finish(t, close_reason::reset);
      return;
    }
    counters_.add(counter::tcp_rx_syn_challenged);
    send_challenge_ack(t);
    return;
  }
  // Fifth: ACK.
  if (!seg.has_ack()) {
    ip_.drop(m, counter::tcp_rx_no_ack);
    return;
  }
  t.last_rx_ns = now_ns_;
  t.keepalive_sent = 0;
  t.persist_probes = 0;
  if (!ack_input(t, seg)) {
    rte_pktmbuf_free(m);
    if (t.state != tcp_state::closed) {
      deliver_events(t);
      if (t.state != tcp_state::closed) output(t);
    }
    return;
  }
  // Sixth: URG is not acted on; urgent bytes are ordinary data (RFC 6093 §4).
  // Seventh and eighth: text and FIN.
  process_text(t, seg, m);
  if (t.state == tcp_state::closed) return;
  deliver_events(t);
  if (t.state == tcp_state::closed) return;
  output(t);
  arm(t);
}

bool tcp_engine::check_timestamps(tcb& t, const segment& seg) {
  if (!t.ts_ok || seg.rst()) return true;
  // RFC 7323 §3.2: once negotiated, a segment without timestamps SHOULD be dropped.
  if (!seg.opt.has_timestamp) {
    counters_.add(counter::tcp_rx_no_timestamp);
    return false;
  }
  // RFC 7323 §5.3 R1 (PAWS), with TS.Recent invalid after 24 days idle (§5.5).
  if (seq_lt(seg.opt.ts_val, t.ts_recent) && now_ns_ - t.ts_recent_ns < k_ts_recent_valid_ns) {
    counters_.add(counter::tcp_rx_paws_rejected);
    t.ack_now = true;
    output(t);
    return false;
  }
  return true;
}

bool tcp_engine::acceptable(const tcb& t, const segment& seg) const {
  // RFC 9293 §3.10.7.4 table of the four cases, with RCV.WND the window we advertised.
  const uint32_t wnd = t.rcv_adv - t.rcv_nxt;
  const uint32_t len = seg.seg_len();
  if (len == 0) {
    return wnd == 0 ? seg.seq == t.rcv_nxt : seq_in(seg.seq, t.rcv_nxt, t.rcv_nxt + wnd);
  }
  if (wnd == 0) {
    // "Special allowance should be made to accept valid ACKs, URGs, and RSTs": a segment at
    // RCV.NXT is processed for its control information; trim_to_window drops its data.
    return seg.seq == t.rcv_nxt;
  }
  return seq_in(seg.seq, t.rcv_nxt, t.rcv_nxt + wnd) ||
         seq_in(seg.seq + len - 1, t.rcv_nxt, t.rcv_nxt + wnd);
}

rte_mbuf* tcp_engine::trim_to_window(tcb& t, segment& seg, rte_mbuf* m) {
  // RFC 9293 §3.10.7.4: keep only the part inside the window; SYN and FIN are trimmed like
  // the sequence numbers they occupy.
  if (seq_lt(seg.seq, t.rcv_nxt)) {
    uint32_t d = t.rcv_nxt - seg.seq;
    if (seg.syn()) {
      seg.flags &= static_cast<uint8_t>(~0x02);
      ++seg.seq;
      --d;
    }
    const uint32_t cut = std::min(d, seg.len);
    if (cut != 0) {
      m = chain_trim_front(m, cut);
      seg.len -= cut;
      seg.seq += cut;
    }
  }
  const uint32_t right = t.rcv_adv;
  if (seg.len != 0 && seq_gt(seg.seq + seg.len, right)) {
    const uint32_t keep = seq_gt(right, seg.seq) ? right - seg.seq : 0;
    if (keep == 0) {
      counters_.add(counter::tcp_rx_zero_window_data);
      t.ack_now = true;
      rte_pktmbuf_free(m);
      m = nullptr;
    } else {
      chain_trim_back(m, keep);
    }
    seg.len = keep;
    seg.flags &= static_cast<uint8_t>(~0x01);  // the FIN lay beyond the window
  }
  if (seg.len == 0 && m != nullptr) {
    rte_pktmbuf_free(m);
    m = nullptr;
  }
  return m;
}

bool tcp_engine::rst_input(tcb& t, const segment& seg) {
  if (seg.seq != t.rcv_nxt) {
    counters_.add(counter::tcp_rx_rst_challenged);
    send_challenge_ack(t);
    return false;
  }
  counters_.add(counter::tcp_rx_rst);
  // RFC 9293 §3.10.7.4 second check: SYN-RECEIVED from a passive open returns to LISTEN
  // (the application never saw it); from an active open the connection was refused.
  if (t.state == tcp_state::syn_received) {
    finish(t, t.passive ? close_reason::reset : close_reason::refused);
  } else {
    finish(t, close_reason::reset);
  }
  return true;
}

void tcp_engine::process_text(tcb& t, segment& seg, rte_mbuf* m) {
  if (seg.len != 0) {
    if (!receives_data(t.state)) {
      // CLOSE-WAIT onwards: the peer sent a FIN, so no data can follow it.
      ip_.drop(m, counter::tcp_rx_after_fin);
      return;
    }
    if (t.app_closed) {
      // The application is gone: nobody will read this (RFC 9293 §3.10.4 leaves it open;
      // RFC 2525 §2.17 and Linux reset).
      ip_.drop(m, counter::tcp_rx_data_after_close);
      send_rst(t);
      finish(t, close_reason::aborted);
      return;
    }
    receive_data(t, seg.seq, seg.len, m);
  } else if (m != nullptr) {
    rte_pktmbuf_free(m);
  }
  if (!seg.fin() || t.state == tcp_state::closed) return;
  // Eighth: FIN, in order now or after the hole before it fills.
  const uint32_t fin_seq = seg.seq + seg.len;
  if (fin_seq == t.rcv_nxt) {
    process_fin(t);
  } else if (seq_gt(fin_seq, t.rcv_nxt)) {
    t.ooo_fin = true;
    t.ooo_fin_seq = fin_seq;
    t.ack_now = true;
  }
}

}  // namespace ravelin::tcpstack::internal
