// Next-hop resolution on transmit: routing, ARP requests, the held packet, retries, expiry
// and the bounded cache, all on the injected clock.
#include "echo_helpers.h"
#include "stack_fixture.h"

namespace ravelin::test {
namespace {

using ts::counter;

constexpr uint64_t k_retry = 1'000'000'000;
constexpr uint64_t k_reachable = 60'000'000'000;

bytes arp_request_for(uint32_t target, const rte_ether_addr& mac = k_our_mac0,
                      uint32_t ip = k_our_ip0) {
  arp_fields a;
  a.sha = mac;
  a.spa = ip;
  a.tpa = target;
  return build_arp({k_broadcast_mac, mac, 0x0806}, a);
}

bytes arp_reply_from(const rte_ether_addr& mac, uint32_t ip) {
  arp_fields a;
  a.op = 2;
  a.sha = mac;
  a.spa = ip;
  a.tha = k_our_mac0;
  a.tpa = k_our_ip0;
  return build_arp({k_our_mac0, mac, 0x0806}, a);
}

// A request from `ip` asking for our port-0 address: teaches us `ip` (RFC 826 merge).
bytes arp_request_from(const rte_ether_addr& mac, uint32_t ip, uint32_t target = k_our_ip0) {
  arp_fields a;
  a.sha = mac;
  a.spa = ip;
  a.tpa = target;
  return build_arp({k_broadcast_mac, mac, 0x0806}, a);
}

// What send_ipv4(ipv4_packet(src, dst, payload)) must look like on the wire.
bytes sent_frame(const rte_ether_addr& dst_mac, uint32_t src, uint32_t dst,
                 const bytes& payload = {1, 2, 3, 4}, const rte_ether_addr& src_mac = k_our_mac0) {
  ipv4_fields ip;
  ip.src = src;
  ip.dst = dst;
  ip.protocol = 17;
  return build_ipv4({dst_mac, src_mac, 0x0800}, ip, payload);
}

rte_ether_addr host_mac(uint8_t n) { return mac_addr(2, 0, 0, 0, 1, n); }
uint32_t host_ip(uint8_t n) { return ipv4_addr(198, 18, 0, n); }

TEST_F(stack_test, unresolved_neighbour_is_requested_and_packet_released_on_reply) {
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), now_ns_));
  EXPECT_EQ(drain(0), std::vector<bytes>{arp_request_for(k_peer_ip)});
  feed(arp_reply_from(k_peer_mac, k_peer_ip));
  EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(k_peer_mac, k_our_ip0, k_peer_ip)});
  // Resolved: the next packet goes straight out.
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip, {9}), now_ns_));
  EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(k_peer_mac, k_our_ip0, k_peer_ip, {9})});
  expect_deltas(
      {{counter::arp_tx_requests, 1}, {counter::eth_rx_packets, 1}, {counter::arp_rx_replies, 1}});
}

TEST_F(stack_test, request_from_the_neighbour_also_resolves_it) {
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), now_ns_));
  drain(0);
  feed(arp_request_from(k_peer_mac, k_peer_ip));
  const auto out = drain(0);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], sent_frame(k_peer_mac, k_our_ip0, k_peer_ip));
  EXPECT_EQ(read16(out[1], 20), 2) << "second frame is our ARP reply";
}

TEST_F(stack_test, newer_packet_replaces_the_held_one) {
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip, {1}), now_ns_));
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip, {2}), now_ns_));
  EXPECT_EQ(drain(0).size(), 1u) << "one ARP request, not two";
  feed(arp_reply_from(k_peer_mac, k_peer_ip));
  EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(k_peer_mac, k_our_ip0, k_peer_ip, {2})});
  expect_deltas({{counter::arp_tx_requests, 1},
                 {counter::arp_hold_replaced, 1},
                 {counter::eth_rx_packets, 1},
                 {counter::arp_rx_replies, 1}});
}

