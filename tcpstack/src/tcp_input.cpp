// Segment arrival up to the synchronized states: header validation and checksum, the
// demultiplexing to a connection or listener, and the CLOSED, LISTEN and SYN-SENT steps of
// RFC 9293 §3.10.7.1-3.
#include <algorithm>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "internal/checksum.h"
#include "internal/seq.h"
#include "internal/tcp_engine.h"
#include "internal/wire.h"

namespace ravelin::tcpstack::internal {
namespace {

constexpr uint32_t k_tcp_min_header = 20;
constexpr uint16_t k_default_mss = 536;  // RFC 9293 §3.7.1, when the SYN carries no MSS
constexpr uint16_t k_min_mss = 88;       // below this a peer only makes us burn segments

bool checksum_good(const rte_mbuf* m, const rte_ipv4_hdr* ip, uint32_t l4_off, uint32_t l4_len) {
  const uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
  if (f == RTE_MBUF_F_RX_L4_CKSUM_GOOD || f == RTE_MBUF_F_RX_L4_CKSUM_NONE) return true;
  if (f == RTE_MBUF_F_RX_L4_CKSUM_BAD) return false;
  uint16_t raw = 0;
  if (!chain_sum(m, l4_off, l4_len, raw)) return false;
  return checksum_ok(fold(uint64_t{raw} + rte_ipv4_phdr_cksum(ip, 0)));
}

}  // namespace

void tcp_engine::input(uint16_t port_id, rte_mbuf* m, uint32_t ip_header_len, bool unicast,
                       uint64_t now_ns) {
  now_ns_ = std::max(now_ns_, now_ns);
  counters_.add(counter::tcp_rx_segments);
  // RFC 1122 §4.2.3.10: a SYN (or anything) to a broadcast address is not for a connection.
  if (!unicast) {
    ip_.drop(m, counter::tcp_rx_broadcast);
    return;
  }
  const uint32_t l4_off = k_eth_header_len + ip_header_len;
  const uint32_t l4_len = rte_pktmbuf_pkt_len(m) - l4_off;
  if (l4_len < k_tcp_min_header || rte_pktmbuf_data_len(m) < l4_off + k_tcp_min_header) {
    ip_.drop(m, counter::tcp_rx_malformed);
    return;
  }
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, k_eth_header_len);
  const auto* th = rte_pktmbuf_mtod_offset(m, const rte_tcp_hdr*, l4_off);
  const uint32_t doff = (th->data_off >> 4) * 4u;
  // The whole header, options included, must sit in the first segment.
  if (doff < k_tcp_min_header || doff > l4_len || rte_pktmbuf_data_len(m) < l4_off + doff) {
    ip_.drop(m, counter::tcp_rx_malformed);
    return;
  }
  if (!checksum_good(m, ip, l4_off, l4_len)) {
    ip_.drop(m, counter::tcp_rx_bad_checksum);
    return;
  }
  segment seg;
  seg.src_ip = rte_be_to_cpu_32(ip->src_addr);
  seg.dst_ip = rte_be_to_cpu_32(ip->dst_addr);
  seg.src_port = rte_be_to_cpu_16(th->src_port);
  seg.dst_port = rte_be_to_cpu_16(th->dst_port);
  seg.seq = rte_be_to_cpu_32(th->sent_seq);
  seg.ack = rte_be_to_cpu_32(th->recv_ack);
  seg.wnd = rte_be_to_cpu_16(th->rx_win);
  seg.flags = th->tcp_flags & 0x3f;  // CWR/ECE ignored: no ECN (RFC 3168) negotiated
  if (!parse_options(reinterpret_cast<const uint8_t*>(th + 1), doff - k_tcp_min_header, seg.syn(),
                     seg.opt)) {
    counters_.add(counter::tcp_rx_bad_options);
  }
  rte_pktmbuf_adj(m, static_cast<uint16_t>(l4_off + doff));
  seg.len = rte_pktmbuf_pkt_len(m);
  dispatch(port_id, seg, m);
}

void tcp_engine::dispatch(uint16_t port_id, segment& seg, rte_mbuf* m) {
  const conn_key k{seg.dst_ip, seg.src_ip, seg.dst_port, seg.src_port};
  const uint32_t i = table_.find(k, tcbs_.data());
  if (i != k_none) {
    tcb& t = tcbs_[i];
    if (!(t.state == tcp_state::time_wait && seg.syn() && !seg.has_ack() &&
          time_wait_reopen(t, seg))) {
      tcb_guard g(*this, t);
      if (t.state == tcp_state::syn_sent) {
        syn_sent_input(t, seg, m);
      } else {
        sync_input(t, seg, m);
      }
      return;
    }
  }
  const int li = find_listener(seg.dst_port);
  if (li >= 0) {
    listen_input(port_id, listeners_[li], seg, m);
  } else {
    closed_input(port_id, seg, m);
  }
}

