// tcp_endpoint: the application's calls (RFC 9293 §3.9.1 user/TCP interface, in event form)
// mapped onto the engine, plus the small public helpers of tcp.h.
#include <algorithm>
#include <cstring>

#include "internal/seq.h"
#include "internal/tcp_engine.h"

namespace ravelin::tcpstack {

using internal::tcb;
using internal::tcb_guard;

void tcp_handler::on_accepted(conn_id, void*) {}
void tcp_handler::on_connected(conn_id, void*) {}
void tcp_handler::on_readable(conn_id, void*, rx_view) {}
void tcp_handler::on_writable(conn_id, void*) {}
void tcp_handler::on_peer_closed(conn_id, void*) {}
void tcp_handler::on_closed(conn_id, void*, close_reason) {}

const char* to_string(close_reason r) {
  switch (r) {
    case close_reason::normal:
      return "normal";
    case close_reason::reset:
      return "reset";
    case close_reason::refused:
      return "refused";
    case close_reason::timed_out:
      return "timed_out";
    case close_reason::aborted:
      return "aborted";
  }
  return "?";
}

const char* to_string(tcp_state s) {
  static const char* const k_names[] = {"CLOSED",     "SYN-SENT",   "SYN-RECEIVED", "ESTABLISHED",
                                        "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",   "CLOSING",
                                        "LAST-ACK",   "TIME-WAIT"};
  return k_names[static_cast<int>(s)];
}

uint32_t rx_view::copy_to(void* dst, uint32_t max) const {
  uint32_t n = 0;
  auto* out = static_cast<uint8_t*>(dst);
  for_each([&](const uint8_t* p, uint32_t len) {
    const uint32_t k = std::min(len, max - n);
    std::memcpy(out + n, p, k);
    n += k;
  });
  return n;
}

bool tcp_endpoint::listen(uint16_t port, tcp_handler* handler, void* opaque, uint32_t backlog) {
  auto& e = *engine_;
  if (handler == nullptr || e.find_listener(port) >= 0) return false;
  for (auto& l : e.listeners_) {
    if (l.in_use) continue;
    l = {true, port, handler, opaque, backlog != 0 ? backlog : e.limits_.tcp_listen_backlog, 0};
    return true;
  }
  return false;
}

bool tcp_endpoint::unlisten(uint16_t port) {
  auto& e = *engine_;
  const int li = e.find_listener(port);
  if (li < 0) return false;
  for (tcb& t : e.tcbs_) {
    if (t.in_use && t.state == tcp_state::syn_received && t.listener == static_cast<uint32_t>(li)) {
      e.send_rst(t);
      e.finish(t, close_reason::aborted);  // never announced: no callback
    }
  }
  e.listeners_[li] = {};
  return true;
}

conn_id tcp_endpoint::connect(uint32_t remote_ip, uint16_t remote_port, tcp_handler* handler,
                              void* opaque, const connect_options& options) {
  auto& e = *engine_;
  const auto r = e.ip_.route(remote_ip, options.local_ip);
  if (r.iface < 0 || handler == nullptr || remote_port == 0) {
    e.counters_.add(counter::tcp_connect_no_route);
    return {};
  }
  const interface_addr& ifa = e.ip_.interfaces_[r.iface];
  const uint32_t local_ip = options.local_ip != 0 ? options.local_ip : ifa.address;
  const uint16_t port =
      options.local_port != 0
          ? (e.claim_port(local_ip, options.local_port, remote_ip, remote_port) ? options.local_port
                                                                                : 0)
          : e.pick_port(ifa.port_id, local_ip, remote_ip, remote_port);
  if (port == 0) {
    e.counters_.add(counter::tcp_ports_exhausted);
    return {};
  }
  tcb* tp = e.alloc_tcb();
  if (tp == nullptr) {
    e.counters_.add(counter::tcp_conn_table_full);
    return {};
  }
  tcb& t = *tp;
  t.local_ip = local_ip;
  t.remote_ip = remote_ip;
  t.local_port = port;
  t.remote_port = remote_port;
  t.port_id = ifa.port_id;
  t.attached = true;
  t.handler = handler;
  t.opaque = opaque;
  t.iss = e.isn(internal::key_of(t));
  t.snd_una = t.snd_nxt = t.snd_max = t.iss;
  t.sndq_seq = t.iss + 1;
  t.recover = t.iss;
  t.ts_offset = static_cast<uint32_t>(internal::siphash(e.secret_, {t.iss, 5}));
  t.mss = e.limits_.tcp_mss;
  t.smss = t.mss;
  t.state = tcp_state::syn_sent;
  e.table_.insert(internal::key_of(t), e.index_of(t));
  tcb_guard g(e, t);
  e.send_syn(t);
  e.arm(t);
  return e.id_of(t);
}

send_status tcp_endpoint::send(conn_id c, rte_mbuf* m) {
  auto& e = *engine_;
  tcb* t = e.lookup(c);
  if (t == nullptr || m == nullptr) return send_status::invalid;
  if (!e.can_send(*t)) return send_status::closed;
  const uint32_t len = rte_pktmbuf_pkt_len(m);
  if (len == 0 || len > e.limits_.tcp_send_buffer) return send_status::invalid;
  if (len > e.send_space(*t)) {
    t->want_writable = true;
    e.counters_.add(counter::tcp_send_refused);
    return send_status::would_block;
  }
  internal::sq_append(t->sndq, m);
  e.note_low_send_space(*t);
  e.after_app_call(*t);
  return send_status::accepted;
}

uint32_t tcp_endpoint::send_copy(conn_id c, const void* data, uint32_t len) {
  auto& e = *engine_;
  tcb* t = e.lookup(c);
  if (t == nullptr || !e.can_send(*t) || len == 0) return 0;
  const uint32_t n = std::min(len, e.send_space(*t));
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t copied = 0;
  if (t->sndq.tail != nullptr) {
    const uint32_t k = std::min<uint32_t>(n, rte_pktmbuf_tailroom(t->sndq.tail));
    if (k != 0 && internal::sq_append_copy(t->sndq, p, k)) copied = k;
  }
  while (copied < n) {
    rte_mbuf* m = rte_pktmbuf_alloc(e.pool_);
    if (m == nullptr) {
      e.counters_.add(counter::mbuf_alloc_failed);
      break;
    }
    const uint32_t k = std::min<uint32_t>(n - copied, rte_pktmbuf_tailroom(m));
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(k)), p + copied, k);
    internal::sq_append(t->sndq, m);
    copied += k;
  }
  if (copied < len) {
    t->want_writable = true;
    e.counters_.add(counter::tcp_send_refused);
  }
  e.note_low_send_space(*t);
  if (copied != 0) e.after_app_call(*t);
  return copied;
}

