// Building and sending one segment: IPv4 + TCP headers in a fresh mbuf, options, payload
// from the send queue (copied when small, else indirect mbufs attached to the queued
// segments, so retransmission needs no copy), checksums in hardware or software, and the
// stand-alone segments: SYN, ACK probes, challenge ACKs and RSTs.
#include <algorithm>
#include <cstring>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "internal/checksum.h"
#include "internal/seq.h"
#include "internal/tcp_engine.h"
#include "internal/wire.h"

namespace ravelin::tcpstack::internal {
namespace {

constexpr uint8_t k_syn = 0x02;
constexpr uint8_t k_rst = 0x04;
constexpr uint8_t k_ack = 0x10;
constexpr uint32_t k_tcp_header = 20;
constexpr uint32_t k_copy_max = 256;  // payloads this small are copied behind the headers
constexpr uint32_t k_max_pieces = 8;  // more queue segments than this: copy (NIC segment limits)

struct header_fields {
  uint32_t src_ip, dst_ip;
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags;
  uint16_t wnd;
};

rte_mbuf* build_headers(rte_mempool* pool, uint16_t ip_id, const header_fields& h,
                        const option_set& o) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  if (m == nullptr) return nullptr;
  const uint32_t opt_len = options_length(o);
  auto* p = reinterpret_cast<uint8_t*>(
      rte_pktmbuf_append(m, static_cast<uint16_t>(k_ipv4_min_header + k_tcp_header + opt_len)));
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(p);
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->type_of_service = 0;
  ip->packet_id = rte_cpu_to_be_16(ip_id);
  ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);  // RFC 1191 path MTU discovery
  ip->time_to_live = k_ipv4_reply_ttl;
  ip->next_proto_id = k_proto_tcp;
  ip->src_addr = rte_cpu_to_be_32(h.src_ip);
  ip->dst_addr = rte_cpu_to_be_32(h.dst_ip);
  auto* th = reinterpret_cast<rte_tcp_hdr*>(ip + 1);
  th->src_port = rte_cpu_to_be_16(h.sport);
  th->dst_port = rte_cpu_to_be_16(h.dport);
  th->sent_seq = rte_cpu_to_be_32(h.seq);
  th->recv_ack = rte_cpu_to_be_32(h.ack);
  th->data_off = static_cast<uint8_t>(((k_tcp_header + opt_len) / 4) << 4);
  th->tcp_flags = h.flags;
  th->rx_win = rte_cpu_to_be_16(h.wnd);
  th->cksum = 0;
  th->tcp_urp = 0;
  write_options(reinterpret_cast<uint8_t*>(th + 1), o);
  return m;
}

}  // namespace

void tcp_engine::finalize_and_send(rte_mbuf* m, uint16_t port_id, uint16_t tso_mss) {
  auto* ip = rte_pktmbuf_mtod(m, rte_ipv4_hdr*);
  auto* th = reinterpret_cast<rte_tcp_hdr*>(ip + 1);
  ip->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(rte_pktmbuf_pkt_len(m)));
  m->l3_len = k_ipv4_min_header;
  m->l4_len = (th->data_off >> 4) * 4;
  const stack::impl::port_info& p = ip_.ports_[port_id < RTE_MAX_ETHPORTS ? port_id : 0];
  if (tso_mss != 0) {
    // The NIC cuts the payload into tso_mss pieces and fills in each one's checksums
    // from this pseudo-header sum (which leaves the length out for TSO).
    m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_SEG;
    m->tso_segsz = tso_mss;
    ip->hdr_checksum = 0;
    th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
    counters_.add(counter::tcp_tx_segments);
    ip_.ipv4_send(m, now_ns_);
    return;
  }
  if (p.tx_tcp_cksum) {
    m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
    th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
  } else {
    uint16_t raw = 0;
    chain_sum(m, k_ipv4_min_header, rte_pktmbuf_pkt_len(m) - k_ipv4_min_header, raw);
    th->cksum = static_cast<uint16_t>(~fold(uint64_t{raw} + rte_ipv4_phdr_cksum(ip, 0)));
  }
  if (p.tx_ipv4_cksum) {
    m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
    ip->hdr_checksum = 0;
  } else {
    ip->hdr_checksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
  }
  counters_.add(counter::tcp_tx_segments);
  ip_.ipv4_send(m, now_ns_);
}

