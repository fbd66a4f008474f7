// The stack's counters, declared once as a table of name + description. Each lcore's stack
// owns one counter_set; readers sum them (see dataplane stats).
#pragma once

#include "ravelin/tcpstack/counter_table.h"

namespace ravelin::tcpstack {

#define RAVELIN_TCPSTACK_COUNTERS(X)                                                        \
  X(eth_rx_packets, "Ethernet frames received")                                           \
  X(eth_rx_runt, "frames dropped: shorter than an Ethernet header")                       \
  X(eth_rx_not_for_us, "frames dropped: destination MAC neither ours nor broadcast")       \
  X(eth_rx_unknown_ethertype, "frames dropped: EtherType not IPv4 or ARP")                 \
  X(arp_rx_requests, "ARP requests received for one of our addresses")                     \
  X(arp_rx_replies, "ARP replies received")                                                \
  X(arp_rx_malformed, "ARP packets dropped: bad length, hardware or protocol type")       \
  X(arp_rx_not_for_us, "ARP packets dropped: target address not ours")                    \
  X(arp_tx_replies, "ARP replies sent")                                                    \
  X(arp_tx_requests, "ARP requests sent to resolve a next hop")                            \
  X(arp_cache_full, "ARP cache insertions that evicted an entry")                          \
  X(arp_resolve_failed, "packets dropped: next hop did not answer ARP")                    \
  X(arp_hold_replaced, "packets dropped: replaced by a newer one waiting on ARP")          \
  X(ipv4_rx_packets, "IPv4 packets received")                                              \
  X(ipv4_rx_truncated, "IPv4 packets dropped: shorter than their header or total length") \
  X(ipv4_rx_bad_version, "IPv4 packets dropped: version is not 4")                         \
  X(ipv4_rx_bad_header_length, "IPv4 packets dropped: IHL below 5")                        \
  X(ipv4_rx_bad_checksum, "IPv4 packets dropped: header checksum wrong")                   \
  X(ipv4_rx_ttl_expired, "IPv4 packets dropped: TTL zero")                                 \
  X(ipv4_rx_fragment, "IPv4 packets dropped: fragments are not reassembled")               \
  X(ipv4_rx_not_for_us, "IPv4 packets dropped: destination not ours")                      \
  X(ipv4_rx_bad_source, "IPv4 packets dropped: broadcast, multicast or loopback source")  \
  X(ipv4_rx_unknown_protocol, "IPv4 packets dropped: no handler for the protocol")         \
  X(ipv4_tx_no_route, "IPv4 packets dropped: destination off-link and no gateway")         \
  X(ipv4_tx_invalid, "IPv4 packets dropped: send_ipv4 given less than an IPv4 header")      \
  X(tx_no_headroom, "packets dropped: no mbuf headroom to prepend the Ethernet header")     \
  X(icmp_rx_echo_requests, "ICMP echo requests received")                                  \
  X(icmp_rx_malformed, "ICMP packets dropped: truncated or bad checksum")                  \
  X(icmp_rx_other, "ICMP packets dropped: type not handled")                                \
  X(icmp_rx_echo_broadcast, "ICMP echo requests to a broadcast address: not answered")      \
  X(icmp_tx_echo_replies, "ICMP echo replies sent")                                        \
  X(tx_batch_full, "packets dropped: per-port tx batch full")                              \
  X(mbuf_alloc_failed, "packets not sent: mbuf pool empty")

RAVELIN_DEFINE_COUNTERS(RAVELIN_TCPSTACK_COUNTERS);

}  // namespace ravelin::tcpstack