uint32_t tcp_endpoint::send_space(conn_id c) const {
  tcb* t = engine_->lookup(c);
  if (t == nullptr || !engine_->can_send(*t)) return 0;
  // A caller that looks and finds little room is owed on_writable as if it had been refused.
  return engine_->note_low_send_space(*t);
}

rx_view tcp_endpoint::readable(conn_id c) const {
  tcb* t = engine_->lookup(c);
  if (t == nullptr) return {};
  return {t->rcvq.head, t->rcvq.head_off, t->rcvq.bytes};
}

void tcp_endpoint::consume(conn_id c, uint32_t n) {
  auto& e = *engine_;
  tcb* t = e.lookup(c);
  if (t == nullptr || t->rcvq.bytes == 0) return;
  internal::sq_drop_front(t->rcvq, std::min(n, t->rcvq.bytes));
  e.window_update_check(*t);
  e.after_app_call(*t);
}

rte_mbuf* tcp_endpoint::take(conn_id c) {
  auto& e = *engine_;
  tcb* t = e.lookup(c);
  if (t == nullptr) return nullptr;
  rte_mbuf* m = internal::sq_take(t->rcvq);
  if (m != nullptr) {
    e.window_update_check(*t);
    e.after_app_call(*t);
  }
  return m;
}

bool tcp_endpoint::shutdown(conn_id c) {
  tcb* t = engine_->lookup(c);
  return t != nullptr && engine_->queue_fin(*t);
}

bool tcp_endpoint::close(conn_id c) {
  auto& e = *engine_;
  tcb* t = e.lookup(c);
  if (t == nullptr) return false;
  t->app_closed = true;
  // Unread bytes are dropped; later ones reset the connection (tcp_sync.cpp).
  internal::sq_clear(t->rcvq);
  e.ooo_clear(*t);
  if (t->state == tcp_state::fin_wait_2) t->idle_at = e.now_ns_ + e.limits_.tcp_fin_wait_2_ns;
  if (!t->fin_queued) e.queue_fin(*t);
  e.after_app_call(*t);
  return true;
}

bool tcp_endpoint::abort(conn_id c) {
  auto& e = *engine_;
  tcb* t = e.lookup(c);
  if (t == nullptr) return false;
  if (t->state != tcp_state::syn_sent) e.send_rst(*t);
  t->attached = false;  // no on_closed for an abort
  ++t->generation;
  e.finish(*t, close_reason::aborted);
  return true;
}

bool tcp_endpoint::set_opaque(conn_id c, void* opaque) {
  tcb* t = engine_->lookup(c);
  if (t != nullptr) t->opaque = opaque;
  return t != nullptr;
}

void* tcp_endpoint::opaque(conn_id c) const {
  tcb* t = engine_->lookup(c);
  return t != nullptr ? t->opaque : nullptr;
}

bool tcp_endpoint::set_handler(conn_id c, tcp_handler* handler) {
  tcb* t = engine_->lookup(c);
  if (t == nullptr || handler == nullptr) return false;
  t->handler = handler;
  return true;
}

bool tcp_endpoint::set_keepalive(conn_id c, bool on) {
  tcb* t = engine_->lookup(c);
  if (t == nullptr) return false;
  t->keepalive = on;
  t->keepalive_sent = 0;
  if (on) engine_->arm(*t);
  return true;
}

