// SYN cookies (RFC 4987 §3.6): when the half-open table or a listener's backlog is full,
// the SYN,ACK's sequence number encodes the connection instead of a TCB. Layout of the
// 32-bit cookie: a 24-bit keyed MAC, a 5-bit counter of 64-second periods and a 3-bit index
// into a table of MSS values. Window scale and SACK-permitted ride in the low six bits of
// our timestamp, which the peer echoes (as Linux does); without timestamps they are lost.
#include <algorithm>

#include "internal/seq.h"
#include "internal/tcp_engine.h"

namespace ravelin::tcpstack::internal {
namespace {

constexpr uint16_t k_mss_table[8] = {536, 1200, 1300, 1360, 1400, 1440, 1452, 1460};
constexpr uint64_t k_period_ns = 64'000'000'000ULL;
constexpr uint32_t k_ts_bits = 0x3f;
constexpr uint32_t k_ts_sack = 0x10;
constexpr uint32_t k_ts_no_wscale = 0x0f;

uint32_t mac24(const sip_key& key, const segment& seg, uint32_t peer_isn, uint64_t period,
               uint32_t mss_index) {
  const uint64_t h = siphash(key, {(uint64_t{seg.dst_ip} << 32) | seg.src_ip,
                                   (uint64_t{seg.dst_port} << 16) | seg.src_port,
                                   (uint64_t{peer_isn} << 32) | (period << 3) | mss_index, 6});
  return static_cast<uint32_t>(h) & 0xffffff;
}

}  // namespace

void tcp_engine::send_cookie(uint16_t port_id, const segment& seg) {
  counters_.add(counter::tcp_syn_cookies_sent);
  const uint64_t period = now_ns_ / k_period_ns;
  const uint16_t peer_mss =
      std::min<uint16_t>(seg.opt.mss != 0 ? seg.opt.mss : 536, limits_.tcp_mss);
  uint32_t index = 0;
  for (uint32_t i = 0; i < 8; ++i) {
    if (k_mss_table[i] <= peer_mss) index = i;
  }
  const uint32_t cookie =
      (mac24(secret_, seg, seg.seq, period, index) << 8) | ((period & 31) << 3) | index;
  option_set o;
  o.mss = k_mss_table[index];
  if (seg.opt.has_timestamp && limits_.tcp_timestamps) {
    const bool scale = seg.opt.wscale != 0xff && limits_.tcp_window_scaling;
    const bool sack = seg.opt.sack_permitted && limits_.tcp_sack;
    const uint32_t offset = static_cast<uint32_t>(siphash(secret_, {cookie, 5}));
    o.timestamp = true;
    o.ts_val = ((static_cast<uint32_t>(now_ns_ / 1'000'000) + offset) & ~k_ts_bits) |
               (sack ? k_ts_sack : 0) | (scale ? seg.opt.wscale : k_ts_no_wscale);
    o.ts_ecr = seg.opt.ts_val;
    o.wscale = scale ? our_wscale() : 0xff;
    o.sack_permitted = sack;
  }
  const uint16_t wnd = static_cast<uint16_t>(std::min<uint32_t>(limits_.tcp_recv_buffer, 65535));
  send_control(port_id, seg.dst_ip, seg.src_ip, seg.dst_port, seg.src_port, cookie, seg.seq + 1,
               0x12, wnd, o);
}

bool tcp_engine::cookie_accept(uint16_t port_id, listener& l, uint32_t li, segment& seg,
                               rte_mbuf* m) {
  (void)li;
  const uint32_t cookie = seg.ack - 1;
  const uint32_t peer_isn = seg.seq - 1;
  const uint32_t index = cookie & 7;
  const uint64_t now_period = now_ns_ / k_period_ns;
  bool valid = false;
  for (uint64_t age = 0; age < 2 && !valid && age <= now_period; ++age) {
    const uint64_t p = now_period - age;
    valid =
        (p & 31) == ((cookie >> 3) & 31) && mac24(secret_, seg, peer_isn, p, index) == cookie >> 8;
  }
  if (!valid) return false;
  tcb* tp = alloc_tcb();
  if (tp == nullptr) {
    ip_.drop(m, counter::tcp_conn_table_full);
    return true;
  }
  tcb& t = *tp;
  t.local_ip = seg.dst_ip;
  t.remote_ip = seg.src_ip;
  t.local_port = seg.dst_port;
  t.remote_port = seg.src_port;
  t.port_id = route_port(t.remote_ip, t.local_ip, port_id);
  t.passive = true;
  t.handler = l.handler;
  t.opaque = l.opaque;
  t.irs = peer_isn;
  t.rcv_nxt = seg.seq;
  t.iss = cookie;
  t.snd_una = t.snd_nxt = t.snd_max = t.sndq_seq = seg.ack;
  t.recover = t.iss;
  t.ts_offset = static_cast<uint32_t>(siphash(secret_, {cookie, 5}));
  tcp_options peer;
  peer.mss = k_mss_table[index];
  if (seg.opt.has_timestamp) {
    const uint32_t bits = seg.opt.ts_ecr & k_ts_bits;
    peer.has_timestamp = true;
    peer.ts_val = seg.opt.ts_val;
    peer.sack_permitted = (bits & k_ts_sack) != 0;
    peer.wscale = (bits & 0x0f) == k_ts_no_wscale ? 0xff : static_cast<uint8_t>(bits & 0x0f);
  }
  negotiate(t, peer);
  t.snd_wnd = uint32_t{seg.wnd} << t.snd_wscale;
  t.max_snd_wnd = t.snd_wnd;
  t.snd_wl1 = seg.seq;
  t.snd_wl2 = seg.ack;
  t.rcv_adv = t.rcv_nxt + std::min<uint32_t>(limits_.tcp_recv_buffer, 65535);
  t.last_ack_sent = t.rcv_nxt;
  cc_init(t);
  t.state = tcp_state::established;
  t.attached = true;
  t.ev_established = true;
  table_.insert(key_of(t), index_of(t));
  counters_.add(counter::tcp_syn_cookies_accepted);
  counters_.add(counter::tcp_passive_opens);
  tcb_guard g(*this, t);
  // The ACK may carry data (or be a data segment whose pure ACK was lost).
  process_text(t, seg, trim_to_window(t, seg, m));
  if (t.state == tcp_state::closed) return true;
  deliver_events(t);
  if (t.state != tcp_state::closed) output(t);
  return true;
}

}  // namespace ravelin::tcpstack::internal