bool tcp_engine::time_wait_reopen(tcb& t, const segment& seg) {
  // RFC 6191 §2 (timestamps) and RFC 9293 §3.10.7.4 note on TIME-WAIT: a SYN may start a
  // new incarnation when it is provably newer than the old one.
  const bool newer = t.ts_ok && seg.opt.has_timestamp ? seq_gt(seg.opt.ts_val, t.ts_recent)
                                                      : seq_gt(seg.seq, t.rcv_nxt);
  if (!newer || find_listener(seg.dst_port) < 0) return false;
  counters_.add(counter::tcp_time_wait_reused);
  release(t);
  return true;
}

void tcp_engine::closed_input(uint16_t port_id, const segment& seg, rte_mbuf* m) {
  // RFC 9293 §3.10.7.1: discard; answer anything but a RST with a RST.
  rte_pktmbuf_free(m);
  counters_.add(counter::tcp_rx_no_connection);
  if (!seg.rst()) send_rst_reply(port_id, seg);
}

void tcp_engine::listen_input(uint16_t port_id, listener& l, segment& seg, rte_mbuf* m) {
  // RFC 9293 §3.10.7.2, in its order: RST, then ACK, then SYN.
  const uint32_t li = static_cast<uint32_t>(&l - listeners_.data());
  if (seg.rst()) {
    ip_.drop(m, counter::tcp_rx_rst_ignored);
    return;
  }
  if (seg.has_ack()) {
    if (!seg.syn() && limits_.tcp_syn_cookies) {
      if (cookie_accept(port_id, l, li, seg, m)) return;
      counters_.add(counter::tcp_syn_cookies_rejected);
      rte_pktmbuf_free(m);
    } else {
      ip_.drop(m, counter::tcp_rx_no_connection);
    }
    send_rst_reply(port_id, seg);
    return;
  }
  if (!seg.syn()) {
    ip_.drop(m, counter::tcp_rx_unexpected);
    return;
  }
  rte_pktmbuf_free(m);  // data on a SYN is not acknowledged; the peer sends it again
  // Half-open state is bounded (RFC 4987 §3.6): past either limit, answer with a cookie.
  const bool backlog_full = l.syn_received >= l.backlog;
  const bool half_open_full = half_open_ >= limits_.tcp_max_half_open;
  tcb* t = backlog_full || half_open_full ? nullptr : alloc_tcb();
  if (t == nullptr) {
    if (limits_.tcp_syn_cookies) {
      send_cookie(port_id, seg);
    } else {
      counters_.add(backlog_full     ? counter::tcp_listen_overflow
                    : half_open_full ? counter::tcp_half_open_full
                                     : counter::tcp_conn_table_full);
    }
    return;
  }
  init_passive(*t, l, li, port_id, seg);
  tcb_guard g(*this, *t);
  send_syn(*t);
  arm(*t);
}

void tcp_engine::init_passive(tcb& t, const listener& l, uint32_t li, uint16_t port_id,
                              const segment& seg) {
  t.local_ip = seg.dst_ip;
  t.remote_ip = seg.src_ip;
  t.local_port = seg.dst_port;
  t.remote_port = seg.src_port;
  t.port_id = route_port(t.remote_ip, t.local_ip, port_id);
  t.passive = true;
  t.handler = l.handler;
  t.opaque = l.opaque;
  t.irs = seg.seq;
  t.rcv_nxt = seg.seq + 1;
  t.rcv_adv = t.rcv_nxt;
  t.iss = isn(key_of(t));
  t.snd_una = t.snd_nxt = t.snd_max = t.iss;
  t.sndq_seq = t.iss + 1;
  t.recover = t.iss;
  t.ts_offset = static_cast<uint32_t>(siphash(secret_, {t.iss, 5}));
  negotiate(t, seg.opt);
  t.snd_wnd = seg.wnd;  // RFC 7323 §2.2: never scaled in a SYN
  t.max_snd_wnd = t.snd_wnd;
  t.snd_wl1 = seg.seq;
  t.snd_wl2 = t.iss;
  cc_init(t);
  t.state = tcp_state::syn_received;
  t.listener = li;
  ++listeners_[li].syn_received;
  ++half_open_;
  table_.insert(key_of(t), index_of(t));
}