bool tcp_endpoint::set_congestion_control(conn_id c, congestion_control cc) {
  tcb* t = engine_->lookup(c);
  if (t == nullptr) return false;
  t->cc = cc;
  t->cubic = {};
  return true;
}

bool tcp_endpoint::set_nagle(conn_id c, bool on) {
  tcb* t = engine_->lookup(c);
  if (t == nullptr) return false;
  t->nagle = on;
  if (!on) engine_->after_app_call(*t);
  return true;
}

bool tcp_endpoint::info(conn_id c, conn_info& out) const {
  const tcb* t = engine_->lookup(c);
  if (t == nullptr) return false;
  out = {t->state,    t->local_ip, t->local_port, t->remote_ip,  t->remote_port, t->smss,
         t->sack_ok,  t->ts_ok,    t->snd_wscale, t->rcv_wscale, t->snd_wnd,     t->cwnd,
         t->ssthresh, t->srtt_ns,  t->rto_ns,     t->sndq.bytes, t->rcvq.bytes,  t->retransmits};
  return true;
}

void tcp_endpoint::set_rss(uint16_t port_id, const rss_config& cfg) {
  if (port_id < RTE_MAX_ETHPORTS) engine_->rss_[port_id] = cfg;
}

uint32_t tcp_endpoint::connections() const { return engine_->in_use_; }
uint32_t tcp_endpoint::held_mbufs() const { return engine_->held_mbufs(); }
uint32_t tcp_endpoint::timers() const { return engine_->wheel_.size(); }

}  // namespace ravelin::tcpstack

namespace ravelin::tcpstack::internal {

uint32_t tcp_engine::send_space(const tcb& t) const {
  return t.sndq.bytes >= limits_.tcp_send_buffer ? 0 : limits_.tcp_send_buffer - t.sndq.bytes;
}

bool tcp_engine::can_send(const tcb& t) const {
  if (t.fin_queued) return false;
  return t.state == tcp_state::syn_sent || t.state == tcp_state::syn_received ||
         t.state == tcp_state::established || t.state == tcp_state::close_wait;
}

bool tcp_engine::queue_fin(tcb& t) {
  // RFC 9293 §3.10.4 CLOSE: the FIN follows the queued data; the state changes now.
  if (t.fin_queued) return true;
  switch (t.state) {
    case tcp_state::syn_sent:
    case tcp_state::syn_received:
      break;  // sent once established
    case tcp_state::established:
      set_state(t, tcp_state::fin_wait_1);
      break;
    case tcp_state::close_wait:
      set_state(t, tcp_state::last_ack);
      break;
    default:
      return false;
  }
  t.fin_queued = true;
  after_app_call(t);
  return true;
}

void tcp_engine::after_app_call(tcb& t) {
  // Inside this connection's own callbacks the engine outputs once when they return.
  if (t.busy != 0) return;
  tcb_guard g(*this, t);
  output(t);
}

int tcp_engine::find_listener(uint16_t port) const {
  for (std::size_t i = 0; i < listeners_.size(); ++i) {
    if (listeners_[i].in_use && listeners_[i].port == port) return static_cast<int>(i);
  }
  return -1;
}

bool tcp_engine::claim_port(uint32_t local_ip, uint16_t local_port, uint32_t remote_ip,
                            uint16_t remote_port) {
  const uint32_t i = table_.find({local_ip, remote_ip, local_port, remote_port}, tcbs_.data());
  if (i == k_none) return true;
  // RFC 6191 in spirit, as Linux's tcp_tw_reuse: a TIME-WAIT 4-tuple may be reused when
  // timestamps will tell the incarnations apart, one second after it closed.
  tcb& t = tcbs_[i];
  if (t.state != tcp_state::time_wait || !t.ts_ok || now_ns_ - t.time_wait_ns < 1'000'000'000ULL) {
    return false;
  }
  counters_.add(counter::tcp_time_wait_reused);
  release(t);
  return true;
}

uint16_t tcp_engine::pick_port(uint16_t port_id, uint32_t local_ip, uint32_t remote_ip,
                               uint16_t remote_port) {
  // RFC 6056 §3.3.3-like: a keyed per-destination offset plus a running counter, filtered
  // so that replies hash to this lcore's queue (rss.h) and the 4-tuple is free.
  const uint16_t first = limits_.tcp_ephemeral_first;
  const uint16_t last = limits_.tcp_ephemeral_last;
  const uint32_t span = uint32_t{last} - first + 1;
  const uint32_t offset = static_cast<uint32_t>(siphash(secret_, {remote_ip, remote_port, 7}));
  const uint16_t start = static_cast<uint16_t>(first + (offset + next_port_++) % span);
  const rss_config& rss = port_id < rss_.size() ? rss_[port_id] : rss_[0];
  return choose_local_port(
      rss, local_ip, remote_ip, remote_port, first, last, start, span, [&](uint16_t p) {
        return table_.find({local_ip, remote_ip, p, remote_port}, tcbs_.data()) == k_none &&
               find_listener(p) < 0;
      });
}

}  // namespace ravelin::tcpstack::internal