bool tcp_engine::send_segment(tcb& t, uint32_t seq, uint32_t len, uint8_t flags) {
  option_set o;
  sack_block blocks[k_max_sack_blocks];
  const bool syn = (flags & k_syn) != 0;
  o.timestamp = t.ts_ok || (syn && t.state == tcp_state::syn_sent && limits_.tcp_timestamps);
  o.ts_val = ts_now(t);
  o.ts_ecr = t.state == tcp_state::syn_sent ? 0 : t.ts_recent;
  uint16_t wnd;
  if (syn) {
    // RFC 9293 §3.7.1 MSS, RFC 7323 §2.2 window scale and RFC 2018 §2 SACK-permitted: all
    // offered in our SYN, echoed in a SYN,ACK only when the peer's SYN offered them.
    const bool active = t.state == tcp_state::syn_sent;
    o.mss = limits_.tcp_mss;
    o.wscale = active ? (limits_.tcp_window_scaling ? our_wscale() : 0xff)
                      : (t.ws_ok ? t.rcv_wscale : 0xff);
    o.sack_permitted = active ? limits_.tcp_sack : t.sack_ok;
    wnd = static_cast<uint16_t>(std::min<uint32_t>(receive_space(t), 65535));  // never scaled
    if (!active) t.rcv_adv = seq_max(t.rcv_adv, t.rcv_nxt + wnd);
  } else {
    wnd = window_field(t);
    if (t.sack_ok && t.ooo_head != k_none) {
      // RFC 2018 §4: report what we hold beyond the hole, as far as the segment has room.
      const uint32_t ts = t.ts_ok ? k_ts_option_len : 0;
      const uint32_t seg_room = t.mss > len + ts ? t.mss - len - ts : 0;  // stay within MSS
      const uint32_t room = std::min(k_max_options_len - ts, seg_room);
      const uint32_t fit = room >= 12 ? std::min<uint32_t>((room - 4) / 8, k_max_sack_blocks) : 0;
      o.sack_count = sack_blocks(t, blocks, static_cast<uint8_t>(fit));
      o.sack = blocks;
    }
  }
  const uint32_t ack = (flags & k_ack) != 0 ? t.rcv_nxt : 0;
  rte_mbuf* m = build_headers(
      pool_, ip_id_++, {t.local_ip, t.remote_ip, t.local_port, t.remote_port, seq, ack, flags, wnd},
      o);
  if (m == nullptr || (len != 0 && !attach_payload(t, m, seq, len))) {
    rte_pktmbuf_free(m);
    counters_.add(counter::mbuf_alloc_failed);
    return false;
  }
  if ((flags & k_ack) != 0) {
    t.last_ack_sent = t.rcv_nxt;
    t.ack_now = false;
    t.unacked_segs = 0;
    t.delack_at = 0;
  }
  finalize_and_send(m, t.port_id, len > t.smss ? t.smss : 0);
  return true;
}

uint32_t tcp_engine::max_payload(const tcb& t) const {
  if (t.port_id >= RTE_MAX_ETHPORTS || !ip_.ports_[t.port_id].tso) return t.smss;
  // IPv4 total length is 16 bits: 64 KB less headers, in whole segments.
  constexpr uint32_t k_tso_max = 65535 - 20 - 60;
  return std::max<uint32_t>(k_tso_max / t.smss, 1) * t.smss;
}

rte_mbuf* tcp_engine::locate(tcb& t, uint32_t seq, uint32_t& off) {
  rte_mbuf* s = t.sndq.head;
  uint32_t s_seq = t.sndq_seq - t.sndq.head_off;
  if (t.snd_cursor != nullptr && seq_geq(seq, t.snd_cursor_seq)) {
    s = t.snd_cursor;
    s_seq = t.snd_cursor_seq;
  }
  while (s != nullptr && seq_geq(seq, s_seq + s->data_len)) {
    s_seq += s->data_len;
    s = s->next;
  }
  if (s != nullptr) {
    t.snd_cursor = s;
    t.snd_cursor_seq = s_seq;
  }
  off = seq - s_seq;
  return s;
}

