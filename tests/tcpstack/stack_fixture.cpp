#include "stack_fixture.h"

#include <rte_errno.h>
#include <rte_mempool.h>

#include <cstring>

#include "eal_env.h"

namespace ravelin::test {

rte_mempool* test_pool() {
  static rte_mempool* pool = [] {
    init_eal();
    // No per-lcore cache: the available count is then exact, for the leak checks.
    return rte_pktmbuf_pool_create("tcpstack_test", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                   SOCKET_ID_ANY);
  }();
  return pool;
}

std::vector<ts::interface_addr> stack_test::default_interfaces() {
  return {{0, k_our_mac0, k_our_ip0, 24, k_gateway_ip}, {1, k_our_mac1, k_our_ip1, 24, 0}};
}

void stack_test::SetUp() {
  ASSERT_NE(test_pool(), nullptr) << rte_strerror(rte_errno);
  pool_start_ = rte_mempool_avail_count(test_pool());
  make_stack(default_interfaces(), ts::stack_limits{});
}

void stack_test::TearDown() {
  drain(0);
  drain(1);
  stack_.reset();  // frees held packets
  EXPECT_EQ(rte_mempool_avail_count(test_pool()), pool_start_) << "mbuf leak";
}

void stack_test::make_stack(std::vector<ts::interface_addr> interfaces,
                            const ts::stack_limits& limits) {
  if (stack_) {
    drain(0);
    drain(1);
  }
  stack_ = std::make_unique<ts::stack>(interfaces, limits, test_pool());
  snapshot();
}

void stack_test::feed(const bytes& frame, uint16_t port, uint16_t segment_size, uint64_t ol_flags) {
  rte_mbuf* m = to_mbuf(test_pool(), frame, segment_size);
  ASSERT_NE(m, nullptr);
  m->ol_flags |= ol_flags;
  stack_->input(port, &m, 1, now_ns_);
}

std::vector<bytes> stack_test::drain(uint16_t port) {
  std::vector<bytes> out;
  ts::tx_batch& b = stack_->output(port);
  for (uint16_t i = 0; i < b.count; ++i) {
    out.push_back(to_bytes(b.pkts[i]));
    rte_pktmbuf_free(b.pkts[i]);
  }
  b.clear();
  return out;
}

rte_mbuf* stack_test::ipv4_packet(uint32_t src, uint32_t dst, const bytes& payload) {
  ipv4_fields ip;
  ip.src = src;
  ip.dst = dst;
  ip.protocol = 17;
  bytes frame = build_ipv4({}, ip, payload);
  frame.erase(frame.begin(), frame.begin() + 14);  // the stack adds the Ethernet header
  return to_mbuf(test_pool(), frame);
}

void stack_test::expect_deltas(const counter_deltas& expected) const {
  const ts::counter_set& now = stack_->counters();
  for (std::size_t i = 0; i < ts::k_counter_count; ++i) {
    const auto c = static_cast<ts::counter>(i);
    uint64_t want = 0;
    for (const auto& [ec, n] : expected) {
      if (ec == c) want = n;
    }
    EXPECT_EQ(now.get(c) - before_.get(c), want) << "counter " << ts::k_counter_table[i].name;
  }
}

eth_fields to_us(uint16_t ether_type) { return {k_our_mac0, k_peer_mac, ether_type}; }

ipv4_fields peer_to_us(uint8_t protocol) {
  ipv4_fields ip;
  ip.src = k_peer_ip;
  ip.dst = k_our_ip0;
  ip.protocol = protocol;
  return ip;
}

}  // namespace ravelin::test
