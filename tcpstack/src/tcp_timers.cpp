// Per-connection timers on the lcore's wheel: one wheel entry per connection, scheduled for
// the earliest of its deadlines (retransmission or persist, delayed ACK, and the idle timer
// that serves TIME-WAIT, FIN-WAIT-2 and keep-alive). Deadlines that move later are left to
// be found when the entry fires, so restarting the RTO on every ACK costs nothing.
#include <algorithm>

#include "internal/seq.h"
#include "internal/tcp_engine.h"

namespace ravelin::tcpstack::internal {

void tcp_engine::arm(tcb& t) {
  if (!t.in_use || t.state == tcp_state::closed) return;
  if (t.keepalive && t.idle_at == 0 &&
      (t.state == tcp_state::established || t.state == tcp_state::close_wait)) {
    t.idle_at = t.last_rx_ns + limits_.tcp_keepalive_idle_ns;
  }
  uint64_t due = UINT64_MAX;
  for (uint64_t d : {t.rtx_at, t.delack_at, t.idle_at}) {
    if (d != 0) due = std::min(due, d);
  }
  if (due == UINT64_MAX) return;
  const uint32_t i = index_of(t);
  const uint64_t tick = limits_.tcp_timer_tick_ns;
  const uint64_t rounded = (due + tick - 1) / tick * tick;
  if (!wheel_.scheduled(i) || rounded < wheel_.deadline_ns(i)) wheel_.schedule(i, due);
}

void tcp_engine::on_timer(uint32_t index) {
  tcb& t = tcbs_[index];
  if (!t.in_use || t.state == tcp_state::closed) return;
  tcb_guard g(*this, t);
  if (t.delack_at != 0 && t.delack_at <= now_ns_) {
    t.delack_at = 0;
    if (t.unacked_segs != 0 || t.last_ack_sent != t.rcv_nxt) {
      counters_.add(counter::tcp_delayed_acks);
      t.ack_now = true;
    }
  }
  if (t.rtx_at != 0 && t.rtx_at <= now_ns_) {
    const rtx_kind k = t.rtx;
    t.rtx = rtx_kind::none;
    t.rtx_at = 0;
    if (k == rtx_kind::rto) on_rto(t);
    if (k == rtx_kind::persist) on_persist(t);
    if (t.state == tcp_state::closed) return;
  }
  if (t.idle_at != 0 && t.idle_at <= now_ns_) {
    t.idle_at = 0;
    on_idle(t);
    if (t.state == tcp_state::closed) return;
  }
  output(t);
}

void tcp_engine::on_rto(tcb& t) {
  counters_.add(counter::tcp_rto_expired);
  const bool handshake = t.state == tcp_state::syn_sent || t.state == tcp_state::syn_received;
  const uint32_t limit = t.state == tcp_state::syn_sent       ? limits_.tcp_syn_retries
                         : t.state == tcp_state::syn_received ? limits_.tcp_synack_retries
                                                              : limits_.tcp_max_retries;
  if (t.backoff >= limit) {
    // RFC 9293 §3.8.3: R2 reached, the connection is abandoned.
    counters_.add(counter::tcp_timeouts);
    if (!handshake) send_rst(t);
    finish(t, close_reason::timed_out);
    return;
  }
  // RFC 6298 §5.5: back off (Karn's algorithm keeps it until a fresh sample).
  t.rto_ns = std::min(t.rto_ns * 2, limits_.tcp_rto_max_ns);
  if (handshake) {
    ++t.backoff;
    counters_.add(counter::tcp_tx_retransmits);
    ++t.retransmits;
    send_syn(t);
    return;
  }
  if (t.snd_wnd == 0) {
    // Nothing may be sent into a closed window: probe it instead (RFC 9293 §3.8.6.1).
    t.snd_nxt = t.snd_una;
    on_persist(t);
    return;
  }
  // RFC 6298 §5.4 with RFC 5681 §3.1: retransmit from SND.UNA in slow start. RFC 2018 §8:
  // forget SACK information, the receiver may have reneged.
  cc_on_rto(t);
  ++t.backoff;
  t.in_recovery = false;
  t.dupacks = 0;
  t.recover = t.snd_max;
  t.sb = scoreboard{};
  t.high_rxt = t.snd_una;
  t.snd_nxt = t.snd_una;
  t.rtt_timing = false;
  output(t);
}

void tcp_engine::on_persist(tcb& t) {
  if (t.persist_probes >= limits_.tcp_max_retries) {
    counters_.add(counter::tcp_timeouts);  // the peer stopped answering probes
    send_rst(t);
    finish(t, close_reason::timed_out);
    return;
  }
  ++t.persist_probes;
  const uint32_t data_end = t.sndq_seq + t.sndq.bytes;
  const uint32_t right = t.snd_una + t.snd_wnd;
  const uint32_t room = seq_lt(t.snd_nxt, right) ? right - t.snd_nxt : 0;
  const uint32_t len =
      std::min({seq_lt(t.snd_nxt, data_end) ? data_end - t.snd_nxt : 0u, room, uint32_t{t.smss}});
  if (len != 0) {
    // Sender SWS avoidance held back a short segment: the override timeout sends it
    // (RFC 1122 §4.2.3.4).
    if (send_segment(t, t.snd_nxt, len, 0x10)) {
      t.snd_nxt += len;
      t.snd_max = seq_max(t.snd_max, t.snd_nxt);
      start_rto(t);
    }
    return;
  }
  counters_.add(counter::tcp_zero_window_probes);
  send_probe(t);
  t.backoff = static_cast<uint8_t>(std::min<uint32_t>(t.backoff + 1u, 16));
  t.rtx = rtx_kind::persist;
  t.rtx_at = now_ns_ + std::min(t.rto_ns << t.backoff, limits_.tcp_rto_max_ns);
}

void tcp_engine::on_idle(tcb& t) {
  switch (t.state) {
    case tcp_state::time_wait:
      finish(t, close_reason::normal);  // 2 MSL have passed (RFC 9293 §3.10.7.4)
      return;
    case tcp_state::fin_wait_2:
      if (t.app_closed) {
        counters_.add(counter::tcp_fin_wait_2_timeouts);
        finish(t, close_reason::timed_out);
      }
      return;
    case tcp_state::established:
    case tcp_state::close_wait:
      break;
    default:
      return;
  }
  if (!t.keepalive) return;
  // RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6: probe after the idle time, then every interval,
  // and give up after the configured number of unanswered probes.
  if (now_ns_ - t.last_rx_ns < limits_.tcp_keepalive_idle_ns) {
    t.idle_at = t.last_rx_ns + limits_.tcp_keepalive_idle_ns;
    return;
  }
  if (t.keepalive_sent >= limits_.tcp_keepalive_probes) {
    counters_.add(counter::tcp_keepalive_timeouts);
    send_rst(t);
    finish(t, close_reason::timed_out);
    return;
  }
  counters_.add(counter::tcp_keepalive_probes);
  send_probe(t);
  ++t.keepalive_sent;
  t.idle_at = now_ns_ + limits_.tcp_keepalive_interval_ns;
}

void tcp_engine::enter_time_wait(tcb& t) {
  // RFC 9293 §3.10.7.4: TIME-WAIT for 2 MSL; the application hears on_closed now (after any
  // other events of this segment), and the queues are released then.
  set_state(t, tcp_state::time_wait);
  t.time_wait_ns = now_ns_;
  t.idle_at = now_ns_ + limits_.tcp_time_wait_ns;
  t.rtx = rtx_kind::none;
  t.rtx_at = 0;
  t.ev_closed = true;
}

}  // namespace ravelin::tcpstack::internal
