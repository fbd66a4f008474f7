// ARP receive path (RFC 826): answering requests for our addresses, refusing the rest.
#include "golden.h"

namespace ravelin::test {
namespace {

using ts::counter;

arp_fields request_for(uint32_t target) {
  arp_fields a;
  a.op = 1;
  a.sha = k_peer_mac;
  a.spa = k_peer_ip;
  a.tpa = target;
  return a;
}

const eth_fields k_bcast_from_peer = {k_broadcast_mac, k_peer_mac, 0x0806};

bytes request_with(void (*corrupt)(arp_fields&)) {
  arp_fields a = request_for(k_our_ip0);
  corrupt(a);
  return build_arp(k_bcast_from_peer, a);
}

const counter_deltas k_malformed = {{counter::eth_rx_packets, 1}, {counter::arp_rx_malformed, 1}};

std::vector<golden_case> arp_cases() {
  arp_fields reply0;
  reply0.op = 2;
  reply0.sha = k_our_mac0;
  reply0.spa = k_our_ip0;
  reply0.tha = k_peer_mac;
  reply0.tpa = k_peer_ip;
  arp_fields reply1 = reply0;
  reply1.sha = k_our_mac1;
  reply1.spa = k_our_ip1;
  arp_fields peer_reply = request_for(k_our_ip0);
  peer_reply.op = 2;
  peer_reply.tha = k_our_mac0;
  bytes short_arp = build_arp(k_bcast_from_peer, request_for(k_our_ip0));
  short_arp.resize(14 + 27);

  return {
      {"request_for_us_gets_exact_reply",
       build_arp(k_bcast_from_peer, request_for(k_our_ip0)),
       {build_arp({k_peer_mac, k_our_mac0, 0x0806}, reply0)},
       {},
       {{counter::eth_rx_packets, 1}, {counter::arp_rx_requests, 1}, {counter::arp_tx_replies, 1}}},
      {"unicast_request_for_us_gets_reply",
       build_arp({k_our_mac0, k_peer_mac, 0x0806}, request_for(k_our_ip0)),
       {build_arp({k_peer_mac, k_our_mac0, 0x0806}, reply0)},
       {},
       {{counter::eth_rx_packets, 1}, {counter::arp_rx_requests, 1}, {counter::arp_tx_replies, 1}}},
      {"request_on_port1_answered_with_port1_mac",
       build_arp(k_bcast_from_peer, request_for(k_our_ip1)),
       {},
       {build_arp({k_peer_mac, k_our_mac1, 0x0806}, reply1)},
       {{counter::eth_rx_packets, 1}, {counter::arp_rx_requests, 1}, {counter::arp_tx_replies, 1}},
       1},
      {"request_for_other_address_ignored",
       build_arp(k_bcast_from_peer, request_for(ipv4_addr(198, 18, 0, 77))),
       {},
       {},
       {{counter::eth_rx_packets, 1}, {counter::arp_rx_not_for_us, 1}}},
      {"request_for_address_of_other_port_ignored",
       build_arp(k_bcast_from_peer, request_for(k_our_ip1)),
       {},
       {},
       {{counter::eth_rx_packets, 1}, {counter::arp_rx_not_for_us, 1}}},
      {"reply_to_us_consumed",
       build_arp({k_our_mac0, k_peer_mac, 0x0806}, peer_reply),
       {},
       {},
       {{counter::eth_rx_packets, 1}, {counter::arp_rx_replies, 1}}},
      {"bad_hardware_type", request_with([](arp_fields& a) { a.htype = 6; }), {}, {}, k_malformed},
      {"bad_protocol_type",
       request_with([](arp_fields& a) { a.ptype = 0x86dd; }),
       {},
       {},
       k_malformed},
      {"bad_hardware_length", request_with([](arp_fields& a) { a.hlen = 8; }), {}, {}, k_malformed},
      {"bad_protocol_length",
       request_with([](arp_fields& a) { a.plen = 16; }),
       {},
       {},
       k_malformed},
      {"unknown_opcode", request_with([](arp_fields& a) { a.op = 3; }), {}, {}, k_malformed},
      {"truncated", short_arp, {}, {}, k_malformed},
  };
}

class arp_rx_golden : public golden_test {};
TEST_P(arp_rx_golden, frame) { run_case(); }
INSTANTIATE_TEST_SUITE_P(arp, arp_rx_golden, ::testing::ValuesIn(arp_cases()), case_name);

}  // namespace
}  // namespace ravelin::test