TEST_F(stack_test, retries_every_interval_then_fails) {
  const uint64_t t0 = now_ns_;
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), t0));
  EXPECT_EQ(drain(0).size(), 1u);
  stack_->poll(t0 + k_retry - 1);
  EXPECT_TRUE(drain(0).empty()) << "no retry before the interval";
  for (uint64_t i = 1; i <= 3; ++i) {  // stack_limits default: 3 retries
    stack_->poll(t0 + i * k_retry);
    EXPECT_EQ(drain(0), std::vector<bytes>{arp_request_for(k_peer_ip)}) << "retry " << i;
  }
  stack_->poll(t0 + 4 * k_retry);
  EXPECT_TRUE(drain(0).empty());
  expect_deltas({{counter::arp_tx_requests, 4}, {counter::arp_resolve_failed, 1}});
  // A later packet starts over.
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), t0 + 5 * k_retry));
  EXPECT_EQ(drain(0), std::vector<bytes>{arp_request_for(k_peer_ip)});
}

// A unicast request for `ip`, sent straight to the address being verified.
bytes arp_probe_for(uint32_t ip, const rte_ether_addr& mac) {
  arp_fields a;
  a.sha = k_our_mac0;
  a.spa = k_our_ip0;
  a.tpa = ip;
  return build_arp({mac, k_our_mac0, 0x0806}, a);
}

TEST_F(stack_test, expired_entry_in_use_keeps_sending_while_a_unicast_probe_verifies_it) {
  feed(arp_reply_from(k_peer_mac, k_peer_ip));
  const uint64_t t0 = now_ns_;
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), t0 + k_reachable - 1));
  EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(k_peer_mac, k_our_ip0, k_peer_ip)});
  stack_->poll(t0 + k_reachable);
  EXPECT_TRUE(drain(0).empty()) << "an expired entry is not forgotten at once";
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), t0 + k_reachable));
  EXPECT_EQ(drain(0), (std::vector<bytes>{arp_probe_for(k_peer_ip, k_peer_mac),
                                          sent_frame(k_peer_mac, k_our_ip0, k_peer_ip)}))
      << "no packet is held: a busy neighbour loses nothing to its expiry";
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip, {5}), t0 + k_reachable + 1));
  EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(k_peer_mac, k_our_ip0, k_peer_ip, {5})})
      << "one probe at a time";
  // The answer makes it reachable for another period: no probe until then.
  now_ns_ = t0 + k_reachable + 2;
  feed(arp_reply_from(k_peer_mac, k_peer_ip));
  stack_->poll(t0 + k_reachable + 2 * k_retry);
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), t0 + 2 * k_reachable));
  EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(k_peer_mac, k_our_ip0, k_peer_ip)});
  expect_deltas({{counter::arp_tx_requests, 1},
                 {counter::eth_rx_packets, 2},
                 {counter::arp_rx_replies, 2}});
}

TEST_F(stack_test, unanswered_probes_forget_the_neighbour) {
  feed(arp_reply_from(k_peer_mac, k_peer_ip));
  const uint64_t t1 = now_ns_ + k_reachable;
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), t1));
  EXPECT_EQ(drain(0).size(), 2u);
  for (uint64_t i = 1; i <= 3; ++i) {  // stack_limits default: 3 retries
    stack_->poll(t1 + i * k_retry);
    EXPECT_EQ(drain(0), std::vector<bytes>{arp_probe_for(k_peer_ip, k_peer_mac)}) << i;
  }
  stack_->poll(t1 + 4 * k_retry);
  EXPECT_TRUE(drain(0).empty());
  // Forgotten: the next packet waits for a broadcast resolution.
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), t1 + 4 * k_retry));
  EXPECT_EQ(drain(0), std::vector<bytes>{arp_request_for(k_peer_ip)});
  expect_deltas({{counter::arp_tx_requests, 5},
                 {counter::arp_probe_failed, 1},
                 {counter::eth_rx_packets, 1},
                 {counter::arp_rx_replies, 1}});
}

