// ns per ICMP echo through stack::input, in bursts of 32 as the dataplane delivers them.
// Each iteration allocates the burst, copies a 98-byte echo request in, runs the stack and
// frees the replies; BM_burst_overhead does the same without the stack, so the stack's own
// cost is the difference of the two.
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <vector>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "eal_env.h"
#include "ravelin/tcpstack/stack.h"

namespace {

namespace ts = ravelin::tcpstack;

constexpr uint16_t k_burst = 32;
const rte_ether_addr k_our_mac = {{2, 0, 0, 0, 0, 1}};

// Ethernet + IPv4 (198.18.0.2 -> 198.18.0.1) + ICMP echo with 56 bytes of data, as ping sends.
std::vector<uint8_t> echo_frame() {
  std::vector<uint8_t> f = {2,    0, 0,   0,  0,    1,    2,    0, 0,  0, 0,    0x99, 0x08, 0x00,
                            0x45, 0, 0,   84, 0x12, 0x34, 0x40, 0, 64, 1, 0,    0,    198,  18,
                            0,    2, 198, 18, 0,    1,    8,    0, 0,  0, 0x42, 0x42, 0,    1};
  for (int i = 0; i < 56; ++i) f.push_back(static_cast<uint8_t>(i));
  auto fold = [&](size_t off, size_t len) {
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 2) sum += (f[off + i] << 8) | f[off + i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
  };
  const uint16_t ip = fold(14, 20);
  f[24] = ip >> 8;
  f[25] = ip & 0xff;
  const uint16_t icmp = fold(34, 64);
  f[36] = icmp >> 8;
  f[37] = icmp & 0xff;
  return f;
}

struct fixture {
  rte_mempool* pool;
  std::unique_ptr<ts::stack> stack;
  std::vector<uint8_t> frame = echo_frame();
  fixture() {
    ravelin::test::init_eal();
    pool = rte_pktmbuf_pool_create("stack_bench", 4095, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                   SOCKET_ID_ANY);
    const ts::interface_addr ifs[] = {{0, k_our_mac, 0xc6120001u, 24, 0}};
    stack = std::make_unique<ts::stack>(ifs, ts::stack_limits{}, pool);
  }
  void fill(rte_mbuf** pkts) {
    if (rte_pktmbuf_alloc_bulk(pool, pkts, k_burst) != 0) std::abort();
    for (uint16_t i = 0; i < k_burst; ++i) {
      std::memcpy(rte_pktmbuf_append(pkts[i], static_cast<uint16_t>(frame.size())), frame.data(),
                  frame.size());
    }
  }
};

fixture& get() {
  static fixture f;
  return f;
}

void BM_echo_burst(benchmark::State& state) {
  fixture& f = get();
  rte_mbuf* pkts[k_burst];
  uint64_t now_ns = 0;
  for (auto _ : state) {
    f.fill(pkts);
    f.stack->input(0, pkts, k_burst, ++now_ns);
    ts::tx_batch& out = f.stack->output(0);
    if (out.count != k_burst) state.SkipWithError("not every echo was answered");
    rte_pktmbuf_free_bulk(out.pkts, out.count);
    out.clear();
  }
  state.SetItemsProcessed(state.iterations() * k_burst);
  state.counters["ns_per_echo"] = benchmark::Counter(
      k_burst, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_echo_burst);

void BM_burst_overhead(benchmark::State& state) {
  fixture& f = get();
  rte_mbuf* pkts[k_burst];
  for (auto _ : state) {
    f.fill(pkts);
    benchmark::DoNotOptimize(pkts[0]);
    rte_pktmbuf_free_bulk(pkts, k_burst);
  }
  state.SetItemsProcessed(state.iterations() * k_burst);
  state.counters["ns_per_packet"] = benchmark::Counter(
      k_burst, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_burst_overhead);

}  // namespace

BENCHMARK_MAIN();
