// The waf plugin's binding to routes and services, and the per-lcore transaction pools
// (waf_plugin.h).
#include "waf_plugin.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace ravelin::dataplane::proxy {

int32_t waf_binding::pick(uint32_t route, uint32_t service) const {
  // Kong's precedence for one plugin name: route, then service, then global (kong.md §1.6).
  if (route < by_route.size() && by_route[route] >= 0) return by_route[route];
  if (service < by_service.size() && by_service[service] >= 0) return by_service[service];
  return global;
}

bool build_waf_binding(const mgmt::config& cfg, waf_binding& out, waf_audit_log* audit,
                       std::string& error) {
  out.by_route.assign(cfg.kong.routes.size(), -1);
  out.by_service.assign(cfg.kong.services.size(), -1);
  for (const auto& w : cfg.waf) {
    const mgmt::plugin& p = cfg.kong.plugins[w.plugin_index];
    if (p.consumer.index) {
      error = "waf plugin scoped to a consumer: not supported (consumers arrive with auth)";
      return false;
    }
    const auto index = static_cast<int32_t>(out.instances.size());
    waf_binding::instance inst;
    try {
      inst.engine = std::make_unique<waf::waf_engine>(w.compiled, waf::engine_options{true, false});
    } catch (const std::exception& e) {
      error = std::string("waf plugin: ") + e.what();
      return false;
    }
    inst.block = w.block;
    inst.inspects_responses = !inst.engine->phase(3).empty() || !inst.engine->phase(4).empty();
    if (audit != nullptr) {
      const int32_t files = audit->files_for({w.audit_log, w.audit_json_log}, error);
      if (files < 0) return false;
      inst.audit_files = static_cast<uint16_t>(files);
    }
    out.instances.push_back(std::move(inst));
    if (p.route.index) {
      out.by_route[*p.route.index] = index;
    } else if (p.service.index) {
      out.by_service[*p.service.index] = index;
    } else {
      out.global = index;
    }
  }
  return true;
}

waf_lane::waf_lane(const waf_binding& b, uint32_t slots, uint32_t head_bytes, uint32_t max_fields,
                   uint16_t lcore, uint32_t generation, rte_ring* audit,
                   counter_set& counters)
    : binding_(b),
      free_(b.instances.size(), nullptr),
      head_bytes_(head_bytes),
      lcore_(lcore),
      seq_(static_cast<uint64_t>(generation) << 32),
      epoch_(static_cast<uint32_t>(std::time(nullptr))),
      audit_(audit),
      counters_(counters) {
  for (size_t i = 0; i < b.instances.size(); ++i) {
    // One scratch per engine for the lane's transactions (engine.h): with many requests in
    // flight, one set of caches stays in the CPU's cache instead of one per request.
    const auto scratch = waf::make_transaction_scratch(*b.instances[i].engine);
    for (uint32_t k = 0; k < slots; ++k) {
      auto s = std::make_unique<waf_slot>(*b.instances[i].engine, scratch);
      s->instance = static_cast<int32_t>(i);
      s->head = std::make_unique<char[]>(head_bytes);
      s->head_cap = head_bytes;
      s->fields.reserve(max_fields);
      s->resp_fields.reserve(max_fields);
      s->chunk_scratch = std::make_unique<char[]>(k_chunk_scratch);
      s->tx.copy_body_segments(true);
      s->next_free = free_[i];
      free_[i] = s.get();
      storage_.push_back(std::move(s));
    }
  }
}

waf_lane::~waf_lane() = default;

waf_decision waf_lane::start(int32_t instance, const http::message_head& h, const char* head_base,
                             uint32_t head_len, uint32_t client_ip, bool has_body,
                             waf_slot** held) {
  *held = nullptr;
  // The id names the transaction in the 403 body and the audit lines (ModSecurity's
  // unique_id): start time, lcore and a sequence, unique per process run.
  std::snprintf(last_id_buf_, sizeof last_id_buf_, "%08x-%02x-%010llx", epoch_, lcore_,
                static_cast<unsigned long long>(++seq_));
  last_id_ = last_id_buf_;
  waf_slot* s = free_[static_cast<size_t>(instance)];
  if (s == nullptr) {
    counters_.add(counter::waf_busy);  // failing closed: an uninspected request never passes
    return {true, 503, last_id_};
  }
  if (head_len > s->head_cap || h.fields.size() > s->fields.capacity()) {
    return {true, 431, last_id_};  // the codec's limits make this unreachable
  }
  free_[static_cast<size_t>(instance)] = s->next_free;
  counters_.add(counter::waf_inspected);
  // Rebase every view onto the slot's copy of the head: the session's buffer is reused
  // for the response head while a body may still be streaming.
  std::memcpy(s->head.get(), head_base, head_len);
  const auto rebase = [&](std::string_view v) -> std::string_view {
    if (v.data() >= head_base && v.data() + v.size() <= head_base + head_len) {
      return {s->head.get() + (v.data() - head_base), v.size()};
    }
    return v;  // not in the head (a static string): stays valid
  };
  s->fields.clear();
  for (const auto& f : h.fields) s->fields.push_back({rebase(f.name), rebase(f.value)});
  std::snprintf(s->remote, sizeof s->remote, "%u.%u.%u.%u", client_ip >> 24,
                (client_ip >> 16) & 255, (client_ip >> 8) & 255, client_ip & 255);
  std::memcpy(s->unique_id, last_id_buf_, sizeof s->unique_id);
  s->req = {};
  s->blocked = false;
  s->awaiting_response = false;
  s->req.method = rebase(h.method_token);
  s->req.uri = rebase(h.target);
  s->req.protocol = h.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
  s->req.headers = s->fields;
  s->req.remote_addr = s->remote;
  waf::verdict v = s->tx.process_request_headers(s->req, s->unique_id);
  if (!v.interrupted() && !has_body) v = s->tx.process_request_body();
  const waf_decision d = judge(*s, v);
  if (d.block || (!has_body && !judges_responses(*s))) {
    release(*s);
    return d;
  }
  s->awaiting_response = !has_body;
  *held = s;
  return d;
}

