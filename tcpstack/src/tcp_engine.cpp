// The TCP engine's bookkeeping: the connection pool and its lists, state changes with
// their accounting, application events, deferred output and the timer-driven poll.
#include "internal/tcp_engine.h"

#include <algorithm>

#include <rte_random.h>

namespace ravelin::tcpstack::internal {
namespace {

stack_limits sanitized(stack_limits l) {
  l.tcp_max_connections = std::max<uint32_t>(l.tcp_max_connections, 1);
  l.tcp_max_listeners = std::max<uint32_t>(l.tcp_max_listeners, 1);
  l.tcp_mss = std::clamp<uint16_t>(l.tcp_mss, 88, 9000);  // 88: Linux's TCP_MIN_MSS
  l.tcp_send_buffer = std::max<uint32_t>(l.tcp_send_buffer, 2u * l.tcp_mss);
  // RFC 7323 §2.3: a scaled window stays below 2^30.
  l.tcp_recv_buffer = std::clamp<uint32_t>(l.tcp_recv_buffer, 2u * l.tcp_mss, 1u << 30);
  l.tcp_recv_segments = std::max<uint32_t>(l.tcp_recv_segments, 4);
  l.tcp_initial_window = std::max<uint32_t>(l.tcp_initial_window, 1);
  l.tcp_rto_min_ns = std::max<uint64_t>(l.tcp_rto_min_ns, 1'000'000);
  l.tcp_rto_max_ns = std::max(l.tcp_rto_max_ns, l.tcp_rto_min_ns);
  l.tcp_rto_initial_ns = std::clamp(l.tcp_rto_initial_ns, l.tcp_rto_min_ns, l.tcp_rto_max_ns);
  if (l.tcp_ephemeral_first == 0 || l.tcp_ephemeral_first > l.tcp_ephemeral_last) {
    l.tcp_ephemeral_first = 32768;
    l.tcp_ephemeral_last = 60999;
  }
  return l;
}

sip_key make_secret(uint64_t seed) {
  if (seed == 0) return {rte_rand(), rte_rand()};
  return {seed, seed ^ 0x9e3779b97f4a7c15ULL};
}

}  // namespace

tcp_engine::tcp_engine(stack::impl& ip, const stack_limits& limits, rte_mempool* pool,
                       counter_set& counters)
    : ip_(ip),
      limits_(sanitized(limits)),
      counters_(counters),
      pool_(pool),
      secret_(make_secret(limits.tcp_secret)),
      tcbs_(limits_.tcp_max_connections),
      table_(limits_.tcp_max_connections, secret_),
      wheel_(limits_.tcp_max_connections, limits_.tcp_timer_slots, limits_.tcp_timer_tick_ns, 0),
      listeners_(limits_.tcp_max_listeners),
      ooo_(limits_.tcp_reassembly_segments),
      rss_(RTE_MAX_ETHPORTS) {
  for (uint32_t i = tcbs_.size(); i-- > 0;) {
    tcbs_[i].free_next = free_head_;
    free_head_ = i;
  }
  for (uint32_t i = ooo_.size(); i-- > 0;) {
    ooo_[i].next = ooo_free_;
    ooo_free_ = i;
  }
  next_port_ = static_cast<uint16_t>(siphash(secret_, {4}));
}

tcp_engine::~tcp_engine() {
  for (tcb& t : tcbs_) {
    if (!t.in_use) continue;
    sq_clear(t.sndq);
    sq_clear(t.rcvq);
    ooo_clear(t);
  }
}

tcb* tcp_engine::lookup(conn_id c) {
  if (c.index >= tcbs_.size()) return nullptr;
  tcb& t = tcbs_[c.index];
  return t.in_use && t.attached && t.generation == c.generation ? &t : nullptr;
}

tcb* tcp_engine::alloc_tcb() {
  if (free_head_ == k_none && tw_head_ != k_none) {
    // Pool exhausted: the oldest TIME-WAIT connection gives way (its quiet time is the
    // least valuable state we hold).
    counters_.add(counter::tcp_time_wait_recycled);
    release(tcbs_[tw_head_]);
  }
  if (free_head_ == k_none) return nullptr;
  tcb& t = tcbs_[free_head_];
  free_head_ = t.free_next;
  const uint32_t generation = t.generation;
  t = tcb{};
  t.generation = generation;
  t.in_use = true;
  t.cc = limits_.tcp_congestion_control;
  t.rto_ns = limits_.tcp_rto_initial_ns;
  t.last_rx_ns = now_ns_;
  ++in_use_;
  return &t;
}

void tcp_engine::release(tcb& t) {
  if (t.state == tcp_state::syn_received || t.state == tcp_state::time_wait) {
    set_state(t, tcp_state::closed);  // half-open and TIME-WAIT accounting
  }
  sq_clear(t.sndq);
  sq_clear(t.rcvq);
  ooo_clear(t);
  unlink_pending(t);
  const uint32_t i = index_of(t);
  wheel_.cancel(i);
  table_.erase(key_of(t), i);
  t.in_use = false;
  t.attached = false;
  t.state = tcp_state::closed;
  t.rtx_at = t.delack_at = t.idle_at = 0;
  ++t.generation;
  t.free_next = free_head_;
  free_head_ = i;
  --in_use_;
}

void tcp_engine::set_state(tcb& t, tcp_state s) {
  const uint32_t i = index_of(t);
  if (t.state == tcp_state::syn_received && s != tcp_state::syn_received) {
    if (t.listener != k_none) --listeners_[t.listener].syn_received;
    if (t.passive) --half_open_;
    t.listener = k_none;
  }
  if (t.state == tcp_state::time_wait && s != tcp_state::time_wait) {
    (t.tw_prev != k_none ? tcbs_[t.tw_prev].tw_next : tw_head_) = t.tw_next;
    (t.tw_next != k_none ? tcbs_[t.tw_next].tw_prev : tw_tail_) = t.tw_prev;
    t.tw_prev = t.tw_next = k_none;
  }
  if (s == tcp_state::time_wait && t.state != tcp_state::time_wait) {
    t.tw_prev = tw_tail_;
    t.tw_next = k_none;
    (tw_tail_ != k_none ? tcbs_[tw_tail_].tw_next : tw_head_) = i;
    tw_tail_ = i;
  }
  t.state = s;
}

void tcp_engine::finish(tcb& t, close_reason reason) {
  if (t.state == tcp_state::closed) return;
  set_state(t, tcp_state::closed);
  t.rtx_at = t.delack_at = t.idle_at = 0;
  detach(t, reason);
  if (t.busy == 0) release(t);
}

void tcp_engine::deliver_events(tcb& t) {
  // Each callback may end the connection; stop at the first that does.
  auto gone = [&] { return t.state == tcp_state::closed || !t.attached || t.handler == nullptr; };
  if (t.ev_established) {
    t.ev_established = false;
    if (gone()) return;
    t.announced = true;
    if (t.passive) {
      t.handler->on_accepted(id_of(t), t.opaque);
    } else {
      t.handler->on_connected(id_of(t), t.opaque);
    }
  }
  if (t.ev_readable) {
    t.ev_readable = false;
    if (gone()) return;
    if (t.rcvq.bytes != 0 && !t.app_closed) {
      t.handler->on_readable(id_of(t), t.opaque, {t.rcvq.head, t.rcvq.head_off, t.rcvq.bytes});
    }
  }
  if (t.ev_peer_closed) {
    t.ev_peer_closed = false;
    if (gone()) return;
    if (!t.app_closed) t.handler->on_peer_closed(id_of(t), t.opaque);
  }
  if (t.ev_writable) {
    t.ev_writable = false;
    if (gone()) return;
    t.handler->on_writable(id_of(t), t.opaque);
  }
  if (t.ev_closed) {
    t.ev_closed = false;
    detach(t, close_reason::normal);
    // TIME-WAIT keeps only sequence state; unread bytes have nobody to read them.
    sq_clear(t.rcvq);
    ooo_clear(t);
  }
}

void tcp_engine::detach(tcb& t, close_reason reason) {
  if (!t.attached) return;
  const conn_id id = id_of(t);
  t.attached = false;
  ++t.generation;  // the handle is stale from here on, even inside on_closed
  if (t.handler != nullptr) t.handler->on_closed(id, t.opaque, reason);
}

void tcp_engine::defer_output(tcb& t) {
  if (t.pending) return;
  counters_.add(counter::tcp_tx_deferred);
  const uint32_t i = index_of(t);
  t.pending = true;
  ++pending_count_;
  t.pending_prev = pending_tail_;
  t.pending_next = k_none;
  (pending_tail_ != k_none ? tcbs_[pending_tail_].pending_next : pending_head_) = i;
  pending_tail_ = i;
}

void tcp_engine::unlink_pending(tcb& t) {
  if (!t.pending) return;
  (t.pending_prev != k_none ? tcbs_[t.pending_prev].pending_next : pending_head_) = t.pending_next;
  (t.pending_next != k_none ? tcbs_[t.pending_next].pending_prev : pending_tail_) = t.pending_prev;
  t.pending_prev = t.pending_next = k_none;
  t.pending = false;
  --pending_count_;
}

void tcp_engine::resume_pending() {
  // Each connection queued now gets one turn; one that runs out of room again re-queues
  // itself behind the others.
  for (uint32_t n = pending_count_; n != 0 && pending_head_ != k_none; --n) {
    tcb& t = tcbs_[pending_head_];
    unlink_pending(t);
    tcb_guard g(*this, t);
    output(t);
  }
}

void tcp_engine::poll(uint64_t now_ns) {
  now_ns_ = std::max(now_ns_, now_ns);
  resume_pending();
  wheel_.advance(now_ns_, [this](uint32_t i) { on_timer(i); });
}

uint32_t tcp_engine::held_mbufs() const {
  uint32_t n = 0;
  for (const tcb& t : tcbs_) {
    if (!t.in_use) continue;
    n += t.sndq.segs + t.rcvq.segs;
    for (uint32_t o = t.ooo_head; o != k_none; o = ooo_[o].next) n += ooo_[o].m->nb_segs;
  }
  return n;
}

uint32_t tcp_engine::isn(const conn_key& k) const {
  // RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), with M
  // the 4-microsecond clock of RFC 9293 §3.4.1.
  const uint64_t f = siphash(secret_, {(uint64_t{k.local_ip} << 32) | k.remote_ip,
                                       (uint64_t{k.local_port} << 16) | k.remote_port});
  return static_cast<uint32_t>(now_ns_ / 4000) + static_cast<uint32_t>(f);
}

uint32_t tcp_engine::ts_now(const tcb& t) const {
  // RFC 7323 §5.4: a millisecond clock with a random per-connection offset.
  return static_cast<uint32_t>(now_ns_ / 1'000'000) + t.ts_offset;
}

uint8_t tcp_engine::our_wscale() const {
  // RFC 7323 §2.2: the smallest shift that lets the buffer be advertised.
  uint8_t s = 0;
  while (s < k_max_wscale && (uint64_t{65535} << s) < limits_.tcp_recv_buffer) ++s;
  return s;
}

uint16_t tcp_engine::route_port(uint32_t remote_ip, uint32_t local_ip, uint16_t fallback) const {
  const stack::impl::route_result r = ip_.route(remote_ip, local_ip);
  return r.iface < 0 ? fallback : ip_.interfaces_[r.iface].port_id;
}

bool tcp_engine::tx_room(uint16_t port_id) const {
  // Leave one slot so an ARP request or RST triggered meanwhile still fits.
  return port_id < RTE_MAX_ETHPORTS && ip_.batches_[port_id].count + 1 < tx_batch::k_capacity;
}

}  // namespace ravelin::tcpstack::internal
