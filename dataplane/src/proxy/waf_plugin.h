// The `waf` plugin in the proxy (issue P5): which compiled engine a request meets (Kong's
// precedence: a route's plugin, else its service's, else the global one), and per lcore a
// bounded pool of transactions. A request without a body is judged in one call on its head;
// one with a body holds a transaction while the body streams to the origin, and the last
// bytes are held back until phase 2 has spoken, so an origin never receives a complete
// request the WAF refused. When the rules have response phases, the transaction is kept
// until the response head: phase 3 judges it, and phase 4 a body the rules ask for, held
// back (whole, or up to SecResponseBodyLimit), so a refused response never reaches the
// client.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ravelin/dataplane/counters.h"
#include "ravelin/http/http_types.h"
#include "ravelin/http/parser.h"
#include "ravelin/mgmt/config.h"
#include "ravelin/tcpstack/tcp.h"
#include "ravelin/waf/engine.h"

#include "waf_audit.h"

namespace ravelin::dataplane::proxy {

// Built once from the snapshot; read-only, shared by the lcores.
struct waf_binding {
  struct instance {
    std::unique_ptr<waf::waf_engine> engine;
    bool block = true;
    bool inspects_responses = false;  // the rules have phase 3 or 4 rules
    uint16_t audit_files = 0;         // waf_audit_log::files_for
  };
  std::vector<instance> instances;
  std::vector<int32_t> by_route, by_service;  // kong_config indices -> instance, or -1
  int32_t global = -1;

  // The instance for a request on `route` / `service` (UINT32_MAX: none), or -1.
  int32_t pick(uint32_t route, uint32_t service) const;
  bool empty() const { return instances.empty(); }
};

// Compiles each waf plugin's rule set into an engine (Hyperscan databases) and opens its
// audit files through `audit` (may be null: no audit lines): control path, may allocate and
// fail with a message.
bool build_waf_binding(const mgmt::config& cfg, waf_binding& out, waf_audit_log* audit,
                       std::string& error);

// A response body gathered for phase 4 from the bytes the proxy holds back (waf_lane::
// want_response_body and gather_response_body).
struct response_gather {
  enum class framing : uint8_t { none, length, chunked, until_close };
  framing how = framing::none;
  uint32_t length = 0;      // Content-Length, until close: the body bytes to wait for at most
  uint64_t limit = 0;       // chunked, until close: SecResponseBodyLimit
  uint32_t raw_max = 0;     // chunked: the raw bytes the proxy may hold back
  uint32_t scanned = 0;     // chunked: raw bytes fed to the slot's chunk parser
  uint32_t whole = 0;       // raw bytes of the whole body, once gathered whole
  bool over_limit = false;  // the body goes on past SecResponseBodyLimit
  bool cut = false;         // the body goes on past what the proxy may hold
  bool ready = false;
};

// Scratch for the chunk parser of a held response body: its longest chunk-size line, and
// twice a trailer section (parser.h).
inline constexpr uint32_t k_chunk_scratch = 2048;

// One request under inspection: the transaction and copies of what it borrows (the head
// and its field table), since the session's buffers move on while the body streams.
struct waf_slot {
  waf_slot(const waf::waf_engine& e, std::shared_ptr<waf::transaction_scratch> scratch)
      : tx(e, std::move(scratch)) {}
  waf::transaction tx;
  int32_t instance = -1;
  std::unique_ptr<char[]> head;
  uint32_t head_cap = 0;
  std::vector<waf::http_header> fields;
  waf::http_request req;
  char unique_id[40] = {};
  char remote[16] = {};
  bool blocked = false;
  bool awaiting_response = false;  // the request passed; the response is still to judge
  std::vector<waf::http_header> resp_fields;
  waf::http_response resp;
  // A held response body: grows to the largest body held on this slot, then is reused.
  std::string resp_body;
  response_gather gather;
  // Takes the chunk framing off a held chunked body: the codec's own parser, fed a made-up
  // head and then the held bytes, with room for a few trailer fields.
  std::optional<http::parser> chunks;
  std::array<http::header_field, 8> chunk_fields;
  std::unique_ptr<char[]> chunk_scratch;
  waf_slot* next_free = nullptr;
};

// What the plugin tells the proxy.
struct waf_decision {
  bool block = false;
  uint16_t status = 0;
  std::string_view id;  // the transaction id, valid until the lane's next start()
  bool held = false;    // finish(): the slot stays with the request for its response
};

// Per lcore: transaction pools per instance, the unique-id sequence and the audit ring.
class waf_lane {
 public:
  // `slots` transactions per instance are made now (control path), each with room for a
  // head of `head_bytes` and `max_fields` fields: the codec's own limits. `generation` (the
  // snapshot's) keeps transaction ids of successive lanes on one lcore apart.
  waf_lane(const waf_binding& b, uint32_t slots, uint32_t head_bytes, uint32_t max_fields,
           uint16_t lcore, uint32_t generation, rte_ring* audit, counter_set& counters);
  ~waf_lane();
  waf_lane(const waf_lane&) = delete;
  waf_lane& operator=(const waf_lane&) = delete;

