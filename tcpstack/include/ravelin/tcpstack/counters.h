// The stack's counters, declared once as a table of name + description. Each lcore's stack
// owns one counter_set; readers sum them (see dataplane stats).
#pragma once

#include "ravelin/tcpstack/counter_table.h"

namespace ravelin::tcpstack {

#define RAVELIN_TCPSTACK_COUNTERS(X)                                                      \
  X(eth_rx_packets, "Ethernet frames received")                                           \
  X(eth_rx_runt, "frames dropped: shorter than an Ethernet header")                       \
  X(eth_rx_not_for_us, "frames dropped: destination MAC neither ours nor broadcast")      \
  X(eth_rx_unknown_ethertype, "frames dropped: EtherType not IPv4 or ARP")                \
  X(arp_rx_requests, "ARP requests received for one of our addresses")                    \
  X(arp_rx_replies, "ARP replies received")                                               \
  X(arp_rx_malformed, "ARP packets dropped: bad length, hardware or protocol type")       \
  X(arp_rx_not_for_us, "ARP packets dropped: target address not ours")                    \
  X(arp_tx_replies, "ARP replies sent")                                                   \
  X(arp_tx_requests, "ARP requests sent to resolve a next hop")                           \
  X(arp_cache_full, "ARP cache insertions that evicted an entry")                         \
  X(arp_resolve_failed, "packets dropped: next hop did not answer ARP")                   \
  X(arp_hold_replaced, "packets dropped: replaced by a newer one waiting on ARP")         \
  X(arp_probe_failed, "expired neighbours forgotten: unicast verification unanswered")   \
  X(ipv4_rx_packets, "IPv4 packets received")                                             \
  X(ipv4_rx_truncated, "IPv4 packets dropped: shorter than their header or total length") \
  X(ipv4_rx_bad_version, "IPv4 packets dropped: version is not 4")                        \
  X(ipv4_rx_bad_header_length, "IPv4 packets dropped: IHL below 5")                       \
  X(ipv4_rx_bad_checksum, "IPv4 packets dropped: header checksum wrong")                  \
  X(ipv4_rx_ttl_expired, "IPv4 packets dropped: TTL zero")                                \
  X(ipv4_rx_fragment, "IPv4 packets dropped: fragments are not reassembled")              \
  X(ipv4_rx_not_for_us, "IPv4 packets dropped: destination not ours")                     \
  X(ipv4_rx_bad_source, "IPv4 packets dropped: broadcast, multicast or loopback source")  \
  X(ipv4_rx_unknown_protocol, "IPv4 packets dropped: no handler for the protocol")        \
  X(ipv4_tx_no_route, "IPv4 packets dropped: destination off-link and no gateway")        \
  X(ipv4_tx_invalid, "IPv4 packets dropped: send_ipv4 given less than an IPv4 header")    \
  X(tx_no_headroom, "packets dropped: no mbuf headroom to prepend the Ethernet header")   \
  X(icmp_rx_echo_requests, "ICMP echo requests received")                                 \
  X(icmp_rx_malformed, "ICMP packets dropped: truncated or bad checksum")                 \
  X(icmp_rx_other, "ICMP packets dropped: type not handled")                              \
  X(icmp_rx_echo_broadcast, "ICMP echo requests to a broadcast address: not answered")    \
  X(icmp_tx_echo_replies, "ICMP echo replies sent")                                       \
  X(tx_batch_full, "packets dropped: per-port tx batch full")                             \
  X(mbuf_alloc_failed, "packets not sent: mbuf pool empty")                               \
  RAVELIN_TCP_COUNTERS(X)

// TCP's share of the table: every segment TCP drops moves exactly one of these.
#define RAVELIN_TCP_COUNTERS(X)                                                                \
  X(tcp_rx_segments, "TCP segments received")                                                  \
  X(tcp_rx_malformed, "TCP segments dropped: shorter than the header or bad data offset")      \
  X(tcp_rx_bad_checksum, "TCP segments dropped: checksum wrong")                               \
  X(tcp_rx_broadcast, "TCP segments dropped: sent to a broadcast address")                     \
  X(tcp_rx_bad_options, "TCP segments with a malformed option area (rest of it ignored)")      \
  X(tcp_rx_no_connection, "TCP segments dropped: no connection or listener (RST sent)")        \
  X(tcp_rx_out_of_window, "TCP segments dropped: not acceptable for the window (ACK sent)")    \
  X(tcp_rx_paws_rejected, "TCP segments dropped: timestamp older than TS.Recent (PAWS)")       \
  X(tcp_rx_no_timestamp, "TCP segments dropped: timestamps negotiated but absent")             \
  X(tcp_rx_rst, "RSTs accepted: connection reset")                                             \
  X(tcp_rx_rst_ignored, "RSTs dropped: outside the window or in a state that ignores them")    \
  X(tcp_rx_rst_challenged, "RSTs in window but not at RCV.NXT: challenge ACK (RFC 5961)")      \
  X(tcp_rx_syn_challenged, "SYNs on a synchronized connection: challenge ACK (RFC 5961)")      \
  X(tcp_rx_ack_challenged, "TCP segments dropped: ACK outside the acceptable range")           \
  X(tcp_rx_bad_ack, "TCP segments dropped: unacceptable ACK during the handshake (RST)")       \
  X(tcp_rx_no_ack, "TCP segments dropped: ACK bit off on a synchronized connection")           \
  X(tcp_rx_unexpected, "TCP segments dropped: meaningless in the connection's state")          \
  X(tcp_rx_after_fin, "TCP segments dropped: data beyond the peer's FIN")                      \
  X(tcp_rx_data_after_close, "TCP segments dropped: data after close() (RST sent)")            \
  X(tcp_rx_ooo_queued, "TCP segments queued out of order for reassembly")                      \
  X(tcp_rx_ooo_dropped, "TCP segments dropped: reassembly limit reached")                      \
  X(tcp_rx_queue_full, "TCP segments dropped: receive queue over its segment limit")           \
  X(tcp_rx_zero_window_data, "TCP segments dropped: data while the window is zero (ACK sent)") \
  X(tcp_listen_overflow, "SYNs dropped: listener backlog full and SYN cookies off")            \
  X(tcp_half_open_full, "SYNs dropped: half-open limit reached and SYN cookies off")           \
  X(tcp_conn_table_full, "SYNs dropped or connects refused: connection pool exhausted")        \
  X(tcp_syn_cookies_sent, "SYN-ACKs sent as SYN cookies (no state kept)")                      \
  X(tcp_syn_cookies_accepted, "connections created from a valid SYN cookie")                   \
  X(tcp_syn_cookies_rejected, "ACKs to a listener dropped: not a valid SYN cookie (RST)")      \
  X(tcp_passive_opens, "connections accepted: handshake completed on a listener")              \
  X(tcp_active_opens, "connections opened by connect(): handshake completed")                  \
  X(tcp_connect_no_route, "connect() refused: no route to the destination")                    \
  X(tcp_ports_exhausted, "connect() refused: no free local port for the 4-tuple")              \
  X(tcp_tx_segments, "TCP segments sent (a TSO segment counts once)")                          \
  X(tcp_tx_rst, "TCP RST segments sent")                                                       \
  X(tcp_tx_retransmits, "TCP segments retransmitted")                                          \
  X(tcp_tx_deferred, "TCP output postponed: tx batch full (resumed on the next call)")         \
  X(tcp_fast_retransmits, "loss recoveries entered on duplicate ACKs or SACK")                 \
  X(tcp_rto_expired, "retransmission timeouts")                                                \
  X(tcp_delayed_acks, "ACKs sent by the delayed-ACK timer")                                    \
  X(tcp_challenge_acks_limited, "challenge ACKs not sent: over the per-second limit")          \
  X(tcp_timeouts, "connections ended: retransmissions exhausted")                              \
  X(tcp_keepalive_probes, "keep-alive probes sent")                                            \
  X(tcp_keepalive_timeouts, "connections ended: keep-alive probes unanswered")                 \
  X(tcp_zero_window_probes, "zero-window probes sent")                                         \
  X(tcp_fin_wait_2_timeouts, "closed connections ended in FIN-WAIT-2 by its timer")            \
  X(tcp_time_wait_reused, "TIME-WAIT connections replaced by a new SYN (RFC 6191)")            \
  X(tcp_time_wait_recycled, "TIME-WAIT connections evicted to make room")                      \
  X(tcp_send_refused, "send calls refused or cut short: send buffer full")

RAVELIN_DEFINE_COUNTERS(RAVELIN_TCPSTACK_COUNTERS);

}  // namespace ravelin::tcpstack