bool tcp_engine::attach_payload(tcb& t, rte_mbuf* hdr, uint32_t seq, uint32_t len) {
  uint32_t off = 0;
  rte_mbuf* const first = locate(t, seq, off);
  uint32_t pieces = 0;
  uint32_t left = len;
  for (rte_mbuf* s = first; s != nullptr && left != 0; s = s->next, ++pieces) {
    left -= std::min<uint32_t>(left, s->data_len - (s == first ? off : 0));
  }
  if (left != 0) return false;  // asked for bytes the queue does not hold: a bug upstream
  const bool copy =
      (len <= k_copy_max || pieces > k_max_pieces) && len <= rte_pktmbuf_tailroom(hdr);
  rte_mbuf* s = first;
  for (left = len; left != 0; s = s->next, off = 0) {
    const uint32_t n = std::min<uint32_t>(left, s->data_len - off);
    if (copy) {
      std::memcpy(rte_pktmbuf_append(hdr, static_cast<uint16_t>(n)),
                  rte_pktmbuf_mtod_offset(s, const uint8_t*, off), n);
    } else {
      rte_mbuf* mi = rte_pktmbuf_alloc(pool_);
      if (mi == nullptr) return false;
      rte_pktmbuf_attach(mi, s);
      mi->data_off = static_cast<uint16_t>(mi->data_off + off);
      mi->data_len = static_cast<uint16_t>(n);
      mi->pkt_len = n;
      if (rte_pktmbuf_chain(hdr, mi) != 0) {
        rte_pktmbuf_free(mi);
        return false;
      }
    }
    left -= n;
  }
  return true;
}

void tcp_engine::send_syn(tcb& t) {
  const bool active = t.state == tcp_state::syn_sent;
  if (t.backoff == 0) {
    t.rtt_start_ns = now_ns_;
    t.rtt_timing = !active && !t.ts_ok;  // SYN,ACK timed by new_ack (RFC 6298 §3, Karn)
    t.rtt_seq = t.iss;
  }
  send_segment(t, t.iss, 0, static_cast<uint8_t>(active ? k_syn : k_syn | k_ack));
  t.snd_nxt = t.snd_max = t.iss + 1;
  start_rto(t);
}

void tcp_engine::send_probe(tcb& t) {
  // An old sequence number with no data: the peer must answer with an ACK carrying its
  // current window (RFC 9293 §3.10.7.4 "not acceptable" rule); as Linux probes.
  send_segment(t, t.snd_una - 1, 0, k_ack);
}

void tcp_engine::send_challenge_ack(tcb& t) {
  // RFC 5961 §7: a per-lcore budget of challenge ACKs per second.
  if (now_ns_ - challenge_epoch_ns_ >= 1'000'000'000ULL) {
    challenge_epoch_ns_ = now_ns_;
    challenge_sent_ = 0;
  }
  if (challenge_sent_ >= limits_.tcp_challenge_acks_per_s) {
    counters_.add(counter::tcp_challenge_acks_limited);
    return;
  }
  ++challenge_sent_;
  send_ack(t);
}

void tcp_engine::send_rst(tcb& t) {
  // RFC 9293 §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>, with the ACK so any peer state accepts it.
  counters_.add(counter::tcp_tx_rst);
  send_control(t.port_id, t.local_ip, t.remote_ip, t.local_port, t.remote_port, t.snd_max,
               t.rcv_nxt, k_rst | k_ack, 0, {});
}

void tcp_engine::send_rst_reply(uint16_t port_id, const segment& seg) {
  // RFC 9293 §3.10.7.1: <SEQ=SEG.ACK><CTL=RST> when the segment had an ACK, else
  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
  counters_.add(counter::tcp_tx_rst);
  if (seg.has_ack()) {
    send_control(port_id, seg.dst_ip, seg.src_ip, seg.dst_port, seg.src_port, seg.ack, 0, k_rst, 0,
                 {});
  } else {
    send_control(port_id, seg.dst_ip, seg.src_ip, seg.dst_port, seg.src_port, 0,
                 seg.seq + seg.seg_len(), k_rst | k_ack, 0, {});
  }
}

bool tcp_engine::send_control(uint16_t port_id, uint32_t src_ip, uint32_t dst_ip, uint16_t sport,
                              uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                              uint16_t wnd, const option_set& opts) {
  rte_mbuf* m =
      build_headers(pool_, ip_id_++, {src_ip, dst_ip, sport, dport, seq, ack, flags, wnd}, opts);
  if (m == nullptr) {
    counters_.add(counter::mbuf_alloc_failed);
    return false;
  }
  finalize_and_send(m, route_port(dst_ip, src_ip, port_id));
  return true;
}

}  // namespace ravelin::tcpstack::internal
