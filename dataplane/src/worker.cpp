#include "worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

namespace ravelin::dataplane {
namespace {

constexpr uint16_t k_burst = 32;

// Converts TSC ticks to nanoseconds with one multiply and shift: ns = tsc * mult >> 32.
class tsc_clock {
 public:
  tsc_clock()
      : mult_((static_cast<unsigned __int128>(1'000'000'000ULL) << 32) / rte_get_tsc_hz()) {}
  uint64_t to_ns(uint64_t tsc) const {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(tsc) * mult_) >> 32);
  }

 private:
  unsigned __int128 mult_;
};

// Returns the packets the stack had queued for the port (sent or dropped).
uint32_t flush_port(worker_context& w, uint16_t port_id) {
  tcpstack::tx_batch& batch = w.stack->output(port_id);
  if (batch.count == 0) return 0;
  const uint32_t queued = batch.count;
  const int32_t q = port_id < w.tx_queue_of_port.size() ? w.tx_queue_of_port[port_id] : -1;
  uint16_t sent = 0;
  const uint64_t start = rte_rdtsc();
  if (q >= 0) sent = rte_eth_tx_burst(port_id, static_cast<uint16_t>(q), batch.pkts, batch.count);
  // On net_af_packet each burst is a sendto() whose kernel path (veth, the peer's receive)
  // runs on this core; benchmarks report it apart from the proxy's own work.
  w.counters.add(counter::port_tx_cycles, rte_rdtsc() - start);
  if (sent < batch.count) {
    rte_pktmbuf_free_bulk(batch.pkts + sent, batch.count - sent);
    w.counters.add(counter::port_tx_dropped, batch.count - sent);
  }
  w.counters.add(counter::port_tx_packets, sent);
  batch.clear();
  return queued;
}

// Frames other workers passed here: fed to the stack in runs of the same port.
uint32_t drain_inbox(worker_context& w, rte_mbuf** pkts, uint64_t now_ns) {
  const unsigned n =
      rte_ring_sc_dequeue_burst(w.dispatch.inbox, reinterpret_cast<void**>(pkts), k_burst, nullptr);
  unsigned start = 0;
  for (unsigned i = 1; i <= n; ++i) {
    if (i == n || pkts[i]->port != pkts[start]->port) {
      w.stack->input(pkts[start]->port, pkts + start, static_cast<uint16_t>(i - start), now_ns);
      start = i;
    }
  }
  return n;
}

}  // namespace

int worker_main(void* arg) {
  auto& w = *static_cast<worker_context*>(arg);
  const tsc_clock clock;
  rte_mbuf* pkts[k_burst];

  while (!w.stop->load(std::memory_order_relaxed)) {
    const uint64_t start = rte_rdtsc();
    const uint64_t now_ns = clock.to_ns(start);
    uint32_t handled = 0;
    if (w.proxy) w.proxy->set_now(now_ns);
    for (const auto& rx : w.rx) {
      const uint16_t n = rte_eth_rx_burst(rx.port_id, rx.queue, pkts, k_burst);
      if (n == 0) continue;
      w.counters.add(counter::port_rx_packets, n);
      handled += n;
      const uint16_t mine = w.dispatch.active() ? w.dispatch.steer(pkts, n, w.counters) : n;
      if (mine != 0) w.stack->input(rx.port_id, pkts, mine, now_ns);
    }
    if (w.dispatch.active()) handled += drain_inbox(w, pkts, now_ns);
    // Proxy timeouts and health probes, then TCP timers and deferred output; cheap when
    // nothing is due.
    if (w.proxy) handled += w.proxy->poll(now_ns);
    w.stack->poll(now_ns);
    // An iteration that only transmits (a retransmission, a resumed send) is work too.
    for (uint16_t port_id = 0; port_id < w.tx_queue_of_port.size(); ++port_id) {
      handled += flush_port(w, port_id);
    }
    w.counters.add(counter::loop_polls);
    if (handled != 0) {
      w.counters.add(counter::busy_polls);
      w.counters.add(counter::busy_cycles, rte_rdtsc() - start);
    }
  }
  return 0;
}

}  // namespace ravelin::dataplane