waf_decision waf_lane::body(waf_slot& s, std::string_view piece) {
  const waf::verdict v = s.tx.append_request_body(piece);
  if (!v.interrupted()) return {};
  const waf_decision d = judge(s, v);
  release(s);
  return d;
}

waf_decision waf_lane::finish(waf_slot& s, bool response_pending) {
  const waf_decision d = judge(s, s.tx.process_request_body());
  if (!d.block && response_pending && judges_responses(s)) {
    s.awaiting_response = true;
    return {d.block, d.status, d.id, true};
  }
  release(s);
  return d;
}

namespace {
// The held chunked body's parser: chunk-size lines up to the codec's default, a small
// trailer section; what it cannot take is left to the proxy's own parser (the body then
// goes on unread).
constexpr http::limits k_chunk_limits{128, 1024, 8, 1024, 0};
constexpr std::string_view k_chunked_head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
}  // namespace

bool waf_lane::want_response_body(waf_slot& s, const http::message_head& h, bool head_request,
                                  uint32_t hold_max) {
  response_gather& g = s.gather;
  g = {};
  s.resp_body.clear();
  // RFC 9110 §6.4.1: HEAD, 204 and 304 answers have no content.
  if (head_request || h.status == 204 || h.status == 304) return false;
  if (h.framing == http::body_framing::length && h.content_length == 0) return false;
  const http::header_field* ct = http::find_field(h.fields, "content-type");
  if (!s.tx.wants_response_body(ct != nullptr ? ct->value : std::string_view{})) return false;
  const auto limit = static_cast<uint64_t>(std::max<int64_t>(0, s.tx.response_body_limit()));
  if (h.framing == http::body_framing::length) {
    g.how = response_gather::framing::length;
    g.over_limit = h.content_length > limit;
    if (g.over_limit && s.tx.response_body_limit_rejects()) {
      g.ready = true;  // refused on the head: nothing to wait for
      return true;
    }
    // What the proxy cannot hold whole is judged on its start, as ProcessPartial judges a
    // body past the limit: a leak in the first `hold_max` bytes is still caught.
    const uint64_t held = std::min<uint64_t>(h.content_length, limit);
    if (hold_max != 0 || held == 0) {
      g.cut = held > hold_max;
      g.length = static_cast<uint32_t>(std::min<uint64_t>(held, hold_max));
      return true;
    }
  } else if (h.framing == http::body_framing::chunked) {
    g.how = response_gather::framing::chunked;
    g.limit = limit;
    g.raw_max = hold_max;
    s.chunks.emplace(http::role::response, k_chunk_limits, s.chunk_fields,
                     std::span<char>(s.chunk_scratch.get(), k_chunk_scratch));
    s.chunks->expect_response(http::method::get, false);
    if (s.chunks->feed(k_chunked_head).what == http::event::head) return true;
  } else if (h.framing == http::body_framing::until_close && hold_max != 0) {
    // RFC 9112 §6.3: the body ends when the origin closes. Waited for until then, the hold
    // bound, or one byte past the limit (which shows that the body goes on past it).
    g.how = response_gather::framing::until_close;
    g.limit = limit;
    g.length = static_cast<uint32_t>(std::min<uint64_t>(hold_max, limit + 1));
    return true;
  }
  counters_.add(counter::waf_response_bodies_unread);  // phase 4 sees no RESPONSE_BODY
  g = {};
  return false;
}

bool waf_lane::gather_response_body(waf_slot& s, const tcpstack::rx_view& held, bool eof) {
  response_gather& g = s.gather;
  if (g.ready) return true;
  if (g.how == response_gather::framing::length) {
    if (held.length >= g.length) {
      s.resp_body.resize(g.length);
      held.copy_to(s.resp_body.data(), g.length);
      if (!g.over_limit && !g.cut) g.whole = g.length;
      g.ready = true;
    }
  } else if (g.how == response_gather::framing::until_close) {
    if (held.length >= g.length || eof) gather_until_close(s, held, eof);
  } else {
    uint32_t skip = g.scanned;  // fed on an earlier call
    held.for_each([&](const uint8_t* p, uint32_t n) {
      if (g.ready) return;
      if (skip >= n) {
        skip -= n;
        return;
      }
      g.ready = feed_chunks(s, {reinterpret_cast<const char*>(p) + skip, n - skip});
      skip = 0;
    });
  }
  // A body cut short by the origin's close goes on uninspected: the pump finds it
  // truncated and resets the client, so no part of it is ever taken for a whole answer.
  if (!g.ready && eof) give_up_body(s);
  return g.ready;
}