void tcp_engine::negotiate(tcb& t, const tcp_options& peer) {
  // RFC 9293 §3.7.1: the peer's MSS, 536 by default, within our own limit.
  const uint16_t mss = peer.mss != 0 ? peer.mss : k_default_mss;
  t.mss = std::clamp<uint16_t>(mss, k_min_mss, limits_.tcp_mss);
  // RFC 7323 §2.2: scaling only when both SYNs carry the option.
  t.ws_ok = peer.wscale != 0xff && limits_.tcp_window_scaling;
  t.snd_wscale = t.ws_ok ? peer.wscale : 0;
  t.rcv_wscale = t.ws_ok ? our_wscale() : 0;
  t.sack_ok = peer.sack_permitted && limits_.tcp_sack;     // RFC 2018 §2
  t.ts_ok = peer.has_timestamp && limits_.tcp_timestamps;  // RFC 7323 §3.2
  if (t.ts_ok) {
    t.ts_recent = peer.ts_val;
    t.ts_recent_ns = now_ns_;
  }
  t.smss = static_cast<uint16_t>(t.mss - (t.ts_ok ? k_ts_option_len : 0));
}

void tcp_engine::syn_sent_input(tcb& t, segment& seg, rte_mbuf* m) {
  // RFC 9293 §3.10.7.3. First the ACK: it must acknowledge our SYN and nothing beyond.
  const bool ack_ok = seg.has_ack() && seq_gt(seg.ack, t.iss) && seq_leq(seg.ack, t.snd_max);
  if (seg.has_ack() && !ack_ok) {
    ip_.drop(m, counter::tcp_rx_bad_ack);
    if (!seg.rst()) send_rst_reply(t.port_id, seg);
    return;
  }
  if (seg.rst()) {
    // RFC 5961 §3.2: in SYN-SENT a RST is acceptable when it acknowledges the SYN.
    if (!ack_ok) {
      ip_.drop(m, counter::tcp_rx_rst_ignored);
      return;
    }
    ip_.drop(m, counter::tcp_rx_rst);
    finish(t, close_reason::refused);
    return;
  }
  if (!seg.syn()) {
    ip_.drop(m, counter::tcp_rx_unexpected);
    return;
  }
  t.irs = seg.seq;
  t.rcv_nxt = seg.seq + 1;
  t.rcv_adv = t.rcv_nxt + std::min<uint32_t>(receive_space(t), 65535);  // our SYN's window
  t.last_ack_sent = t.rcv_nxt;
  t.last_rx_ns = now_ns_;
  negotiate(t, seg.opt);
  cc_init(t);
  t.snd_wnd = seg.wnd;
  t.max_snd_wnd = t.snd_wnd;
  t.snd_wl1 = seg.seq;
  t.snd_wl2 = seg.ack;
  if (!ack_ok) {
    // Simultaneous open (RFC 9293 Figure 7): answer SYN,ACK and wait for its ACK. Any data
    // is left for the peer to send again.
    rte_pktmbuf_free(m);
    set_state(t, tcp_state::syn_received);
    t.backoff = 0;
    send_syn(t);
    arm(t);
    return;
  }
  t.snd_una = seg.ack;
  if (t.backoff == 0 && t.ts_ok && seg.opt.ts_ecr != 0) {
    rtt_sample(t, (ts_now(t) - seg.opt.ts_ecr) * 1'000'000ULL);
  } else if (t.backoff == 0) {
    rtt_sample(t, now_ns_ - t.rtt_start_ns);  // Karn: only an unrepeated SYN is timed
  }
  t.backoff = 0;
  t.rtx = rtx_kind::none;
  t.rtx_at = 0;
  set_state(t, t.fin_queued ? tcp_state::fin_wait_1 : tcp_state::established);
  t.ev_established = true;
  t.ack_now = true;
  counters_.add(counter::tcp_active_opens);
  // RFC 9293: "If there are other controls or text in the segment, continue processing at
  // the sixth step"; the SYN's sequence number is consumed.
  seg.flags &= static_cast<uint8_t>(~0x02);
  ++seg.seq;
  process_text(t, seg, trim_to_window(t, seg, m));
  deliver_events(t);
  if (t.state != tcp_state::closed) {
    output(t);
    arm(t);
  }
}

}  // namespace ravelin::tcpstack::internal
