// Fuzzes the stack's receive path with state held across inputs: one stack lives for the
// whole run, with a TCP listener on port 80 whose handler reads, writes and closes, so
// connections, timers and reassembly queues carry over from one input to the next.
//
// An input is either one raw Ethernet frame (fed as a chain of small segments, so the
// header-in-first-segment checks and multi-segment checksums are exercised), or, after the
// magic "RVTCP", a script that can drive a connection through its states without knowing
// the stack's sequence numbers:
//   'F' len:u16 bytes               a raw frame, its checksums marked good as by a NIC
//   'R' flags:u8 win:u16 n:u8 data   a segment from the peer answering the last TCP
//                                    segment the stack sent (ports swapped, SEQ = its ACK,
//                                    ACK = its SEQ + SEG.LEN)
//   'S' skip:u16 flags win n data    the same with SEQ moved `skip` bytes ahead (a hole)
//   'T' ms:u16                      advance the clock and poll
//   'A' op:u8                       an application call on the newest connection
// After each input every mbuf in use must be one the stack says it holds, or the run
// aborts as a leak.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "eal_env.h"
#include "ravelin/tcpstack/stack.h"
#include "tcp_builder.h"

namespace {

namespace ts = ravelin::tcpstack;
using ravelin::test::bytes;

constexpr uint16_t k_segment = 128;          // small, so ordinary frames span segments
constexpr size_t k_max_frame = 9216;         // jumbo; anything larger is not a frame
constexpr uint64_t k_step_ns = 250'000'000;  // a quarter second per input: timers fire
constexpr uint32_t k_our_ip = 0xc6120001u;
const rte_ether_addr k_our_mac = {{2, 0, 0, 0, 0, 1}};

// The last TCP segment the stack sent, for 'R' records.
struct last_segment {
  bool valid = false;
  rte_ether_addr peer_mac{};
  uint32_t peer_ip = 0;
  uint16_t our_port = 0, peer_port = 0;
  uint32_t seq = 0, ack = 0, len = 0;
};

// Reads, answers a little (never more than 64 unacknowledged bytes, so every segment is
// copied behind its headers and held mbufs stay exactly countable), sometimes closes.
class app : public ts::tcp_handler {
 public:
  void on_accepted(ts::conn_id c, void*) override { newest = c; }
  void on_connected(ts::conn_id c, void*) override { newest = c; }
  void on_readable(ts::conn_id c, void*, ts::rx_view v) override {
    if (read) tcp->consume(c, v.length);
    if (v.length % 3 == 0) reply(c);
  }
  void on_peer_closed(ts::conn_id c, void*) override { tcp->close(c); }
  void reply(ts::conn_id c) {
    ts::conn_info i;
    if (tcp->info(c, i) && i.unacked_bytes < 64) tcp->send_copy(c, "hello from ravelin\n", 19);
  }
  ts::tcp_endpoint* tcp = nullptr;
  ts::conn_id newest{};
  bool read = true;
};

struct harness {
  rte_mempool* rx_pool = nullptr;  // small segments for received frames
  rte_mempool* pool = nullptr;     // the stack's own
  std::unique_ptr<ts::stack> stack;
  app handler;
  last_segment last;
  uint64_t now_ns = 0;
};

harness& get();

void print_stats() {
  const ts::counter_set& c = get().stack->counters();
  for (std::size_t i = 0; i < ts::k_counter_count; ++i) {
    if (c.values[i] != 0)
      std::fprintf(stderr, "%-28s %lu\n", ts::k_counter_table[i].name, c.values[i]);
  }
}

// Built in place and never moved: the listener keeps a pointer to `handler`.
harness* make_harness() {
  auto* x = new harness;
  ravelin::test::init_eal();
  x->rx_pool = rte_pktmbuf_pool_create("stack_fuzz_rx", 1023, 0, 0,
                                       k_segment + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
  x->pool =
      rte_pktmbuf_pool_create("stack_fuzz", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  if (x->rx_pool == nullptr || x->pool == nullptr) std::abort();
  // The same addresses as the unit tests and the seed corpus.
  const ts::interface_addr ifs[] = {{0, k_our_mac, k_our_ip, 24, 0xc61200feu},
                                    {1, {{2, 0, 0, 0, 1, 1}}, 0xc6120101u, 24, 0}};
  ts::stack_limits limits;
  limits.arp_cache_entries = 16;   // small, so eviction happens
  limits.tcp_max_connections = 8;  // and every TCP bound is reached
  limits.tcp_max_half_open = 4;
  limits.tcp_listen_backlog = 2;
  limits.tcp_send_buffer = 4096;
  limits.tcp_recv_buffer = 4096;
  limits.tcp_recv_segments = 32;
  limits.tcp_reassembly_segments = 16;
  limits.tcp_reassembly_per_conn = 8;
  limits.tcp_secret = 1;
  x->stack = std::make_unique<ts::stack>(ifs, limits, x->pool);
  x->handler.tcp = &x->stack->tcp();
  x->stack->tcp().listen(80, &x->handler);
  // STACK_FUZZ_STATS=1: print the counters that moved, to see which paths a corpus reaches.
  if (std::getenv("STACK_FUZZ_STATS") != nullptr) std::atexit(print_stats);
  return x;
}

harness& get() {
  static harness* h = make_harness();
  return *h;
}

rte_mbuf* to_chain(rte_mempool* pool, const uint8_t* data, size_t size) {
  rte_mbuf* head = nullptr;
  size_t off = 0;
  do {
    rte_mbuf* seg = rte_pktmbuf_alloc(pool);
    if (seg == nullptr) std::abort();  // the pool is sized for the largest frame
    const size_t n = size - off < k_segment ? size - off : k_segment;
    if (n != 0) std::memcpy(rte_pktmbuf_append(seg, static_cast<uint16_t>(n)), data + off, n);
    off += n;
    if (head == nullptr) {
      head = seg;
    } else if (rte_pktmbuf_chain(head, seg) != 0) {
      std::abort();
    }
  } while (off < size);
  return head;
}

void note_segment(harness& h, const rte_mbuf* m) {
  const bytes f = ravelin::test::to_bytes(m);
  const auto p = ravelin::test::parse_tcp_frame(f);
  if (!p || p->src_ip != k_our_ip) return;
  h.last.valid = true;
  std::memcpy(h.last.peer_mac.addr_bytes, f.data(), 6);
  h.last.peer_ip = p->dst_ip;
  h.last.our_port = p->sport;
  h.last.peer_port = p->dport;
  h.last.seq = p->seq;
  h.last.ack = p->ack;
  h.last.len = static_cast<uint32_t>(p->payload.size()) + ((p->flags & 0x03) != 0 ? 1 : 0);
}

void drain(harness& h, uint16_t port) {
  ts::tx_batch& b = h.stack->output(port);
  for (uint16_t i = 0; i < b.count; ++i) note_segment(h, b.pkts[i]);
  rte_pktmbuf_free_bulk(b.pkts, b.count);
  b.clear();
}

void feed(harness& h, const uint8_t* data, size_t size, uint64_t ol_flags = 0) {
  rte_mbuf* m = to_chain(h.rx_pool, data, size);
  m->ol_flags |= ol_flags;
  h.stack->input(0, &m, 1, h.now_ns);
  drain(h, 0);
  drain(h, 1);
}

void answer(harness& h, uint16_t skip, uint8_t flags, uint16_t window, const uint8_t* data,
            uint8_t n) {
  if (!h.last.valid) return;
  ravelin::test::tcp_fields t;
  t.sport = h.last.peer_port;
  t.dport = h.last.our_port;
  t.seq = h.last.ack + skip;
  t.ack = h.last.seq + h.last.len;
  t.flags = flags;
  t.window = window;
  t.payload.assign(data, data + n);
  ravelin::test::ipv4_fields ip;
  ip.src = h.last.peer_ip;
  ip.dst = k_our_ip;
  const bytes f = ravelin::test::build_tcp_frame({k_our_mac, h.last.peer_mac, 0x0800}, ip, t);
  feed(h, f.data(), f.size());
}

void app_call(harness& h, uint8_t op) {
  auto& tcp = h.stack->tcp();
  const ts::conn_id c = h.handler.newest;
  switch (op % 7) {
    case 0:
      tcp.close(c);
      break;
    case 1:
      tcp.shutdown(c);
      break;
    case 2:
      tcp.abort(c);
      break;
    case 3:
      h.handler.reply(c);
      break;
    case 4:
      h.handler.read = !h.handler.read;
      break;
    case 5:
      tcp.consume(c, 1000);
      break;
    case 6:
      tcp.connect(0xc6120002u, 8080, &h.handler, nullptr);
      break;
  }
  drain(h, 0);
  drain(h, 1);
}

void run_script(harness& h, const uint8_t* p, size_t n) {
  size_t i = 0;
  auto u16 = [&](size_t at) { return static_cast<uint16_t>((p[at] << 8) | p[at + 1]); };
  while (i < n) {
    const uint8_t op = p[i++];
    if (op == 'F' && i + 2 <= n) {
      const size_t len = u16(i);
      i += 2;
      if (len == 0 || len > n - i) return;
      // As if a NIC had verified the checksums, so mutated frames reach TCP's logic.
      feed(h, p + i, len, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
      i += len;
    } else if ((op == 'R' && i + 4 <= n) || (op == 'S' && i + 6 <= n)) {
      uint16_t skip = 0;
      if (op == 'S') {
        skip = u16(i);
        i += 2;
      }
      const uint8_t flags = p[i];
      const uint16_t win = u16(i + 1);
      const uint8_t len = p[i + 3];
      i += 4;
      if (len > n - i) return;
      answer(h, skip, flags, win, p + i, len);
      i += len;
    } else if (op == 'T' && i + 2 <= n) {
      h.now_ns += uint64_t{u16(i)} * 1'000'000;
      i += 2;
      h.stack->poll(h.now_ns);
      drain(h, 0);
      drain(h, 1);
    } else if (op == 'A' && i + 1 <= n) {
      app_call(h, p[i++]);
    } else {
      return;
    }
  }
}

unsigned in_use(const harness& h) {
  return rte_mempool_in_use_count(h.rx_pool) + rte_mempool_in_use_count(h.pool);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  harness& h = get();
  if (size > k_max_frame) return 0;
  h.now_ns += k_step_ns;
  if (size >= 5 && std::memcmp(data, "RVTCP", 5) == 0) {
    run_script(h, data + 5, size - 5);
  } else {
    feed(h, data, size);
  }
  h.stack->poll(h.now_ns);
  drain(h, 0);
  drain(h, 1);
  if (in_use(h) != h.stack->held_mbufs()) {
    std::fprintf(stderr, "stack_fuzz: mbuf leak: %u in use, the stack holds %u\n", in_use(h),
                 h.stack->held_mbufs());
    std::abort();
  }
  return 0;
}
