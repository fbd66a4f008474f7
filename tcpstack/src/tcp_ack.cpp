// The ACK field of an arriving segment (RFC 9293 §3.10.7.4, fifth check): acceptance under
// RFC 5961 §5.2, the send window, RTT samples (RFC 6298 with Karn's rule, RFC 7323 §4),
// duplicate ACKs and the entry to and exit from loss recovery (RFC 5681 §3.2, RFC 6582,
// RFC 6675 §5), and the states that wait for our FIN to be acknowledged.
#include <algorithm>

#include "internal/seq.h"
#include "internal/tcp_engine.h"

namespace ravelin::tcpstack::internal {
namespace {

constexpr uint32_t k_dup_thresh = 3;  // RFC 5681 §3.2, RFC 6675 DupThresh

}  // namespace

bool tcp_engine::ack_input(tcb& t, const segment& seg) {
  if (t.state == tcp_state::syn_received) {
    if (!(seq_gt(seg.ack, t.snd_una) && seq_leq(seg.ack, t.snd_max))) {
      counters_.add(counter::tcp_rx_bad_ack);
      send_rst_reply(t.port_id, seg);
      return false;
    }
    t.snd_wnd = uint32_t{seg.wnd} << t.snd_wscale;
    t.max_snd_wnd = std::max(t.max_snd_wnd, t.snd_wnd);
    t.snd_wl1 = seg.seq;
    t.snd_wl2 = seg.ack;
    set_state(t, t.fin_queued ? tcp_state::fin_wait_1 : tcp_state::established);
    if (t.passive) {
      counters_.add(counter::tcp_passive_opens);
      t.attached = true;
    } else {
      counters_.add(counter::tcp_active_opens);
    }
    t.ev_established = true;
  }
  // RFC 5961 §5.2: acceptable when SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT (our SND.MAX,
  // since SND.NXT moves back after a timeout).
  if (seq_gt(seg.ack, t.snd_max) || seq_lt(seg.ack, t.snd_una - t.max_snd_wnd)) {
    counters_.add(counter::tcp_rx_ack_challenged);
    send_challenge_ack(t);
    return false;
  }
  const uint32_t old_wnd = t.snd_wnd;
  const uint32_t newly_sacked = t.sack_ok && seg.opt.sack_count != 0 ? sack_update(t, seg) : 0;
  if (seq_gt(seg.ack, t.snd_una)) {
    new_ack(t, seg, seg.ack - t.snd_una);
  } else if (seg.ack == t.snd_una && seg.len == 0 && !seg.syn() && !seg.fin() &&
             t.snd_max != t.snd_una) {
    // RFC 5681 §2 duplicate ACK; with SACK, one that reports new SACKed data (RFC 6675 §2).
    const bool dup = t.sack_ok && seg.opt.sack_count != 0
                         ? newly_sacked != 0
                         : (uint32_t{seg.wnd} << t.snd_wscale) == old_wnd;
    if (dup) duplicate_ack(t);
  }
  // Window update (RFC 9293 §3.10.7.4): only from a segment newer than the last one used.
  if (seq_leq(t.snd_una, seg.ack) &&
      (seq_lt(t.snd_wl1, seg.seq) || (t.snd_wl1 == seg.seq && seq_leq(t.snd_wl2, seg.ack)))) {
    t.snd_wnd = uint32_t{seg.wnd} << t.snd_wscale;
    t.max_snd_wnd = std::max(t.max_snd_wnd, t.snd_wnd);
    t.snd_wl1 = seg.seq;
    t.snd_wl2 = seg.ack;
    if (t.rtx == rtx_kind::persist && t.snd_wnd != 0) {
      t.rtx = rtx_kind::none;  // the window opened: output resumes (RFC 9293 §3.8.6.1)
      t.rtx_at = 0;
      t.backoff = 0;
    }
  }
  if (!fin_acked(t)) return true;
  switch (t.state) {
    case tcp_state::fin_wait_1:
      set_state(t, tcp_state::fin_wait_2);
      if (t.app_closed) t.idle_at = now_ns_ + limits_.tcp_fin_wait_2_ns;
      return true;
    case tcp_state::closing:
      enter_time_wait(t);
      return true;
    case tcp_state::last_ack:
      finish(t, close_reason::normal);
      return false;
    default:
      return true;
  }
}

bool tcp_engine::fin_acked(const tcb& t) const {
  const uint32_t fin_seq = t.sndq_seq + t.sndq.bytes;
  return t.fin_queued && seq_gt(t.snd_max, fin_seq) && seq_gt(t.snd_una, fin_seq);
}

void tcp_engine::new_ack(tcb& t, const segment& seg, uint32_t acked) {
  (void)acked;
  t.snd_una = seg.ack;
  if (seq_lt(t.snd_nxt, t.snd_una)) t.snd_nxt = t.snd_una;
  uint32_t data_acked = 0;
  if (seq_gt(seg.ack, t.sndq_seq)) {
    data_acked = std::min(seg.ack - t.sndq_seq, t.sndq.bytes);
    if (data_acked != 0) {
      sq_drop_front(t.sndq, data_acked);
      t.sndq_seq += data_acked;
      if (t.snd_cursor != nullptr &&
          (t.sndq.head == nullptr || seq_lt(t.snd_cursor_seq, t.sndq_seq - t.sndq.head_off))) {
        t.snd_cursor = nullptr;  // its segment was freed
      }
    }
  }
  // RFC 7323 §4.1 (any ACK of new data echoes a usable timestamp), else RFC 6298 §3 with
  // Karn's rule: the timed segment must not have been retransmitted (rtt_timing cleared).
  if (t.ts_ok && seg.opt.has_timestamp && seg.opt.ts_ecr != 0) {
    rtt_sample(t, uint64_t{ts_now(t) - seg.opt.ts_ecr} * 1'000'000ULL);
  } else if (t.rtt_timing && seq_gt(seg.ack, t.rtt_seq)) {
    rtt_sample(t, now_ns_ - t.rtt_start_ns);
    t.rtt_timing = false;
  }
  t.backoff = 0;
  sack_prune(t);
  if (t.in_recovery) {
    if (seq_geq(seg.ack, t.recover)) {
      t.in_recovery = false;
      cc_exit_recovery(t);
    } else if (!t.sack_ok) {
      // RFC 6582 §3.2 step 5, partial ACK: retransmit the next hole, deflate the window by
      // what was acknowledged and add back one SMSS.
      retransmit(t, t.snd_una);
      t.cwnd =
          (t.cwnd > data_acked ? t.cwnd - data_acked : 0) + (data_acked >= t.smss ? t.smss : 0);
      t.cwnd = std::max<uint32_t>(t.cwnd, t.smss);
    }
  } else if (data_acked != 0) {
    cc_on_ack(t, data_acked);
  }
  t.dupacks = 0;
  // RFC 6298 §5.2 and §5.3: stop when all is acknowledged, else restart.
  if (t.snd_una == t.snd_max) {
    if (t.rtx == rtx_kind::rto) {
      t.rtx = rtx_kind::none;
      t.rtx_at = 0;
    }
  } else {
    t.rtx = rtx_kind::rto;
    t.rtx_at = now_ns_ + t.rto_ns;
  }
  if (t.want_writable && send_space(t) >= limits_.tcp_send_buffer / 4) {
    t.want_writable = false;
    t.ev_writable = true;
  }
}

void tcp_engine::duplicate_ack(tcb& t) {
  ++t.dupacks;
  if (t.in_recovery) {
    // RFC 5681 §3.2 step 4: each further duplicate inflates the window by one segment.
    // With SACK the pipe estimate does that work instead (RFC 6675 §5).
    if (!t.sack_ok) t.cwnd += t.smss;
    return;
  }
  const bool lost = t.dupacks >= k_dup_thresh || (t.sack_ok && una_lost(t));
  // RFC 6582 §3.2 step 2: no new recovery until the ACK passes the old recovery point.
  if (lost && seq_geq(t.snd_una, t.recover)) enter_recovery(t);
}

void tcp_engine::enter_recovery(tcb& t) {
  counters_.add(counter::tcp_fast_retransmits);
  t.in_recovery = true;
  t.recover = t.snd_max;
  t.rtt_timing = false;
  cc_on_congestion(t);
  if (t.sack_ok) {
    // RFC 6675 §5 steps 4.1-4.3: RecoveryPoint, cwnd = ssthresh, retransmit the first
    // segment presumed lost; the rest follows from the pipe estimate in output().
    t.cwnd = t.ssthresh;
    t.high_rxt = t.snd_una;
  } else {
    // RFC 6582 §3.2 step 3 (RFC 5681 §3.2 steps 2-3).
    t.cwnd = t.ssthresh + k_dup_thresh * t.smss;
  }
  const uint32_t sent = retransmit(t, t.snd_una);
  if (t.sack_ok) t.high_rxt = t.snd_una + sent;
}

void tcp_engine::rtt_sample(tcb& t, uint64_t r) {
  // RFC 6298 §2.2-2.4 with alpha = 1/8, beta = 1/4, K = 4 and G the timer granularity.
  r = std::max<uint64_t>(r, 1000);
  if (t.srtt_ns == 0) {
    t.srtt_ns = r;
    t.rttvar_ns = r / 2;
  } else {
    const uint64_t delta = t.srtt_ns > r ? t.srtt_ns - r : r - t.srtt_ns;
    t.rttvar_ns = (3 * t.rttvar_ns + delta) / 4;
    t.srtt_ns = (7 * t.srtt_ns + r) / 8;
  }
  const uint64_t rto = t.srtt_ns + std::max<uint64_t>(limits_.tcp_timer_tick_ns, 4 * t.rttvar_ns);
  t.rto_ns = std::clamp(rto, limits_.tcp_rto_min_ns, limits_.tcp_rto_max_ns);
}

}  // namespace ravelin::tcpstack::internal
