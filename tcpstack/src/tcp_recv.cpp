// The receive side of a connection: in-order data onto the receive queue (zero copy, small
// segments coalesced), out-of-order segments into bounded reassembly, the FIN, the SACK
// blocks we report (RFC 2018 §4) and the window we advertise (RFC 9293 §3.8.6.2.2, RFC 7323).
#include <algorithm>

#include "internal/seq.h"
#include "internal/tcp_engine.h"

namespace ravelin::tcpstack::internal {
namespace {

// Payloads up to this size are copied into the tail segment's spare room instead of
// keeping a whole mbuf each, so that a peer sending tiny segments cannot pin one mbuf per
// byte or two.
constexpr uint32_t k_coalesce_max = 512;

}  // namespace

void tcp_engine::receive_data(tcb& t, uint32_t seq, uint32_t len, rte_mbuf* m) {
  if (seq != t.rcv_nxt) {
    ooo_insert(t, seq, len, m);
    t.ack_now = true;  // RFC 5681 §4.2: out-of-order data is acknowledged at once
    return;
  }
  if (!append_in_order(t, len, m)) {
    t.ack_now = true;
    return;
  }
  t.rcv_nxt += len;
  t.ev_readable = true;
  if (t.ooo_head != k_none) {
    ooo_drain(t);
    t.ack_now = true;  // RFC 5681 §4.2: so is data that fills a hole
  }
  // RFC 9293 §3.8.6.3: an ACK for at least every second segment, and never delayed past
  // the delayed-ACK time.
  if (++t.unacked_segs >= 2) {
    t.ack_now = true;
  } else if (t.delack_at == 0) {
    t.delack_at = now_ns_ + limits_.tcp_delayed_ack_ns;
  }
  if (t.ooo_fin && t.ooo_fin_seq == t.rcv_nxt) process_fin(t);
}

bool tcp_engine::append_in_order(tcb& t, uint32_t len, rte_mbuf* m) {
  const bool small = len <= k_coalesce_max && m->nb_segs == 1;
  if (small && sq_append_copy(t.rcvq, rte_pktmbuf_mtod(m, const uint8_t*), len)) {
    rte_pktmbuf_free(m);
    return true;
  }
  if (t.rcvq.segs + t.ooo_count + m->nb_segs > limits_.tcp_recv_segments) {
    ip_.drop(m, counter::tcp_rx_queue_full);
    return false;
  }
  sq_append(t.rcvq, m);
  return true;
}

void tcp_engine::ooo_insert(tcb& t, uint32_t seq, uint32_t len, rte_mbuf* m) {
  // Bounded per connection and per lcore; checked first, so nothing held is given up for
  // a segment that then cannot be kept.
  if (ooo_free_ == k_none || t.ooo_count >= limits_.tcp_reassembly_per_conn ||
      t.rcvq.segs + t.ooo_count + m->nb_segs > limits_.tcp_recv_segments) {
    ip_.drop(m, counter::tcp_rx_ooo_dropped);
    return;
  }
  // Skip the nodes that end at or before this segment starts.
  uint32_t prev = k_none;
  uint32_t cur = t.ooo_head;
  while (cur != k_none && seq_leq(ooo_[cur].seq + ooo_[cur].len, seq)) {
    prev = cur;
    cur = ooo_[cur].next;
  }
  // Overlap with nodes starting at or before us: keep the older bytes, trim ours.
  while (cur != k_none && seq_leq(ooo_[cur].seq, seq)) {
    const uint32_t covered = ooo_[cur].seq + ooo_[cur].len - seq;
    if (covered >= len) {
      rte_pktmbuf_free(m);  // a duplicate of what we hold
      t.last_ooo = {ooo_[cur].seq, ooo_[cur].seq + ooo_[cur].len};
      return;
    }
    m = chain_trim_front(m, covered);
    seq += covered;
    len -= covered;
    prev = cur;
    cur = ooo_[cur].next;
  }
  // Nodes entirely inside the new segment go; a node overlapping its end trims it.
  while (cur != k_none && seq_leq(ooo_[cur].seq + ooo_[cur].len, seq + len)) {
    const uint32_t next = ooo_[cur].next;
    rte_pktmbuf_free(ooo_[cur].m);
    t.ooo_bytes -= ooo_[cur].len;
    --t.ooo_count;
    ooo_[cur].next = ooo_free_;
    ooo_free_ = cur;
    cur = next;
  }
  (prev != k_none ? ooo_[prev].next : t.ooo_head) = cur;
  if (cur != k_none && seq_lt(ooo_[cur].seq, seq + len)) {
    len = ooo_[cur].seq - seq;
    chain_trim_back(m, len);
  }
  const uint32_t n = ooo_free_;
  ooo_free_ = ooo_[n].next;
  ooo_[n] = {seq, len, m, cur};
  (prev != k_none ? ooo_[prev].next : t.ooo_head) = n;
  ++t.ooo_count;
  t.ooo_bytes += len;
  t.last_ooo = {seq, seq + len};
  counters_.add(counter::tcp_rx_ooo_queued);
}

void tcp_engine::ooo_drain(tcb& t) {
  while (t.ooo_head != k_none && seq_leq(ooo_[t.ooo_head].seq, t.rcv_nxt)) {
    const uint32_t n = t.ooo_head;
    ooo_node node = ooo_[n];
    t.ooo_head = node.next;
    ooo_[n].next = ooo_free_;
    ooo_free_ = n;
    --t.ooo_count;
    t.ooo_bytes -= node.len;
    const uint32_t end = node.seq + node.len;
    if (seq_leq(end, t.rcv_nxt)) {
      rte_pktmbuf_free(node.m);
      continue;
    }
    rte_mbuf* m = chain_trim_front(node.m, t.rcv_nxt - node.seq);
    // Reassembled bytes were already counted against the limits when they arrived.
    sq_append(t.rcvq, m);
    t.rcv_nxt = end;
  }
}

void tcp_engine::ooo_clear(tcb& t) {
  for (uint32_t n = t.ooo_head; n != k_none;) {
    const uint32_t next = ooo_[n].next;
    rte_pktmbuf_free(ooo_[n].m);
    ooo_[n].next = ooo_free_;
    ooo_free_ = n;
    n = next;
  }
  t.ooo_head = k_none;
  t.ooo_count = 0;
  t.ooo_bytes = 0;
}

void tcp_engine::process_fin(tcb& t) {
  // RFC 9293 §3.10.7.4, eighth check: the FIN is in order.
  ++t.rcv_nxt;
  t.peer_fin = true;
  t.ooo_fin = false;
  t.ack_now = true;
  t.ev_peer_closed = true;
  switch (t.state) {
    case tcp_state::syn_received:
    case tcp_state::established:
      set_state(t, tcp_state::close_wait);
      break;
    case tcp_state::fin_wait_1:
      // Simultaneous close (RFC 9293 Figure 13) unless our FIN is already acknowledged.
      if (fin_acked(t)) {
        enter_time_wait(t);
      } else {
        set_state(t, tcp_state::closing);
      }
      break;
    case tcp_state::fin_wait_2:
      enter_time_wait(t);
      break;
    default:
      break;
  }
}

uint8_t tcp_engine::sack_blocks(const tcb& t, sack_block* out, uint8_t max) const {
  if (t.ooo_head == k_none || max == 0) return 0;
  sack_block r[k_scoreboard_ranges];
  uint32_t n = 0;
  for (uint32_t i = t.ooo_head; i != k_none && n < k_scoreboard_ranges; i = ooo_[i].next) {
    const uint32_t end = ooo_[i].seq + ooo_[i].len;
    if (n != 0 && r[n - 1].end == ooo_[i].seq) {
      r[n - 1].end = end;
    } else {
      r[n++] = {ooo_[i].seq, end};
    }
  }
  // RFC 2018 §4: the first block holds the segment that arrived last; the others follow.
  uint32_t first = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (seq_in(t.last_ooo.start, r[i].start, r[i].end)) first = i;
  }
  uint8_t k = 0;
  out[k++] = r[first];
  for (uint32_t i = n; i-- > 0 && k < max;) {
    if (i != first) out[k++] = r[i];
  }
  return k;
}

