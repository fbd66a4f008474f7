// IPv4 receive validation (RFC 791, RFC 1122 §3.2.1) and ICMP echo (RFC 792) as golden
// frame-in / frame-out cases.
#include "echo_helpers.h"
#include "golden.h"

namespace ravelin::test {
namespace {

using ts::counter;

const counter_deltas k_echoed = {{counter::eth_rx_packets, 1},
                                 {counter::ipv4_rx_packets, 1},
                                 {counter::icmp_rx_echo_requests, 1},
                                 {counter::icmp_tx_echo_replies, 1}};

counter_deltas ip_drop(counter c) {
  return {{counter::eth_rx_packets, 1}, {counter::ipv4_rx_packets, 1}, {c, 1}};
}
counter_deltas eth_drop(counter c) { return {{counter::eth_rx_packets, 1}, {c, 1}}; }

golden_case dropped(std::string name, const echo& e, counter_deltas d) {
  return {std::move(name), request(e), {}, {}, std::move(d)};
}
golden_case echoed(std::string name, const echo& e) {
  return {std::move(name), request(e), {reply(e)}, {}, k_echoed};
}

bytes cut(bytes b, std::size_t len) {
  b.resize(len);
  return b;
}

std::vector<golden_case> ipv4_cases() {
  const echo plain;
  const echo with_options = echo_with([](echo& e) {
    e.ip.options = {7, 7, 4, 0, 0, 0, 0, 1};  // record route with one empty slot, then NOP
  });
  const echo bare = echo_with([](echo& e) {  // all-zero reply: its checksum must be 0xffff
    e.icmp.id = 0;
    e.icmp.seq = 0;
    e.icmp.payload.clear();
  });
  const echo to_port1_addr = echo_with([](echo& e) { e.ip.dst = k_our_ip1; });
  echo on_port1 = echo_with([](echo& e) {
    e.eth.dst = k_our_mac1;
    e.ip.dst = k_our_ip1;
    e.ip.src = ipv4_addr(198, 18, 1, 2);
  });
  const echo big = echo_with([](echo& e) { e.icmp.payload.assign(300, 0xa5); });
  const echo tiny = echo_with([](echo& e) { e.icmp.payload = {1, 2, 3, 4}; });
  bytes tiny_junk = request(tiny);
  tiny_junk.resize(200, 0xee);  // trailing bytes beyond total_length, over several segments

  std::vector<golden_case> c = {
      echoed("echo_request_answered", plain),
      echoed("echo_with_df_answered", echo_with([](echo& e) { e.ip.flags_fragment = 0x4000; })),
      echoed("echo_code_nonzero_answered_with_code0", echo_with([](echo& e) { e.icmp.code = 5; })),
      echoed("echo_all_zero_reply_checksum", bare),
      echoed("echo_to_other_interface_address", to_port1_addr),
      {"ip_options_skipped_and_not_echoed",
       request(with_options),
       {reply(with_options)},
       {},
       k_echoed},
      {"ethernet_padding_trimmed", padded(request(tiny)), {reply(tiny)}, {}, k_echoed},
      {"echo_on_port1", request(on_port1), {}, {reply(on_port1, k_our_mac1)}, k_echoed, 1},
      {"multi_segment_echo", request(big), {reply(big)}, {}, k_echoed, 0, 64},
      {"junk_after_total_length_over_segments", tiny_junk, {reply(tiny)}, {}, k_echoed, 0, 50},
      {"hw_checksum_good_trusted",
       request(echo_with([](echo& e) { e.ip.checksum = 0x1234; })),
       {reply(plain)},
       {},
       k_echoed,
       0,
       0,
       RTE_MBUF_F_RX_IP_CKSUM_GOOD},
      {"hw_checksum_bad_dropped",
       request(plain),
       {},
       {},
       ip_drop(counter::ipv4_rx_bad_checksum),
       0,
       0,
       RTE_MBUF_F_RX_IP_CKSUM_BAD},
      dropped("bad_ip_checksum", echo_with([](echo& e) { e.ip.checksum = 0x1234; }),
              ip_drop(counter::ipv4_rx_bad_checksum)),
      {"ipv4_header_truncated",
       cut(request(plain), 14 + 12),
       {},
       {},
       ip_drop(counter::ipv4_rx_truncated)},
      {"ipv4_header_split_over_segments",
       request(plain),
       {},
       {},
       ip_drop(counter::ipv4_rx_truncated),
       0,
       20},
      dropped("total_length_beyond_frame", echo_with([](echo& e) { e.ip.total_length = 400; }),
              ip_drop(counter::ipv4_rx_truncated)),
      dropped("total_length_below_header", echo_with([](echo& e) { e.ip.total_length = 16; }),
              ip_drop(counter::ipv4_rx_truncated)),
      dropped("ihl_beyond_frame", echo_with([](echo& e) {
                e.ip.ihl = 15;
                e.icmp.payload.clear();
              }),
              ip_drop(counter::ipv4_rx_truncated)),
      dropped("bad_version", echo_with([](echo& e) { e.ip.version = 6; }),
              ip_drop(counter::ipv4_rx_bad_version)),
      dropped("ihl_below_5", echo_with([](echo& e) { e.ip.ihl = 4; }),
              ip_drop(counter::ipv4_rx_bad_header_length)),
      dropped("ttl_zero", echo_with([](echo& e) { e.ip.ttl = 0; }),
              ip_drop(counter::ipv4_rx_ttl_expired)),
      dropped("more_fragments", echo_with([](echo& e) { e.ip.flags_fragment = 0x2000; }),
              ip_drop(counter::ipv4_rx_fragment)),
      dropped("fragment_offset", echo_with([](echo& e) { e.ip.flags_fragment = 0x0010; }),
              ip_drop(counter::ipv4_rx_fragment)),
      dropped("dst_not_ours", echo_with([](echo& e) { e.ip.dst = ipv4_addr(198, 18, 0, 77); }),
              ip_drop(counter::ipv4_rx_not_for_us)),
      dropped("unicast_ip_in_link_broadcast",
              echo_with([](echo& e) { e.eth.dst = k_broadcast_mac; }),
              ip_drop(counter::ipv4_rx_not_for_us)),
      dropped("source_loopback", echo_with([](echo& e) { e.ip.src = ipv4_addr(127, 0, 0, 1); }),
              ip_drop(counter::ipv4_rx_bad_source)),
      dropped("source_multicast", echo_with([](echo& e) { e.ip.src = ipv4_addr(224, 0, 0, 5); }),
              ip_drop(counter::ipv4_rx_bad_source)),
      dropped("source_zero", echo_with([](echo& e) { e.ip.src = 0; }),
              ip_drop(counter::ipv4_rx_bad_source)),
      dropped("source_limited_broadcast", echo_with([](echo& e) { e.ip.src = 0xffffffff; }),
              ip_drop(counter::ipv4_rx_bad_source)),
      dropped("source_subnet_broadcast",
              echo_with([](echo& e) { e.ip.src = ipv4_addr(198, 18, 0, 255); }),
              ip_drop(counter::ipv4_rx_bad_source)),
      dropped("tcp_handed_to_tcp", echo_with([](echo& e) { e.ip.protocol = 6; }),
              {{counter::eth_rx_packets, 1},
               {counter::ipv4_rx_packets, 1},
               {counter::tcp_rx_segments, 1},
               {counter::tcp_rx_bad_checksum, 1}}),
      dropped("udp_unknown_protocol", echo_with([](echo& e) { e.ip.protocol = 17; }),
              ip_drop(counter::ipv4_rx_unknown_protocol)),
      dropped("bad_icmp_checksum", echo_with([](echo& e) { e.icmp.checksum = 0x4321; }),
              ip_drop(counter::icmp_rx_malformed)),
      {"icmp_truncated",
       build_ipv4(to_us(), peer_to_us(), {8, 0, 0xf7, 0xff}),
       {},
       {},
       ip_drop(counter::icmp_rx_malformed)},
      {"icmp_header_split_over_segments",
       request(plain),
       {},
       {},
       ip_drop(counter::icmp_rx_malformed),
       0,
       38},
      dropped("icmp_timestamp_not_handled", echo_with([](echo& e) { e.icmp.type = 13; }),
              ip_drop(counter::icmp_rx_other)),
      dropped("icmp_echo_reply_not_handled", echo_with([](echo& e) { e.icmp.type = 0; }),
              ip_drop(counter::icmp_rx_other)),
      dropped("frame_to_other_mac",
              echo_with([](echo& e) { e.eth.dst = mac_addr(2, 0, 0, 0, 0, 0x55); }),
              eth_drop(counter::eth_rx_not_for_us)),
      dropped("frame_to_multicast_mac",
              echo_with([](echo& e) { e.eth.dst = mac_addr(1, 0, 0x5e, 0, 0, 1); }),
              eth_drop(counter::eth_rx_not_for_us)),
      {"frame_on_port_without_interface",
       request(plain),
       {},
       {},
       eth_drop(counter::eth_rx_not_for_us),
       5},
      {"runt_frame", cut(request(plain), 10), {}, {}, eth_drop(counter::eth_rx_runt)},
      dropped("ipv6_ethertype", echo_with([](echo& e) { e.eth.ether_type = 0x86dd; }),
              eth_drop(counter::eth_rx_unknown_ethertype)),
      dropped("vlan_tagged", echo_with([](echo& e) { e.eth.ether_type = 0x8100; }),
              eth_drop(counter::eth_rx_unknown_ethertype)),
  };
  for (const uint32_t bcast : {0xffffffffu, ipv4_addr(198, 18, 0, 255)}) {
    echo e;
    e.eth.dst = k_broadcast_mac;
    e.ip.dst = bcast;
    c.push_back(dropped(bcast == 0xffffffffu ? "echo_to_limited_broadcast_ignored"
                                             : "echo_to_subnet_broadcast_ignored",
                        e,
                        {{counter::eth_rx_packets, 1},
                         {counter::ipv4_rx_packets, 1},
                         {counter::icmp_rx_echo_requests, 1},
                         {counter::icmp_rx_echo_broadcast, 1}}));
  }
  return c;
}

class ipv4_rx_golden : public golden_test {};
TEST_P(ipv4_rx_golden, frame) { run_case(); }
INSTANTIATE_TEST_SUITE_P(ipv4, ipv4_rx_golden, ::testing::ValuesIn(ipv4_cases()), case_name);

}  // namespace
}  // namespace ravelin::test
