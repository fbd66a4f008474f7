// Fuzzes the stack's receive path: each input is one raw Ethernet frame, fed to
// stack::input on port 0 as a chain of small segments (so header-in-first-segment checks and
// multi-segment checksums are exercised too). Whatever the stack queues is freed; after each
// input the mbuf pool must be back to where it started, or the run aborts as a leak.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "eal_env.h"
#include "ravelin/tcpstack/stack.h"

namespace {

namespace ts = ravelin::tcpstack;

constexpr uint16_t k_segment = 128;          // small, so ordinary frames span segments
constexpr size_t k_max_frame = 9216;         // jumbo; anything larger is not a frame
constexpr uint64_t k_step_ns = 250'000'000;  // a quarter second per input: timers fire

struct harness {
  rte_mempool* pool = nullptr;
  std::unique_ptr<ts::stack> stack;
  uint64_t now_ns = 0;
};

harness& get() {
  static harness h = [] {
    harness x;
    ravelin::test::init_eal();
    x.pool = rte_pktmbuf_pool_create("stack_fuzz", 1023, 0, 0, k_segment + RTE_PKTMBUF_HEADROOM,
                                     SOCKET_ID_ANY);
    if (x.pool == nullptr) std::abort();
    // The same addresses as the unit tests and the seed corpus.
    const ts::interface_addr ifs[] = {{0, {{2, 0, 0, 0, 0, 1}}, 0xc6120001u, 24, 0xc61200feu},
                                      {1, {{2, 0, 0, 0, 1, 1}}, 0xc6120101u, 24, 0}};
    ts::stack_limits limits;
    limits.arp_cache_entries = 16;  // small, so eviction happens
    x.stack = std::make_unique<ts::stack>(ifs, limits, x.pool);
    return x;
  }();
  return h;
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

void drain(ts::stack& s, uint16_t port) {
  ts::tx_batch& b = s.output(port);
  rte_pktmbuf_free_bulk(b.pkts, b.count);
  b.clear();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  harness& h = get();
  if (size > k_max_frame) return 0;
  const unsigned start = rte_mempool_avail_count(h.pool);
  rte_mbuf* m = to_chain(h.pool, data, size);
  h.now_ns += k_step_ns;
  h.stack->input(0, &m, 1, h.now_ns);
  h.stack->poll(h.now_ns);
  drain(*h.stack, 0);
  drain(*h.stack, 1);
  if (rte_mempool_avail_count(h.pool) != start) {
    std::fprintf(stderr, "stack_fuzz: mbuf leak: %u available, %u before\n",
                 rte_mempool_avail_count(h.pool), start);
    std::abort();
  }
  return 0;
}
