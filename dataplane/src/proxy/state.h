// The proxy's per-connection state: a session per client connection, a link per upstream
// connection (owned by a session while in use, else idle in the pool), a slot per active
// health probe. All of them live in vectors sized when the lcore starts.
#pragma once

#include <cstdint>
#include <memory>

#include "access_log.h"
#include "proxy.h"

namespace ravelin::dataplane::proxy {

// Where a session is in its current exchange.
enum class phase : uint8_t {
  head,      // waiting for a complete request head (header timeout runs)
  upstream,  // request sent or being sent; response awaited or streaming
  tunnel,    // 101 received: bytes spliced both ways
  closing,   // final answer queued; the client connection is closing
};

struct http_proxy::link {
  tcpstack::conn_id id;
  uint32_t ip = 0;  // peer, host byte order
  uint16_t port = 0;
  uint32_t requests = 0;   // exchanges completed on this connection
  bool connected = false;  // handshake done
  bool open = false;
  bool eof = false;          // the origin's FIN arrived
  bool idle = false;         // in the idle list
  session* owner = nullptr;  // null while idle in the pool
  uint64_t idle_since_ns = 0;
  link* idle_prev = nullptr;
  link* idle_next = nullptr;
};

struct http_proxy::session {
  session(const http::limits& req, const http::limits& resp, uint32_t buffer_bytes,
          uint32_t plan_bytes);

  tcpstack::conn_id client;
  bool in_use = false;
  bool client_open = false;
  bool client_eof = false;
  bool resume = false;
  bool lingering = false;  // closing: our FIN is out, the client's bytes are read and dropped
  bool close_pending = false;  // closing once `out` has drained to the client  // pipelined input
                               // waits for the next sweep (see next_request)
  phase ph = phase::head;
  uint16_t listen_port = 0;
  uint32_t client_ip = 0;
  uint64_t deadline_ns = 0;

  // Heads are copied into `in` until complete, so parsed views stay valid while they are
  // used; `out` holds a serialized head on its way to one side.
  std::unique_ptr<char[]> in;
  std::unique_ptr<char[]> plan;  // the router's upstream target and stripped prefix
  std::unique_ptr<char[]> out;
  uint32_t buffer_bytes = 0;
  uint32_t in_len = 0;
  uint32_t scan_from = 0;  // where the search for the end of the head resumes
  uint32_t head_len = 0;   // the request head's length in `in` while it is parsed
  uint32_t out_len = 0;
  uint32_t out_sent = 0;

  std::unique_ptr<http::header_field[]> req_fields, resp_fields;
  std::unique_ptr<char[]> req_scratch, resp_scratch;
  http::parser req;
  http::parser resp;

  // The exchange in flight, under the snapshot it was routed with.
  const snapshot* snap = nullptr;
  const router::route_info* route = nullptr;
  const router::service_info* service = nullptr;
  std::string_view upstream_target, strip_prefix, upstream_host, request_path;
  http::method method = http::method::other;
  bool client_keep_alive = true;
  bool client_http10 = false;  // the request was HTTP/1.0
  bool dechunk = false;        // the chunked response goes out decoded (HTTP/1.0 client)
  bool upgrade = false;
  bool request_done = false;      // the whole request (body included) went upstream
  bool body_started = false;      // body bytes went upstream: no more retries
  bool head_sent = false;         // the request head is queued on the link
  bool response_started = false;  // response head bytes arrived
  bool response_sent = false;     // a response head went to the client
  bool close_after = false;
  uint64_t request_bytes = 0;
  uint64_t response_bytes = 0;
  uint16_t status = 0;
  uint16_t upstream_status = 0;
  uint64_t started_ns = 0;
  uint64_t upstream_sent_ns = 0;
  uint64_t response_head_ns = 0;

  balancer::request_state rs;
  balancer::peer peer{};
  bool has_peer = false;
  uint32_t peer_ip = 0;
  uint16_t peer_port = 0;
  uint16_t tries = 0;
  // The balanced target's figures (route_stats.h), when it was picked under `snap`.
  uint32_t target_upstream = UINT32_MAX;
  uint32_t target_index = 0;
  link* up = nullptr;
  waf_slot* waf = nullptr;  // the waf transaction, from the request head to its verdicts
  bool waf_hold = false;    // the response body is held back for phase 4

  access_log_record record{};  // request facts copied while the head is still readable
};

struct http_proxy::probe_slot {
  bool in_use = false;
  bool http = false;
  bool reported = false;
  tcpstack::conn_id id;
  balancer::probe p{};
  uint64_t deadline_ns = 0;
  uint32_t got = 0;
  char status_line[64] = {};
};

}  // namespace ravelin::dataplane::proxy
