// An ICMP echo request from the peer to us, and the exact reply the stack must produce.
#pragma once

#include "stack_fixture.h"

namespace ravelin::test {

// 22 bytes of data, an even number so the multi-segment cases split on odd and even offsets.
inline icmp_fields default_echo_icmp() {
  static constexpr char k_data[] = "ravelin!0123456789abcd";
  icmp_fields icmp;
  icmp.seq = 7;
  icmp.payload.assign(k_data, k_data + sizeof(k_data) - 1);
  return icmp;
}

struct echo {
  eth_fields eth = to_us();
  ipv4_fields ip = peer_to_us();
  icmp_fields icmp = default_echo_icmp();
};

inline echo echo_with(void (*change)(echo&)) {
  echo e;
  change(e);
  return e;
}

inline bytes request(const echo& e) { return build_echo(e.eth, e.ip, e.icmp); }

// RFC 792 echo reply: addresses and MACs swapped, type 0 code 0, TTL 64, no IP options,
// identifier, sequence and data unchanged, checksums correct.
inline bytes reply(const echo& e, const rte_ether_addr& our_mac = k_our_mac0) {
  eth_fields eth{e.eth.src, our_mac, 0x0800};
  ipv4_fields ip = e.ip;
  ip.src = e.ip.dst;
  ip.dst = e.ip.src;
  ip.ttl = 64;
  ip.options.clear();
  ip.ihl.reset();
  ip.total_length.reset();
  ip.checksum.reset();
  icmp_fields icmp = e.icmp;
  icmp.type = 0;
  icmp.code = 0;
  icmp.checksum.reset();
  return build_echo(eth, ip, icmp);
}

}  // namespace ravelin::test
