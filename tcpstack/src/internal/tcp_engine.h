// The TCP engine of one lcore: connection pool and table, listeners, reassembly nodes, the
// timer wheel, and the segment paths. Its code is split by concern:
//   tcp_engine.cpp    pool, lists, state changes, events       tcp_api.cpp     tcp_endpoint
//   tcp_input.cpp     validation, demux, LISTEN, SYN-SENT      tcp_sync.cpp    synchronized states
//   tcp_ack.cpp       ACK processing, RTT, loss detection      tcp_recv.cpp    receive queue,
//   reassembly tcp_output.cpp    what to send next                         tcp_segment.cpp building
//   segments tcp_timers.cpp    RTO, persist, delayed ACK, keep-alive     tcp_cc.cpp      NewReno
//   and CUBIC tcp_sack.cpp      RFC 6675 scoreboard                       syn_cookie.cpp  RFC 4987
//   cookies
#pragma once

#include <cstdint>
#include <vector>

#include <rte_mbuf.h>

#include "internal/conn_table.h"
#include "internal/siphash.h"
#include "internal/stack_impl.h"
#include "internal/tcb.h"
#include "internal/timer_wheel.h"
#include "ravelin/tcpstack/rss.h"

namespace ravelin::tcpstack::internal {

// One out-of-order segment waiting for a hole before it to fill.
struct ooo_node {
  uint32_t seq = 0;
  uint32_t len = 0;
  rte_mbuf* m = nullptr;  // payload only
  uint32_t next = k_none;
};

struct listener {
  bool in_use = false;
  uint16_t port = 0;
  tcp_handler* handler = nullptr;
  void* opaque = nullptr;
  uint32_t backlog = 0;
  uint32_t syn_received = 0;  // handshakes in progress
};

// What a hole of the scoreboard looks like (RFC 6675 §4).
struct hole {
  uint32_t start = 0;
  uint32_t end = 0;
  bool lost = false;  // IsLost(start)
};

class tcp_engine {
 public:
  tcp_engine(stack::impl& ip, const stack_limits& limits, rte_mempool* pool, counter_set& counters);
  ~tcp_engine();
  tcp_engine(const tcp_engine&) = delete;
  tcp_engine& operator=(const tcp_engine&) = delete;

  // --- entry points (m starts at the Ethernet header; IPv4 validated)
  void input(uint16_t port_id, rte_mbuf* m, uint32_t ip_header_len, bool unicast, uint64_t now_ns);
  void poll(uint64_t now_ns);
  // Application calls between input() and poll() use the last time either was given.
  void advance_clock(uint64_t now_ns) { now_ns_ = now_ns > now_ns_ ? now_ns : now_ns_; }
  void resume_pending();
  uint32_t held_mbufs() const;

  // --- pool, handles and state (tcp_engine.cpp)
  uint32_t index_of(const tcb& t) const { return static_cast<uint32_t>(&t - tcbs_.data()); }
  conn_id id_of(const tcb& t) const { return {index_of(t), t.generation}; }
  tcb* lookup(conn_id c);  // attached connection or null
  tcb* alloc_tcb();
  void release(tcb& t);
  void set_state(tcb& t, tcp_state s);
  // Ends the connection: on_closed(reason) if attached, then CLOSED (released when no
  // engine code is working on it).
  void finish(tcb& t, close_reason reason);
  void deliver_events(tcb& t);
  // Delivers on_closed(reason) once; the handle is stale afterwards.
  void detach(tcb& t, close_reason reason);
  void defer_output(tcb& t);
  void unlink_pending(tcb& t);
  uint32_t isn(const conn_key& k) const;
  uint32_t ts_now(const tcb& t) const;
  uint8_t our_wscale() const;
  uint16_t route_port(uint32_t remote_ip, uint32_t local_ip, uint16_t fallback) const;
  bool tx_room(uint16_t port_id) const;

  // --- receive (tcp_input.cpp, tcp_sync.cpp, tcp_recv.cpp)
  void dispatch(uint16_t port_id, segment& seg, rte_mbuf* m);
  void closed_input(uint16_t port_id, const segment& seg, rte_mbuf* m);
  void listen_input(uint16_t port_id, listener& l, segment& seg, rte_mbuf* m);
  void syn_sent_input(tcb& t, segment& seg, rte_mbuf* m);
  void sync_input(tcb& t, segment& seg, rte_mbuf* m);
  bool time_wait_reopen(tcb& t, const segment& seg);
  void init_passive(tcb& t, const listener& l, uint32_t li, uint16_t port_id, const segment& seg);
  void negotiate(tcb& t, const tcp_options& peer);
  bool check_timestamps(tcb& t, const segment& seg);
  bool acceptable(const tcb& t, const segment& seg) const;
  rte_mbuf* trim_to_window(tcb& t, segment& seg, rte_mbuf* m);
  bool rst_input(tcb& t, const segment& seg);
  void process_text(tcb& t, segment& seg, rte_mbuf* m);
  void receive_data(tcb& t, uint32_t seq, uint32_t len, rte_mbuf* m);
  bool append_in_order(tcb& t, uint32_t len, rte_mbuf* m);
  void ooo_insert(tcb& t, uint32_t seq, uint32_t len, rte_mbuf* m);
  void ooo_drain(tcb& t);
  void ooo_clear(tcb& t);
  void process_fin(tcb& t);
  uint8_t sack_blocks(const tcb& t, sack_block* out, uint8_t max) const;
  uint32_t receive_space(const tcb& t) const;
  uint16_t window_field(tcb& t);
  void window_update_check(tcb& t);