uint32_t tcp_engine::receive_space(const tcb& t) const {
  return t.rcvq.bytes >= limits_.tcp_recv_buffer ? 0 : limits_.tcp_recv_buffer - t.rcvq.bytes;
}

uint16_t tcp_engine::window_field(tcb& t) {
  uint32_t edge = t.rcv_nxt + receive_space(t);
  // Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): move the right edge only by at least
  // min(buffer / 2, MSS); and never move it back.
  const uint32_t step = std::min<uint32_t>(limits_.tcp_recv_buffer / 2, t.smss);
  if (seq_lt(edge, t.rcv_adv) || (seq_gt(edge, t.rcv_adv) && edge - t.rcv_adv < step)) {
    edge = t.rcv_adv;
  }
  const uint32_t wnd = edge - t.rcv_nxt;
  // Round up so the shifted window never ends before the edge already advertised.
  uint32_t field = (wnd + (1u << t.rcv_wscale) - 1) >> t.rcv_wscale;
  field = std::min<uint32_t>(field, 65535);
  t.rcv_adv = seq_max(t.rcv_adv, t.rcv_nxt + (field << t.rcv_wscale));
  return static_cast<uint16_t>(field);
}

void tcp_engine::window_update_check(tcb& t) {
  // After the application reads: tell the peer when the window has at least doubled and
  // grown by a segment (as Linux does), so a sender stalled on a small window resumes.
  const uint32_t now_wnd = t.rcv_adv - t.rcv_nxt;
  const uint32_t new_wnd = receive_space(t);
  if (new_wnd > now_wnd && new_wnd - now_wnd >= t.smss && new_wnd >= 2 * now_wnd) {
    t.ack_now = true;
  }
}

}  // namespace ravelin::tcpstack::internal
