// The dataplane's own per-lcore counters (the main loop and the NIC queues it drives).
#pragma once

#include "ravelin/tcpstack/counter_table.h"

namespace ravelin::dataplane {

#define RAVELIN_DATAPLANE_COUNTERS(X)                                                           \
  X(port_rx_packets, "packets received from NIC rx queues")                                     \
  X(port_tx_packets, "packets handed to NIC tx queues")                                         \
  X(port_tx_dropped, "packets dropped: NIC tx queue full")                                      \
  X(loop_polls, "main loop iterations")                                                         \
  X(busy_polls, "main loop iterations that handled at least one packet")                        \
  X(busy_cycles, "TSC cycles spent in iterations that handled work (idle polls excluded)")      \
  X(port_tx_cycles, "TSC cycles inside NIC tx bursts (on af_packet: the sendto kick)")          \
  X(dispatch_passed, "TCP frames received here and passed to the lcore owning the flow")        \
  X(dispatch_arp_copies, "ARP frames copied to another lcore (each keeps its own cache)")       \
  X(dispatch_dropped, "frames dropped: owner's inbox ring full or no mbuf for an ARP copy")     \
  X(forward_accepted, "forwarder: client connections spliced onto a backend connection")        \
  X(forward_no_pair, "forwarder: client connections reset, all forwarding slots in use")        \
  X(forward_backend_failed, "forwarder: backend connect failed or reset; client reset")         \
  X(proxy_connections, "proxy: client connections accepted")                                    \
  X(proxy_no_session, "proxy: client connections reset, all sessions in use")                   \
  X(proxy_requests, "proxy: request heads parsed")                                              \
  X(proxy_responses, "proxy: upstream responses forwarded to the end")                          \
  X(proxy_no_route, "proxy: requests no route matched (404)")                                   \
  X(proxy_bad_requests, "proxy: requests refused by the codec (4xx/5xx, connection closed)")    \
  X(proxy_bad_responses, "proxy: upstream responses the codec refused (502 or reset)")          \
  X(proxy_status_408, "proxy: 408 answers (slow request heads)")                                \
  X(proxy_status_502, "proxy: 502 answers (upstream failed or answered badly)")                 \
  X(proxy_status_503, "proxy: 503 answers (no healthy peer, no service, no address)")           \
  X(proxy_status_504, "proxy: 504 answers (upstream timed out)")                                \
  X(proxy_header_timeouts, "proxy: connections whose request head came too slowly")             \
  X(proxy_idle_closed, "proxy: idle keep-alive client connections closed")                      \
  X(proxy_upstream_timeouts, "proxy: exchanges whose upstream connect/write/read timed out")    \
  X(proxy_upstream_connects, "proxy: upstream connections opened")                              \
  X(proxy_upstream_reused, "proxy: requests sent on a pooled upstream connection")              \
  X(proxy_upstream_idle_closed, "proxy: pooled upstream connections closed after idling")       \
  X(proxy_upstream_closed_early, "proxy: upstream connections that ended before a response")    \
  X(proxy_connect_failed, "proxy: upstream connects refused, timed out or impossible")          \
  X(proxy_no_link, "proxy: tries failed because every upstream link slot was in use")           \
  X(proxy_retries, "proxy: tries after a failed one (service.retries)")                         \
  X(proxy_upgrades, "proxy: connections switched to a tunnel after 101")                        \
  X(proxy_client_aborted, "proxy: clients gone before their response started")                  \
  X(proxy_move_failed, "proxy: body bytes a connection going away refused")                     \
  X(proxy_log_dropped, "proxy: access-log records dropped, the writer's ring was full")         \
  X(proxy_tls_listeners_skipped, "proxy: tls listeners not opened (TLS arrives in P7)")         \
  X(proxy_tls_upstream_unsupported, "proxy: requests for https/grpc(s) services refused (502)") \
  X(proxy_probes_sent, "proxy: active health probes started")                                   \
  X(proxy_probes_failed, "proxy: active health probes that saw a failure or bad status")        \
  X(proxy_probes_skipped, "proxy: due probes not started (no probe slot or no address)")        \
  X(proxy_health_applied, "proxy: health transitions other lcores saw, applied here")           \
  X(proxy_health_dropped, "proxy: health transitions not sent, a peer lcore's ring was full")   \
  X(proxy_health_stale, "proxy: health transitions from another config generation, ignored")   \
  X(proxy_reloads, "proxy: config snapshots this lcore switched to")                           \
  X(proxy_reload_deferred, "proxy: switches put off, too many older snapshots still in use")   \
  X(waf_inspected, "waf: requests the waf plugin inspected")                                    \
  X(waf_blocked, "waf: requests blocked (403, or the rule's status)")                           \
  X(waf_detected, "waf: requests with matched rules that were not blocked")                     \
  X(waf_busy, "waf: requests refused 503, no free transaction on the lcore")                    \
  X(waf_responses_inspected, "waf: responses judged by phases 3 and 4")                          \
  X(waf_response_bodies, "waf: response bodies held back and inspected in phase 4")             \
  X(waf_response_bodies_unread, "waf: bodies phase 4 wanted but could not read (framing, close)") \
  X(waf_response_bodies_partial, "waf: bodies longer than waf_response_hold, judged on their start") \
  X(waf_responses_blocked, "waf: responses replaced by the block answer")                       \
  X(waf_audit_dropped, "waf: audit records dropped, the writer's ring was full")

RAVELIN_DEFINE_COUNTERS(RAVELIN_DATAPLANE_COUNTERS);

}  // namespace ravelin::dataplane