// A body read until close, once the origin closed or `g.length` bytes are in. Its link ends
// with it, so `whole` stays 0.
void waf_lane::gather_until_close(waf_slot& s, const tcpstack::rx_view& held, bool eof) {
  response_gather& g = s.gather;
  const uint32_t n = std::min(held.length, g.length);
  s.resp_body.resize(n);
  held.copy_to(s.resp_body.data(), n);
  if (n > g.limit) {
    g.over_limit = true;  // phase 4 sees the first `limit` bytes, or Reject refuses
  } else {
    g.cut = !eof || held.length > n;
  }
  g.ready = true;
}

// True once the body is in (the last chunk and trailers) or past the limit; gives up on
// framing the codec would refuse and on more raw bytes than the proxy may hold.
bool waf_lane::feed_chunks(waf_slot& s, std::string_view raw) {
  response_gather& g = s.gather;
  while (!raw.empty()) {
    const http::feed_result r = s.chunks->feed(raw);
    raw.remove_prefix(r.consumed);
    g.scanned += static_cast<uint32_t>(r.consumed);
    if (r.what == http::event::done) {
      g.whole = g.scanned;
      return true;
    }
    if (r.what == http::event::need_more) break;
    if (r.what != http::event::body) {
      give_up_body(s);
      return true;
    }
    const uint64_t room = g.limit - s.resp_body.size();
    if (r.data.size() > room) {
      s.resp_body.append(r.data.substr(0, room));
      g.over_limit = true;
      return true;
    }
    s.resp_body.append(r.data);
    if (g.scanned >= g.raw_max) break;  // however much has arrived: the bound holds alike
  }
  if (g.scanned < g.raw_max) return false;
  g.cut = true;  // phase 4 judges the body decoded so far; the rest streams on unseen
  return true;
}

void waf_lane::give_up_body(waf_slot& s) {
  counters_.add(counter::waf_response_bodies_unread);
  s.resp_body.clear();
  s.gather.over_limit = false;
  s.gather.whole = 0;
  s.gather.ready = true;
}

waf_decision waf_lane::response(waf_slot& s, const http::message_head& h, uint32_t* whole) {
  counters_.add(counter::waf_responses_inspected);
  s.resp_fields.clear();
  for (const auto& f : h.fields) {
    if (s.resp_fields.size() == s.resp_fields.capacity()) break;  // the codec's limit: unreachable
    s.resp_fields.push_back({f.name, f.value});
  }
  if (!s.resp_body.empty()) counters_.add(counter::waf_response_bodies);
  if (s.gather.cut) counters_.add(counter::waf_response_bodies_partial);
  s.resp = {};
  s.resp.status = h.status;
  s.resp.protocol = h.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
  s.resp.headers = s.resp_fields;
  s.resp.body = s.resp_body;
  s.resp.body_over_limit = s.gather.over_limit;
  *whole = s.gather.whole;
  s.gather = {};
  s.chunks.reset();
  const waf_decision d = judge(s, s.tx.process_response(s.resp));
  if (d.block) counters_.add(counter::waf_responses_blocked);
  s.awaiting_response = false;
  release(s);
  return d;
}

void waf_lane::abandon(waf_slot& s) { release(s); }

waf_decision waf_lane::judge(waf_slot& s, const waf::verdict& v) {
  if (v.interrupted()) {
    s.blocked = true;
    counters_.add(counter::waf_blocked);
    return {true, static_cast<uint16_t>(v.status >= 400 && v.status <= 599 ? v.status : 403),
            s.unique_id};
  }
  return {false, 0, s.unique_id};
}

void waf_lane::release(waf_slot& s) {
  s.tx.process_logging();
  emit_audit(s);
  s.next_free = free_[static_cast<size_t>(s.instance)];
  free_[static_cast<size_t>(s.instance)] = &s;
}

void waf_lane::emit_audit(waf_slot& s) {
  const auto matches = s.tx.matches();
  bool logged = false;
  for (const auto& m : matches) {
    if (m.r == nullptr) continue;
    logged = true;
    if (audit_ == nullptr) continue;
    waf_audit_record rec;
    fill_audit_record(rec, s.tx.audit_entry_of(m),
                      binding_.instances[static_cast<size_t>(s.instance)].audit_files);
    if (rte_ring_sp_enqueue_elem(audit_, &rec, sizeof rec) != 0) {
      counters_.add(counter::waf_audit_dropped);
    }
  }
  if (logged && !s.blocked) counters_.add(counter::waf_detected);
}

}  // namespace ravelin::dataplane::proxy
