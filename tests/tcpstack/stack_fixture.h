// Shared set-up for the stack tests: one EAL and mbuf pool per process, a stack with two
// interfaces, helpers to feed frames and collect what comes out, counter-delta checks and
// the mbuf leak check after every test.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

#include "packet_builder.h"
#include "ravelin/tcpstack/stack.h"

namespace ravelin::test {

namespace ts = ravelin::tcpstack;

// Port 0: 198.18.0.1/24 with gateway 198.18.0.254. Port 1: 198.18.1.1/24, no gateway.
inline const rte_ether_addr k_our_mac0 = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
inline const rte_ether_addr k_our_mac1 = {{0x02, 0x00, 0x00, 0x00, 0x01, 0x01}};
inline const rte_ether_addr k_peer_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x99}};
inline const rte_ether_addr k_gateway_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0xfe}};
constexpr uint32_t k_our_ip0 = ipv4_addr(198, 18, 0, 1);
constexpr uint32_t k_our_ip1 = ipv4_addr(198, 18, 1, 1);
constexpr uint32_t k_peer_ip = ipv4_addr(198, 18, 0, 2);
constexpr uint32_t k_gateway_ip = ipv4_addr(198, 18, 0, 254);

rte_mempool* test_pool();  // shared, created on first use (initialises the EAL)

using counter_deltas = std::vector<std::pair<ts::counter, uint64_t>>;

class stack_test : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Rebuilds the stack with other interfaces or limits (the old one is drained first).
  void make_stack(std::vector<ts::interface_addr> interfaces, const ts::stack_limits& limits);
  static std::vector<ts::interface_addr> default_interfaces();

  // Feeds one frame (as an mbuf chain of `segment_size` segments when non-zero).
  void feed(const bytes& frame, uint16_t port = 0, uint16_t segment_size = 0,
            uint64_t ol_flags = 0);
  // Takes everything the stack queued on `port`, as bytes, freeing the mbufs.
  std::vector<bytes> drain(uint16_t port = 0);
  // An IPv4 packet (data starting at the IPv4 header) for send_ipv4.
  rte_mbuf* ipv4_packet(uint32_t src, uint32_t dst, const bytes& payload = {1, 2, 3, 4});

  // Every counter moved by exactly the listed amount since `snapshot()`, the others not at all.
  void snapshot() { before_ = stack_->counters(); }
  void expect_deltas(const counter_deltas& expected) const;

  std::unique_ptr<ts::stack> stack_;
  ts::counter_set before_{};
  unsigned pool_start_ = 0;
  uint64_t now_ns_ = 1'000'000'000;
};

eth_fields to_us(uint16_t ether_type = 0x0800);  // peer -> our port-0 MAC
ipv4_fields peer_to_us(uint8_t protocol = 1);    // 198.18.0.2 -> 198.18.0.1

}  // namespace ravelin::test