TEST_F(stack_test, idle_expired_entry_is_swept_after_another_period) {
  feed(arp_reply_from(k_peer_mac, k_peer_ip));
  const uint64_t t0 = now_ns_;
  stack_->poll(t0 + 2 * k_reachable);
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), t0 + 2 * k_reachable));
  EXPECT_EQ(drain(0), std::vector<bytes>{arp_request_for(k_peer_ip)}) << "held, broadcast";
}

TEST_F(stack_test, full_cache_evicts_least_recently_used) {
  ts::stack_limits limits;
  limits.arp_cache_entries = 4;
  make_stack(default_interfaces(), limits);
  for (uint8_t n = 10; n < 14; ++n) feed(arp_request_from(host_mac(n), host_ip(n)));
  drain(0);
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, host_ip(10)), now_ns_));  // 10 is now MRU
  drain(0);
  expect_deltas(
      {{counter::eth_rx_packets, 4}, {counter::arp_rx_requests, 4}, {counter::arp_tx_replies, 4}});
  feed(arp_request_from(host_mac(14), host_ip(14)));  // evicts 11
  drain(0);
  EXPECT_EQ(stack_->counters().get(counter::arp_cache_full), 1u);
  for (uint8_t n : {10, 12, 13, 14}) {
    ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, host_ip(n)), now_ns_));
    EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(host_mac(n), k_our_ip0, host_ip(n))})
        << "host " << int{n};
  }
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, host_ip(11)), now_ns_));
  EXPECT_EQ(drain(0), std::vector<bytes>{arp_request_for(host_ip(11))});
  EXPECT_EQ(stack_->counters().get(counter::arp_cache_full), 2u);
  EXPECT_EQ(stack_->counters().get(counter::arp_tx_requests), 1u);
}

TEST_F(stack_test, full_cache_of_unresolved_entries_drops_the_oldest_held_packet) {
  ts::stack_limits limits;
  limits.arp_cache_entries = 2;
  make_stack(default_interfaces(), limits);
  for (uint8_t n = 20; n < 23; ++n) {
    ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, host_ip(n)), now_ns_));
  }
  EXPECT_EQ(drain(0).size(), 3u);
  expect_deltas({{counter::arp_tx_requests, 3},
                 {counter::arp_cache_full, 1},
                 {counter::arp_resolve_failed, 1}});
}

TEST_F(stack_test, off_link_goes_through_the_gateway) {
  const uint32_t far = ipv4_addr(198, 19, 5, 5);
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, far), now_ns_));
  EXPECT_EQ(drain(0), std::vector<bytes>{arp_request_for(k_gateway_ip)});
  feed(arp_reply_from(k_gateway_mac, k_gateway_ip));
  EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(k_gateway_mac, k_our_ip0, far)});
}

TEST_F(stack_test, off_link_without_gateway_has_no_route) {
  make_stack({{1, k_our_mac1, k_our_ip1, 24, 0}}, ts::stack_limits{});
  EXPECT_FALSE(stack_->send_ipv4(ipv4_packet(k_our_ip1, ipv4_addr(198, 19, 5, 5)), now_ns_));
  expect_deltas({{counter::ipv4_tx_no_route, 1}});
}

TEST_F(stack_test, on_link_of_second_port_resolves_there) {
  const uint32_t host = ipv4_addr(198, 18, 1, 7);
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip1, host), now_ns_));
  EXPECT_TRUE(drain(0).empty());
  EXPECT_EQ(drain(1), std::vector<bytes>{arp_request_for(host, k_our_mac1, k_our_ip1)});
}

TEST_F(stack_test, subnet_broadcast_needs_no_arp) {
  const uint32_t bcast = ipv4_addr(198, 18, 0, 255);
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, bcast), now_ns_));
  EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(k_broadcast_mac, k_our_ip0, bcast)});
  expect_deltas({});
}