  // --- acknowledgments and loss recovery (tcp_ack.cpp, tcp_sack.cpp, tcp_cc.cpp)
  bool ack_input(tcb& t, const segment& seg);
  void new_ack(tcb& t, const segment& seg, uint32_t acked);
  void duplicate_ack(tcb& t);
  void rtt_sample(tcb& t, uint64_t rtt_ns);
  void enter_recovery(tcb& t);
  bool fin_acked(const tcb& t) const;
  uint32_t sack_update(tcb& t, const segment& seg);
  void sack_prune(tcb& t);
  uint32_t holes(const tcb& t, hole* out, uint32_t max) const;
  uint32_t pipe(const tcb& t) const;
  bool una_lost(const tcb& t) const;
  void cc_init(tcb& t);
  void cc_on_ack(tcb& t, uint32_t acked);
  void cc_on_congestion(tcb& t);
  void cc_on_rto(tcb& t);
  void cc_exit_recovery(tcb& t);

  // --- transmit (tcp_output.cpp, tcp_segment.cpp)
  void output(tcb& t);
  bool send_new_data(tcb& t);
  // Sends again up to one segment from `seq` (data, and the FIN when it is next); returns
  // the sequence space covered (0 when nothing could be sent).
  uint32_t retransmit(tcb& t, uint32_t seq);
  bool sack_retransmit(tcb& t);
  void start_rto(tcb& t);
  bool send_segment(tcb& t, uint32_t seq, uint32_t len, uint8_t flags);
  bool send_ack(tcb& t) { return send_segment(t, t.snd_nxt, 0, 0x10); }
  void send_syn(tcb& t);
  void send_probe(tcb& t);
  void send_challenge_ack(tcb& t);
  void send_rst(tcb& t);
  void send_rst_reply(uint16_t port_id, const segment& seg);
  bool send_control(uint16_t port_id, uint32_t src_ip, uint32_t dst_ip, uint16_t sport,
                    uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                    const option_set& opts);
  bool attach_payload(tcb& t, rte_mbuf* hdr, uint32_t seq, uint32_t len);
  rte_mbuf* locate(tcb& t, uint32_t seq, uint32_t& off);
  // Checksums (or their offload flags) and hand-over to IPv4. `tso_mss` non-zero marks a
  // segment larger than the MSS for the NIC to cut (RTE_MBUF_F_TX_TCP_SEG).
  void finalize_and_send(rte_mbuf* m, uint16_t port_id, uint16_t tso_mss = 0);
  // Largest payload one segment may carry: the SMSS, or with TSO a multiple of it.
  uint32_t max_payload(const tcb& t) const;

  // --- timers (tcp_timers.cpp)
  void arm(tcb& t);
  void on_timer(uint32_t index);
  void on_rto(tcb& t);
  void on_persist(tcb& t);
  void on_idle(tcb& t);
  void enter_time_wait(tcb& t);

  // --- SYN cookies (syn_cookie.cpp)
  void send_cookie(uint16_t port_id, const segment& seg);
  bool cookie_accept(uint16_t port_id, listener& l, uint32_t li, segment& seg, rte_mbuf* m);

  // --- application interface helpers (tcp_api.cpp)
  uint32_t send_space(const tcb& t) const;
  // Below a quarter of the buffer free, on_writable is owed once a quarter is free again:
  // whoever queued the data (or looked and found little room) waits for it, and an ACK
  // that frees room is the only event that will come.
  // Returns the space.
  uint32_t note_low_send_space(tcb& t) {
    const uint32_t space = send_space(t);
    if (space < limits_.tcp_send_buffer / 4) t.want_writable = true;
    return space;
  }
  bool can_send(const tcb& t) const;
  bool queue_fin(tcb& t);
  void after_app_call(tcb& t);
  int find_listener(uint16_t port) const;
  uint16_t pick_port(uint16_t port_id, uint32_t local_ip, uint32_t remote_ip, uint16_t remote_port);
  // Whether an explicitly requested local port may be used (recycling TIME-WAIT if safe).
  bool claim_port(uint32_t local_ip, uint16_t local_port, uint32_t remote_ip, uint16_t remote_port);

  stack::impl& ip_;
  stack_limits limits_;
  counter_set& counters_;
  rte_mempool* pool_;
  sip_key secret_;
  std::vector<tcb> tcbs_;
  uint32_t free_head_ = k_none;
  uint32_t in_use_ = 0;
  uint32_t half_open_ = 0;
  conn_table table_;
  timer_wheel wheel_;
  std::vector<listener> listeners_;
  std::vector<ooo_node> ooo_;
  uint32_t ooo_free_ = k_none;
  uint32_t pending_head_ = k_none;
  uint32_t pending_tail_ = k_none;
  uint32_t pending_count_ = 0;
  uint32_t tw_head_ = k_none;  // TIME-WAIT, oldest first
  uint32_t tw_tail_ = k_none;
  uint64_t now_ns_ = 0;
  uint16_t ip_id_ = 0;
  uint64_t challenge_epoch_ns_ = 0;
  uint32_t challenge_sent_ = 0;
  uint16_t next_port_ = 0;
  std::vector<rss_config> rss_;  // by port id; empty config = no steering
};

// Keeps a TCB from being released while engine code works on it; a TCB that reached
// CLOSED meanwhile is released when the outermost guard ends.
class tcb_guard {
 public:
  tcb_guard(tcp_engine& e, tcb& t) : e_(e), t_(t) { ++t_.busy; }
  ~tcb_guard() {
    if (--t_.busy == 0 && t_.in_use && t_.state == tcp_state::closed) e_.release(t_);
  }
  tcb_guard(const tcb_guard&) = delete;
  tcb_guard& operator=(const tcb_guard&) = delete;

 private:
  tcp_engine& e_;
  tcb& t_;
};

}  // namespace ravelin::tcpstack::internal
