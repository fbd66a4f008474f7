// Construction, the burst loop and timers of one lcore's stack.
#include <algorithm>

#include <rte_prefetch.h>

#include "internal/stack_impl.h"
#include "internal/tcp_engine.h"
#include "internal/wire.h"

namespace ravelin::tcpstack {

stack::impl::impl(std::span<const interface_addr> interfaces, const stack_limits& limits,
                  rte_mempool* pool, counter_set& counters)
    : interfaces_(interfaces.begin(), interfaces.end()),
      batches_(std::make_unique<tx_batch[]>(RTE_MAX_ETHPORTS)),
      arp_(limits.arp_cache_entries),
      limits_(limits),
      pool_(pool),
      counters_(counters) {
  for (auto& i : interfaces_) {
    i.prefix_length = std::min<uint8_t>(i.prefix_length, 32);
    if (i.port_id >= RTE_MAX_ETHPORTS) continue;  // unusable; never matches a frame
    port_info& p = ports_[i.port_id];
    if (!p.configured) p = {true, i.mac};
  }
  tcp_ = std::make_unique<internal::tcp_engine>(*this, limits, pool, counters);
}

stack::impl::~impl() {
  tcp_.reset();  // frees its queues; sends nothing
  for (uint32_t i = 0; i < arp_.capacity(); ++i) rte_pktmbuf_free(arp_.entry(i).held);
  for (uint32_t p = 0; p < RTE_MAX_ETHPORTS; ++p) {
    rte_pktmbuf_free_bulk(batches_[p].pkts, batches_[p].count);
  }
}

bool stack::impl::emit(uint16_t port_id, rte_mbuf* m) {
  // Port ids come from our own interfaces or the caller's rx port, so the first test only
  // guards against a caller bug.
  if (port_id >= RTE_MAX_ETHPORTS || batches_[port_id].count == tx_batch::k_capacity) [[unlikely]] {
    drop(m, counter::tx_batch_full);
    return false;
  }
  tx_batch& b = batches_[port_id];
  b.pkts[b.count++] = m;
  return true;
}

stack::stack(std::span<const interface_addr> interfaces, const stack_limits& limits,
             rte_mempool* pool)
    : impl_(nullptr), tcp_(nullptr) {
  impl_ = new impl(interfaces, limits, pool, counters_);
  tcp_ = tcp_endpoint(impl_->tcp_.get());
}

stack::~stack() { delete impl_; }

void stack::input(uint16_t port_id, rte_mbuf** pkts, uint16_t n, uint64_t now_ns) {
  impl_->tcp_->advance_clock(now_ns);
  impl_->tcp_->resume_pending();
  // One packet ahead is enough to hide the miss on the headers (DPDK l3fwd does the same).
  if (n > 0) rte_prefetch0(rte_pktmbuf_mtod(pkts[0], void*));
  for (uint16_t i = 0; i < n; ++i) {
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void*));
    impl_->eth_input(port_id, pkts[i], now_ns);
  }
}

bool stack::send_ipv4(rte_mbuf* m, uint64_t now_ns) { return impl_->ipv4_send(m, now_ns); }

void stack::poll(uint64_t now_ns) {
  impl_->arp_poll(now_ns);
  impl_->tcp_->poll(now_ns);
}

void stack::set_port_offloads(uint16_t port_id, const hw::port_capabilities& caps) {
  if (port_id >= RTE_MAX_ETHPORTS) return;
  impl_->ports_[port_id].tx_ipv4_cksum = caps.tx_ipv4_cksum;
  impl_->ports_[port_id].tx_tcp_cksum = caps.tx_tcp_cksum;
  impl_->ports_[port_id].tso =
      impl_->limits_.tcp_tso && caps.tso && caps.tx_tcp_cksum && caps.tx_ipv4_cksum;
}

uint32_t stack::held_mbufs() const {
  uint32_t n = 0;
  for (uint32_t i = 0; i < impl_->arp_.capacity(); ++i) {
    if (const rte_mbuf* m = impl_->arp_.entry(i).held) n += m->nb_segs;
  }
  return n + impl_->tcp_->held_mbufs();
}

tx_batch& stack::output(uint16_t port_id) {
  if (port_id >= RTE_MAX_ETHPORTS) [[unlikely]]
    return impl_->spare_batch_;
  return impl_->batches_[port_id];
}

}  // namespace ravelin::tcpstack