TEST_F(stack_test, arp_merge_rule) {
  // Not addressed to us and sender unknown: not learned (RFC 826 inserts only when we are
  // the target).
  feed(arp_request_from(host_mac(30), host_ip(30), ipv4_addr(198, 18, 0, 77)));
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, host_ip(30)), now_ns_));
  EXPECT_EQ(drain(0), std::vector<bytes>{arp_request_for(host_ip(30))});
  // A known neighbour's gratuitous ARP (sender == target) updates its address.
  feed(arp_reply_from(k_peer_mac, k_peer_ip));
  const rte_ether_addr moved = mac_addr(2, 0, 0, 0, 0, 0x77);
  feed(arp_request_from(moved, k_peer_ip, k_peer_ip));
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), now_ns_));
  EXPECT_EQ(drain(0), std::vector<bytes>{sent_frame(moved, k_our_ip0, k_peer_ip)});
}

TEST_F(stack_test, empty_pool_counts_and_retries_later) {
  rte_mempool* tiny =
      rte_pktmbuf_pool_create("tcpstack_tiny", 2, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  ASSERT_NE(tiny, nullptr);
  rte_mbuf* hog[2] = {rte_pktmbuf_alloc(tiny), rte_pktmbuf_alloc(tiny)};
  drain(0);
  drain(1);
  stack_ = std::make_unique<ts::stack>(default_interfaces(), ts::stack_limits{}, tiny);
  snapshot();
  ASSERT_TRUE(stack_->send_ipv4(ipv4_packet(k_our_ip0, k_peer_ip), now_ns_));
  EXPECT_TRUE(drain(0).empty());
  expect_deltas({{counter::mbuf_alloc_failed, 1}});
  rte_pktmbuf_free_bulk(hog, 2);
  stack_->poll(now_ns_ + k_retry);
  EXPECT_EQ(drain(0), std::vector<bytes>{arp_request_for(k_peer_ip)});
  feed(arp_reply_from(k_peer_mac, k_peer_ip));
  EXPECT_EQ(drain(0).size(), 1u);
  stack_.reset();
  EXPECT_EQ(rte_mempool_avail_count(tiny), 2u);
  rte_mempool_free(tiny);
  make_stack(default_interfaces(), ts::stack_limits{});
}

TEST_F(stack_test, no_headroom_and_short_packets_are_refused) {
  rte_mbuf* m = rte_pktmbuf_alloc(test_pool());
  m->data_off = 0;
  std::fill_n(rte_pktmbuf_mtod(m, uint8_t*), 24, 0);
  rte_pktmbuf_append(m, 24);
  EXPECT_FALSE(stack_->send_ipv4(m, now_ns_));
  rte_mbuf* runt = rte_pktmbuf_alloc(test_pool());
  rte_pktmbuf_append(runt, 10);
  EXPECT_FALSE(stack_->send_ipv4(runt, now_ns_));
  expect_deltas({{counter::tx_no_headroom, 1}, {counter::ipv4_tx_invalid, 1}});
}

TEST_F(stack_test, full_tx_batch_frees_and_counts) {
  constexpr uint16_t k_n = ts::tx_batch::k_capacity + 6;
  std::vector<rte_mbuf*> burst;
  for (uint16_t i = 0; i < k_n; ++i) burst.push_back(to_mbuf(test_pool(), request(echo{})));
  stack_->input(0, burst.data(), k_n, now_ns_);
  EXPECT_EQ(stack_->output(0).count, ts::tx_batch::k_capacity);
  EXPECT_EQ(stack_->counters().get(counter::tx_batch_full), 6u);
  EXPECT_EQ(stack_->counters().get(counter::icmp_tx_echo_replies), ts::tx_batch::k_capacity);
}

}  // namespace
}  // namespace ravelin::test
