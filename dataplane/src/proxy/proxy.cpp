// The client side of the proxy: sessions, request heads, routing, request bodies, the end
// of an exchange (keep-alive and pipelining, RFC 9112 §9.3), gateway answers and timeouts.
#include "proxy.h"

#include <algorithm>
#include <cstring>

#include "flow.h"
#include "snapshot.h"
#include "ravelin/router/path.h"
#include "rewrite.h"
#include "state.h"

namespace ravelin::dataplane::proxy {

using tcpstack::close_reason;
using tcpstack::conn_id;

namespace {

constexpr uint64_t k_sweep_ns = 10 * k_ns_per_ms;             // timeout resolution
constexpr uint64_t k_client_idle_ns = 60'000 * k_ns_per_ms;   // nginx keepalive_timeout
constexpr uint64_t k_close_linger_ns = 10'000 * k_ns_per_ms;  // for the last answer to drain
// After an answer that left request bytes unread, how long the client may go on sending
// (read and dropped) before the connection is closed anyway (nginx's lingering_timeout).
constexpr uint64_t k_lingering_ns = 5'000 * k_ns_per_ms;

http::limits request_limits_of(const mgmt::proxy_config& p) {
  http::limits l;
  l.max_start_line = p.max_request_line;
  l.max_head_bytes = p.max_header_bytes;
  l.max_fields = static_cast<uint16_t>(std::min<uint32_t>(p.max_headers, 65535));
  return l;
}

template <size_t N>
void copy_text(char (&dst)[N], std::string_view src) {
  const size_t n = std::min(src.size(), N - 1);
  if (n != 0) std::memcpy(dst, src.data(), n);  // an empty view may have a null data()
  dst[n] = '\0';
}

}  // namespace

http_proxy::session::session(const http::limits& rq, const http::limits& rp, uint32_t bytes,
                             uint32_t plan_bytes)
    : in(new char[bytes]),
      plan(new char[plan_bytes]),
      out(new char[bytes + k_compose_bytes]),
      buffer_bytes(bytes),
      req_fields(new http::header_field[rq.max_fields]),
      resp_fields(new http::header_field[rp.max_fields]),
      req_scratch(new char[k_scratch_bytes]),
      resp_scratch(new char[k_scratch_bytes]),
      req(http::role::request, rq, {req_fields.get(), rq.max_fields},
          {req_scratch.get(), k_scratch_bytes}),
      resp(http::role::response, rp, {resp_fields.get(), rp.max_fields},
           {resp_scratch.get(), k_scratch_bytes}) {}

http_proxy::http_proxy(tcpstack::tcp_endpoint& tcp, const mgmt::proxy_config& settings,
                       const snapshot& first, uint32_t ordinal, uint32_t max_sessions,
                       counter_set& counters, access_log_ring* log, uint64_t seed)
    : tcp_(tcp),
      settings_(settings),
      ordinal_(ordinal),
      counters_(counters),
      log_(log),
      balancer_(seed),
      cur_(&first),
      offered_(&first),
      oldest_in_use_(first.generation),
      path_buf_(new char[settings_.max_request_line + 1]),
      target_buf_(new char[target_bytes()]),
      compose_buf_(new char[k_compose_bytes]),
      request_limits_(request_limits_of(settings_)),
      response_limits_(request_limits_of(settings_)) {
  // A response status line may be as long as the head allows.
  response_limits_.max_start_line = response_limits_.max_head_bytes;
  const uint32_t buffer = settings_.max_header_bytes + 4;
  sessions_.reserve(max_sessions);
  links_.resize(max_sessions);
  for (uint32_t i = 0; i < max_sessions; ++i) {
    sessions_.emplace_back(request_limits_, response_limits_, buffer, target_bytes() * 2);
  }
  for (auto it = sessions_.rbegin(); it != sessions_.rend(); ++it) free_sessions_.push_back(&*it);
  for (auto it = links_.rbegin(); it != links_.rend(); ++it) free_links_.push_back(&*it);
  probes_.resize(64);
  balancer_.rebind(first.state.balancing, 0);
}

http_proxy::~http_proxy() = default;

std::span<char> http_proxy::out_span(session& s) {
  return {s.out.get(), s.buffer_bytes + k_compose_bytes};
}

bool http_proxy::listen(std::string& error) {
  for (const auto& l : settings_.listen) {
    if (l.tls) {
      // TLS termination arrives with the tls lcores (P7); until then the port stays closed.
      counters_.add(counter::proxy_tls_listeners_skipped);
      continue;
    }
    listeners_.push_back(l);
  }
  for (auto& l : listeners_) {
    if (!tcp_.listen(l.port, &client_handler_, &l, l.backlog)) {
      error = "cannot listen on TCP port " + std::to_string(l.port) + " (proxy)";
      return false;
    }
  }
  return true;
}

// ---- sessions ------------------------------------------------------------------------------

http_proxy::session* http_proxy::take_session() {
  if (free_sessions_.empty()) return nullptr;
  session* s = free_sessions_.back();
  free_sessions_.pop_back();
  return s;
}

void http_proxy::release_session(session& s) {
  if (!s.in_use) return;
  drop_snapshot(s);
  if (s.up != nullptr) release_link(s, link_end::abort);
  if (s.has_peer) {
    balancer_.finish(s.peer, 0, now_ns_ / 1000);  // the try's connection count
    s.has_peer = false;
  }
  s.in_use = false;
  free_sessions_.push_back(&s);
}

void http_proxy::client_accepted(conn_id c, void* listener) {
  session* s = take_session();
  if (s == nullptr) {
    counters_.add(counter::proxy_no_session);
    tcp_.abort(c);
    return;
  }
  const auto* l = static_cast<const mgmt::listen_config*>(listener);
  tcpstack::conn_info info;
  tcp_.info(c, info);
  s->in_use = true;
  s->client = c;
  s->client_open = true;
  s->client_eof = false;
  s->lingering = false;
  s->client_ip = info.remote_ip;
  s->listen_port = l->port;
  s->req = http::parser(http::role::request, request_limits_,
                        {s->req_fields.get(), request_limits_.max_fields},
                        {s->req_scratch.get(), k_scratch_bytes});
  tcp_.set_opaque(c, s);
  counters_.add(counter::proxy_connections);
  next_request(*s);
  // A new connection must send its first head within the header timeout (nginx's
  // client_header_timeout starts at accept), so silent connections cannot hold sessions.
  if (s->ph == phase::head && s->in_len == 0) {
    s->deadline_ns = now_ns_ + settings_.client_header_timeout_ms * k_ns_per_ms;
  }
}

// Ready for the next request on a kept-alive connection (or the first one).
void http_proxy::next_request(session& s) {
  drop_snapshot(s);
  s.ph = phase::head;
  s.in_len = s.scan_from = 0;
  s.out_len = s.out_sent = 0;
  s.route = nullptr;
  s.service = nullptr;
  s.request_done = s.body_started = s.head_sent = false;
  s.response_started = s.response_sent = s.close_after = false;
  s.request_bytes = s.response_bytes = 0;
  s.status = s.upstream_status = 0;
  s.has_peer = false;
  s.resume = false;
  s.close_pending = false;
  s.tries = 0;
  s.target_upstream = UINT32_MAX;
  s.rs = {};
  s.deadline_ns = now_ns_ + k_client_idle_ns;
  if (s.client_eof) {
    close_client(s);
    return;
  }
  // Pipelined requests (RFC 9112 §9.3.2) already waiting are answered in order. Answers
  // the proxy gives itself (404, 503) would recurse once per request: past a few levels the
  // rest waits for the next sweep.
  if (tcp_.readable(s.client).length == 0) return;
  if (depth_ >= 4) {
    s.resume = true;
    return;
  }
  ++depth_;
  read_request_head(s);
  --depth_;
}

// The answer queued in `out` goes first; unread input is dropped so that the close is a FIN
// the client can read the answer before, not a reset (RFC 9112 §9.6). A client still sending
// a body we did not read would get a reset for its next bytes, and a reset can destroy the
// answer in its receive buffer: so after the FIN the connection lingers, reading and dropping
// until the client closes too or k_lingering_ns pass.
void http_proxy::close_client(session& s) {
  // Only a parsed request whose body we did not read lingers; a broken or slow head (400,
  // 408, 431) is cut off at once.
  const bool input_unread = s.ph == phase::upstream && !s.client_eof && !s.request_done;
  s.ph = phase::closing;
  if (s.up != nullptr) release_link(s, link_end::abort);
  drop_snapshot(s);
  if (!s.client_open) return;
  tcp_.consume(s.client, UINT32_MAX);
  s.lingering = s.lingering || input_unread;
  if (!flush_out(s)) {
    s.close_pending = true;
    s.deadline_ns = now_ns_ + k_close_linger_ns;
    return;
  }
  s.close_pending = false;
  if (s.lingering && !s.client_eof) {
    tcp_.shutdown(s.client);
    s.deadline_ns = now_ns_ + k_lingering_ns;
    return;
  }
  tcp_.close(s.client);
}

void http_proxy::client_closed(session& s, close_reason) {
  s.client_open = false;
  if (s.ph == phase::upstream && !s.response_sent) counters_.add(counter::proxy_client_aborted);
  release_session(s);
}

void http_proxy::client_peer_closed(session& s) {
  s.client_eof = true;
  // An idle connection's FIN ends it; during an exchange the answer still goes out.
  if (s.ph == phase::head && tcp_.readable(s.client).length == 0) close_client(s);
  if (s.ph == phase::closing && s.lingering && !s.close_pending) {
    tcp_.consume(s.client, UINT32_MAX);
    tcp_.close(s.client);  // the client is done too: the lingering ends
  }
  if (s.ph == phase::tunnel) pump_tunnel(s);
}

void http_proxy::client_readable(session& s) {
  switch (s.ph) {
    case phase::head:
      read_request_head(s);
      break;
    case phase::upstream:
      if (s.head_sent && !s.request_done) pump_request_body(s);
      break;
    case phase::tunnel:
      pump_tunnel(s);
      break;
    case phase::closing:
      tcp_.consume(s.client, UINT32_MAX);  // after our final answer, input is ignored
      break;
  }
}

void http_proxy::client_writable(session& s) {
  if (!flush_out(s)) return;
  if (s.close_pending) close_client(s);
  if (s.ph == phase::upstream && s.response_sent) pump_response_body(s);
  if (s.ph == phase::tunnel) pump_tunnel(s);
}

// Sends what is left of `out` to the client; true once it is all queued.
bool http_proxy::flush_out(session& s) {
  if (s.out_sent == s.out_len || !s.response_sent) return true;
  s.out_sent += tcp_.send_copy(s.client, s.out.get() + s.out_sent, s.out_len - s.out_sent);
  return s.out_sent == s.out_len;
}

// ---- request head --------------------------------------------------------------------------

void http_proxy::read_request_head(session& s) {
  const tcpstack::rx_view v = tcp_.readable(s.client);
  if (s.in_len == 0) {
    s.started_ns = now_ns_;
    // The header timeout runs from the request's first byte (nginx client_header_timeout).
    s.deadline_ns = now_ns_ + settings_.client_header_timeout_ms * k_ns_per_ms;
  }
  const uint32_t end = gather_head(v, s.in.get(), s.in_len, s.buffer_bytes, s.scan_from);
  if (end == 0) {
    if (s.in_len < s.buffer_bytes) return;
    // RFC 9112 §3: a request line too long is 414, a head too large 431 (RFC 6585 §5).
    const bool line = std::memchr(s.in.get(), '\n', s.in_len) == nullptr &&
                      s.in_len > settings_.max_request_line;
    counters_.add(counter::proxy_bad_requests);
    answer_error(s, line ? 414 : 431, R"({"message":"Request header too large"})", true);
    return;
  }
  const http::feed_result r = s.req.feed({s.in.get(), end});
  if (r.what != http::event::head) {
    const uint16_t status =
        r.what == http::event::error ? http::status_of(s.req.last_error()) : 400;
    counters_.add(counter::proxy_bad_requests);
    answer_error(s, status, R"({"message":"Bad request"})", true);
    return;
  }
  tcp_.consume(s.client, static_cast<uint32_t>(r.consumed));
  s.request_bytes = r.consumed;
  s.head_len = end;
  start_request(s);
}

void http_proxy::start_request(session& s) {
  const http::message_head& h = s.req.head();
  counters_.add(counter::proxy_requests);
  s.method = h.method;
  s.client_keep_alive = h.keep_alive;
  s.client_http10 = h.version_minor == 0;
  s.dechunk = false;
  s.upgrade = h.upgrade;
  s.ph = phase::upstream;
  access_log_record& rec = s.record;
  rec = {};
  rec.started_ns = s.started_ns;
  rec.client_ip = s.client_ip;
  copy_text(rec.method, h.method_token);
  copy_text(rec.host, h.host);
  copy_text(rec.uri, h.target);
  if (!route_request(s)) return;
  if (!waf_check_head(s)) return;
  if (!pick_peer(s)) return;
  start_try(s);
}

// Kong's router (kong.md §2): no match is a 404, an https-only route a 426 or redirect.
bool http_proxy::route_request(session& s) {
  hold_snapshot(s);  // the exchange runs under the routes it was matched with
  const http::message_head& h = s.req.head();
  const size_t q = h.target.find('?');
  const std::string_view raw_path = h.target.substr(0, q);
  const std::string_view query =
      q == std::string_view::npos ? std::string_view{} : h.target.substr(q);
  const auto path =
      router::normalize_path(raw_path, {path_buf_.get(), settings_.max_request_line + 1});
  router::field_list_source<http::header_field> headers(h.fields);
  router::match_input in{h.method_token, h.host,  path.value_or(raw_path),
                         query,          {},      router::scheme::http,
                         s.listen_port,  &headers};
  router::match_result m;
  const size_t target_cap = target_bytes();
  const router::match_status st =
      path && raw_path.starts_with('/')
          ? cur_->state.router->match(in, match_scratch_, {target_buf_.get(), target_cap}, m)
          : router::match_status::no_route;
  const bool close = h.framing != http::body_framing::none || !h.keep_alive;
  switch (st) {
    case router::match_status::matched:
      break;
    case router::match_status::no_route:
      counters_.add(counter::proxy_no_route);
      answer_error(s, 404, router::k_no_route_body, close);
      return false;
    case router::match_status::https_required:
      answer_error(s, 426, router::k_https_required_body, close);
      return false;
    case router::match_status::target_too_long:
      answer_error(s, 414, R"({"message":"URI Too Long"})", close);
      return false;
  }
  s.route = m.route;
  s.service = m.service;
  last_captures_.count = 0;
  if (m.uri_captures.any()) last_captures_ = m.uri_captures;
  if (s.service == nullptr) {
    answer_error(s, 503, k_no_service_body, close);
    return false;
  }
  if (s.service->protocol != mgmt::protocol_type::http) {
    // TLS towards origins (https, grpcs) arrives with P7; plaintext to a TLS port would
    // only produce garbage, so the gateway says it cannot reach the upstream.
    counters_.add(counter::proxy_tls_upstream_unsupported);
    answer_error(s, 502, k_bad_gateway_body, close);
    return false;
  }
  s.record.route = m.route->index;
  s.record.service = m.service->index;
  copy_text(s.record.upstream_uri, m.upstream_target);
  // The upstream head is written once the peer is known (its Host may come from it, and
  // differs per try); the router's views into per-lcore buffers are kept in the session.
  const std::string_view strip = m.route->strip_path ? m.matched_path : std::string_view{};
  char* plan = s.plan.get();
  std::memcpy(plan, m.upstream_target.data(), m.upstream_target.size());
  if (!strip.empty()) std::memcpy(plan + m.upstream_target.size(), strip.data(), strip.size());
  s.upstream_target = {plan, m.upstream_target.size()};
  s.strip_prefix = {plan + m.upstream_target.size(), strip.size()};
  s.upstream_host = m.upstream_host;  // a service's, or the client's Host: both outlive the try
  s.request_path = raw_path;          // in `in`, untouched until the response head arrives
  return true;
}

// ---- request body --------------------------------------------------------------------------

void http_proxy::pump_request_body(session& s) {
  if (s.up == nullptr || !s.up->connected) return;
  const tcpstack::rx_view v = tcp_.readable(s.client);
  const uint32_t space = tcp_.send_space(s.up->id);
  waf_decision stop{};
  const body_step st = feed_body(s.req, v, std::min(space, v.length), [&](std::string_view d) {
    if (s.waf == nullptr || s.waf->awaiting_response) return;
    stop = lane_of(s.snap)->body(*s.waf, d);
    if (stop.block) s.waf = nullptr;  // the lane released it with its verdict
  });
  if (!st.failed && st.done && s.waf != nullptr && !s.waf->awaiting_response) {
    // Phase 2 speaks before the last bytes leave: a refused request never arrives whole.
    stop = lane_of(s.snap)->finish(*s.waf, !s.response_started);
    if (!stop.held) s.waf = nullptr;
  }
  if (stop.block) {
    answer_blocked(s, stop, !st.done);
    return;
  }
  if (st.failed) {
    counters_.add(counter::proxy_bad_requests);
    const uint16_t status = http::status_of(s.req.last_error());
    release_link(s, link_end::abort);
    if (!s.response_sent) {
      answer_error(s, status != 0 ? status : 400, R"({"message":"Bad request"})", true);
    } else {
      tcp_.abort(s.client);
      s.client_open = false;
      release_session(s);
    }
    return;
  }
  if (st.raw != 0) {
    s.body_started = true;
    s.request_bytes += st.raw;
    if (!move_bytes(tcp_, s.client, s.up->id, st.raw)) counters_.add(counter::proxy_move_failed);
    s.deadline_ns = now_ns_ + s.service->write_timeout * k_ns_per_ms;
  }
  if (st.done) s.request_done = true;
}

// ---- end of an exchange --------------------------------------------------------------------

void http_proxy::finish_exchange(session& s) {
  counters_.add(counter::proxy_responses);
  if (s.has_peer) {
    const uint64_t rtt_us = (now_ns_ - s.upstream_sent_ns) / 1000;
    balancer_.finish(s.peer, rtt_us, now_ns_ / 1000);
    s.has_peer = false;
  }
  // The upstream connection is reusable only when both messages ended cleanly on it.
  const bool reusable = s.request_done && s.resp.head().keep_alive;
  if (s.up != nullptr) release_link(s, reusable ? link_end::keep : link_end::close);
  log_exchange(s);
  if (s.close_after || !s.request_done || !s.client_keep_alive) {
    close_client(s);
    return;
  }
  next_request(s);
}

void http_proxy::answer_error(session& s, uint16_t status, std::string_view body, bool close) {
  waf_abandon(s);
  if (s.up != nullptr) release_link(s, link_end::abort);
  if (s.has_peer) {
    balancer_.finish(s.peer, 0, now_ns_ / 1000);
    s.has_peer = false;
  }
  switch (status) {
    case 408:
      counters_.add(counter::proxy_status_408);
      break;
    case 502:
      counters_.add(counter::proxy_status_502);
      break;
    case 503:
      counters_.add(counter::proxy_status_503);
      break;
    case 504:
      counters_.add(counter::proxy_status_504);
      break;
    default:
      break;
  }
  const http::write_result w =
      write_error(out_span(s), status, body, close || !s.client_keep_alive);
  s.status = status;
  s.out_len = static_cast<uint32_t>(w.size);
  s.out_sent = 0;
  s.response_sent = true;
  s.response_bytes = w.size;
  flush_out(s);
  if (s.ph == phase::upstream) log_exchange(s);
  // A request whose body was not read, or a broken one, leaves the framing in doubt: close.
  if (close || !s.client_keep_alive || s.out_sent != s.out_len) {
    close_client(s);
    return;
  }
  next_request(s);
}

// The end of an exchange the router matched or tried to: route and service figures, then the
// access-log record.
void http_proxy::log_exchange(session& s) {
  const auto latency_ms = static_cast<uint32_t>((now_ns_ - s.started_ns) / k_ns_per_ms);
  if (s.snap == nullptr) return;  // answered before routing: not an exchange
  lcore_traffic& t = *s.snap->traffic[ordinal_];
  if (s.record.route < t.routes.size()) t.routes[s.record.route].add(s.status, latency_ms);
  if (s.record.service < t.services.size()) t.services[s.record.service].add(s.status, latency_ms);
  if (s.target_upstream != UINT32_MAX) {
    if (s.target_upstream < t.upstreams.size()) {
      t.upstreams[s.target_upstream].add(s.status, latency_ms);
    }
    if (traffic_stats* ts = t.target(s.target_upstream, s.target_index)) {
      ts->add(s.status, latency_ms);
    }
  }
  if (log_ == nullptr) return;
  access_log_record& r = s.record;
  r.router = s.snap->state.router.get();
  r.request_size = s.request_bytes;
  r.response_size = s.response_bytes;
  r.status = s.status;
  r.upstream_status = s.upstream_status;
  r.tries = s.tries;
  r.upstream_ip = s.peer_ip;
  r.upstream_port = s.peer_port;
  r.latency_request_ms = latency_ms;
  if (s.response_head_ns > s.upstream_sent_ns && s.upstream_sent_ns >= s.started_ns) {
    r.latency_proxy_ms =
        static_cast<uint32_t>((s.response_head_ns - s.upstream_sent_ns) / k_ns_per_ms);
  }
  if (!log_->push(r)) counters_.add(counter::proxy_log_dropped);
}

// ---- timers --------------------------------------------------------------------------------

void http_proxy::expire(session& s) {
  switch (s.ph) {
    case phase::head:
      if (s.in_len != 0 || tcp_.readable(s.client).length != 0) {
        // Slow headers (slowloris): RFC 9110 §15.5.9.
        counters_.add(counter::proxy_header_timeouts);
        answer_error(s, 408, R"({"message":"Request timeout"})", true);
      } else {
        counters_.add(counter::proxy_idle_closed);
        close_client(s);
      }
      break;
    case phase::upstream:
      counters_.add(counter::proxy_upstream_timeouts);
      if (!s.response_sent) {
        // A connect timeout is retried like a refused connect (nginx proxy_next_upstream).
        fail_try(s, balancer::check_result::timed_out(), s.up != nullptr && !s.up->connected);
      } else {
        if (s.has_peer) report(s.peer, balancer::check_result::timed_out());
        release_link(s, link_end::abort);
        tcp_.abort(s.client);
        s.client_open = false;
        release_session(s);
      }
      break;
    case phase::tunnel:
      s.deadline_ns = UINT64_MAX;
      break;
    case phase::closing:
      s.deadline_ns = UINT64_MAX;
      if (s.close_pending) {
        // The client stopped reading our last answer: give up on it.
        tcp_.abort(s.client);
        s.client_open = false;
        release_session(s);
      } else if (s.lingering) {
        tcp_.consume(s.client, UINT32_MAX);
        tcp_.close(s.client);  // lingered long enough; later bytes get a reset
      }
      break;
  }
}

uint32_t http_proxy::poll(uint64_t now_ns) {
  now_ns_ = now_ns;
  uint32_t work = 0;
  if (const snapshot* next = offered_.load(std::memory_order_acquire); next != cur_) adopt(next);
  if (now_ns >= next_sweep_ns_) {
    next_sweep_ns_ = now_ns + k_sweep_ns;
    for (session& s : sessions_) {
      if (s.in_use && s.resume && s.ph == phase::head) {
        s.resume = false;
        read_request_head(s);
      }
      if (s.in_use && s.client_open && s.deadline_ns <= now_ns) {
        expire(s);
        ++work;
      }
    }
    expire_idle_links();
    expire_probes();
  }
  if (now_ns >= next_probe_ns_) {
    next_probe_ns_ = now_ns + 100 * k_ns_per_ms;
    start_probes();
  }
  work += apply_peer_health();
  return work;
}

// ---- snapshots -----------------------------------------------------------------------------

// Between two events no exchange is half-way through a call, so the switch is safe here;
// rebinding the balancer allocates, which a reload may cost once per lcore.
void http_proxy::adopt(const snapshot* next) {
  if (cur_users_ != 0) {
    if (held_count_ == held_.size()) {
      counters_.add(counter::proxy_reload_deferred);  // retried on the next poll
      return;
    }
    held_[held_count_++] = {cur_, cur_users_};
  }
  cur_ = next;
  cur_users_ = 0;
  balancer_.rebind(next->state.balancing, now_ns_ / 1000);
  // Probes point into the old balancing; the new schedule probes again.
  for (probe_slot& p : probes_) {
    if (!p.in_use) continue;
    tcp_.abort(p.id);
    p.in_use = false;
  }
  counters_.add(counter::proxy_reloads);
  publish_oldest();
}

void http_proxy::hold_snapshot(session& s) {
  s.snap = cur_;
  ++cur_users_;
}

void http_proxy::drop_snapshot(session& s) {
  waf_abandon(s);  // its transaction lives in the snapshot's lane
  const snapshot* sn = s.snap;
  if (sn == nullptr) return;
  s.snap = nullptr;
  s.route = nullptr;  // they point into the snapshot
  s.service = nullptr;
  if (sn == cur_) {
    --cur_users_;
    return;
  }
  for (uint32_t i = 0; i < held_count_; ++i) {
    if (held_[i].snap != sn) continue;
    if (--held_[i].users == 0) {
      held_[i] = held_[--held_count_];
      publish_oldest();
    }
    return;
  }
}

void http_proxy::publish_oldest() {
  uint32_t g = cur_->generation;
  for (uint32_t i = 0; i < held_count_; ++i) g = std::min(g, held_[i].snap->generation);
  oldest_in_use_.store(g, std::memory_order_release);
}

waf_lane* http_proxy::lane_of(const snapshot* s) const {
  return s == nullptr || s->lanes.empty() ? nullptr : s->lanes[ordinal_].get();
}

// ---- handler plumbing ----------------------------------------------------------------------

template <int K>
void handler_of<K>::on_accepted(conn_id c, void* opaque) {
  if constexpr (K == http_proxy::client_kind) proxy_.client_accepted(c, opaque);
}
template <int K>
void handler_of<K>::on_connected(conn_id, void* opaque) {
  if constexpr (K == http_proxy::upstream_kind) {
    proxy_.upstream_connected(*static_cast<http_proxy::link*>(opaque));
  } else if constexpr (K == http_proxy::probe_kind) {
    proxy_.probe_connected(*static_cast<http_proxy::probe_slot*>(opaque));
  }
}
template <int K>
void handler_of<K>::on_readable(conn_id, void* opaque, tcpstack::rx_view) {
  if constexpr (K == http_proxy::client_kind) {
    proxy_.client_readable(*static_cast<http_proxy::session*>(opaque));
  } else if constexpr (K == http_proxy::upstream_kind) {
    proxy_.upstream_readable(*static_cast<http_proxy::link*>(opaque));
  } else {
    proxy_.probe_readable(*static_cast<http_proxy::probe_slot*>(opaque));
  }
}
template <int K>
void handler_of<K>::on_writable(conn_id, void* opaque) {
  if constexpr (K == http_proxy::client_kind) {
    proxy_.client_writable(*static_cast<http_proxy::session*>(opaque));
  } else if constexpr (K == http_proxy::upstream_kind) {
    proxy_.upstream_writable(*static_cast<http_proxy::link*>(opaque));
  }
}
template <int K>
void handler_of<K>::on_peer_closed(conn_id, void* opaque) {
  if constexpr (K == http_proxy::client_kind) {
    proxy_.client_peer_closed(*static_cast<http_proxy::session*>(opaque));
  } else if constexpr (K == http_proxy::upstream_kind) {
    proxy_.upstream_peer_closed(*static_cast<http_proxy::link*>(opaque));
  } else {
    proxy_.probe_peer_closed(*static_cast<http_proxy::probe_slot*>(opaque));
  }
}
template <int K>
void handler_of<K>::on_closed(conn_id, void* opaque, close_reason r) {
  if constexpr (K == http_proxy::client_kind) {
    proxy_.client_closed(*static_cast<http_proxy::session*>(opaque), r);
  } else if constexpr (K == http_proxy::upstream_kind) {
    proxy_.upstream_closed(*static_cast<http_proxy::link*>(opaque), r);
  } else {
    proxy_.probe_closed(*static_cast<http_proxy::probe_slot*>(opaque));
  }
}

template class handler_of<http_proxy::client_kind>;
template class handler_of<http_proxy::upstream_kind>;
template class handler_of<http_proxy::probe_kind>;

}  // namespace ravelin::dataplane::proxy