  // Phase 1 (and phase 2 when `has_body` is false) on a parsed head that lives in
  // [head_base, head_base + head_len). With a body, `*held` keeps the slot for body() and
  // finish(); without one it is released here. Null `*held` and no block: nothing to do.
  waf_decision start(int32_t instance, const http::message_head& h, const char* head_base,
                     uint32_t head_len, uint32_t client_ip, bool has_body, waf_slot** held);
  // A piece of decoded body; a verdict may already stop it (body limit: 413).
  waf_decision body(waf_slot& s, std::string_view piece);
  // Phase 2 after the last body byte. Releases the slot unless the response is still to
  // come (`response_pending`) and the rules will judge it (then `held`).
  waf_decision finish(waf_slot& s, bool response_pending);
  // For a slot awaiting the response: whether phase 4 wants the body held back before the
  // head may go on. Not when no body is wanted. Past SecResponseBodyLimit only its start is
  // held (ProcessPartial), or none (Reject); past `hold_max`, its first `hold_max` bytes
  // (counted as partial). A body read until close is held until the close or the bound.
  bool want_response_body(waf_slot& s, const http::message_head& h, bool head_request,
                          uint32_t hold_max);
  // Copies the wanted body out of the held bytes (`held` starts at the body, chunk framing
  // and all). True once phase 4 may run: what it wants is in, `hold_max` raw bytes are (phase
  // 4 judges that start), or the body cannot be read (bad framing, the origin closed before
  // its framing's end: phase 4 runs without it).
  bool gather_response_body(waf_slot& s, const tcpstack::rx_view& held, bool eof);
  // Phases 3 and 4 on the response head and the gathered body; releases the slot.
  // `*whole`: the raw length of a body gathered whole, which a refused answer may drop
  // with the link staying reusable; else 0.
  waf_decision response(waf_slot& s, const http::message_head& h, uint32_t* whole);
  // The request ended otherwise (client gone, origin failed): logs and releases.
  void abandon(waf_slot& s);

  // The transaction id of the last request start() looked at (for the 403 body).
  std::string_view last_unique_id() const { return last_id_; }

 private:
  waf_decision judge(waf_slot& s, const waf::verdict& v);
  bool judges_responses(const waf_slot& s) const {
    return binding_.instances[static_cast<size_t>(s.instance)].inspects_responses;
  }
  void release(waf_slot& s);
  bool feed_chunks(waf_slot& s, std::string_view raw);
  void gather_until_close(waf_slot& s, const tcpstack::rx_view& held, bool eof);
  void give_up_body(waf_slot& s);
  void emit_audit(waf_slot& s);

  const waf_binding& binding_;
  std::vector<std::unique_ptr<waf_slot>> storage_;
  std::vector<waf_slot*> free_;  // per instance: free list head
  uint32_t head_bytes_;
  uint16_t lcore_;
  uint64_t seq_ = 0;
  uint32_t epoch_;
  rte_ring* audit_;
  counter_set& counters_;
  char last_id_buf_[40] = {};
  std::string_view last_id_;
};

}  // namespace ravelin::dataplane::proxy
