// The upstream side of the proxy: peer choice (balancer or the service's own address), the
// per-lcore connection pool, tries and retries (kong.md §4: a new pick per try, the previous
// one reported), response heads and bodies, and WebSocket tunnels.
#include <algorithm>
#include <cstring>

#include "../services/splice.h"
#include "ravelin/router/path.h"
#include "flow.h"
#include "proxy.h"
#include "rewrite.h"
#include "snapshot.h"
#include "state.h"

namespace ravelin::dataplane::proxy {

using tcpstack::close_reason;

namespace {

// Kong's upstream_keepalive_max_requests and upstream_keepalive_idle_timeout (kong.md §0).
constexpr uint32_t k_link_max_requests = 10000;
constexpr uint64_t k_link_idle_ns = 60'000 * k_ns_per_ms;

// The request attributes consistent hashing may key on; the consumer is absent until auth
// plugins identify one, which sends the balancer to hash_fallback as Kong does for an
// anonymous request.
class request_hash_source final : public balancer::hash_source {
 public:
  request_hash_source(const http::message_head& h, std::string_view path, std::string_view ip,
                      const router::captures* captures)
      : head_(h), path_(path), ip_(ip), captures_(captures) {}
  std::optional<std::string_view> consumer_id() const override { return std::nullopt; }
  std::optional<std::string_view> client_ip() const override { return ip_; }
  std::optional<std::string_view> header(std::string_view name) const override {
    const http::header_field* f = http::find_field(head_.fields, name);
    if (f == nullptr) return std::nullopt;
    return f->value;
  }
  std::optional<std::string_view> cookie(std::string_view name) const override {
    for (const http::header_field& f : head_.fields) {
      if (!http::iequals(f.name, "cookie")) continue;
      std::string_view v = f.value;
      while (!v.empty()) {
        const size_t semi = v.find(';');
        std::string_view pair = v.substr(0, semi);
        v = semi == std::string_view::npos ? std::string_view{} : v.substr(semi + 1);
        while (pair.starts_with(' ')) pair.remove_prefix(1);
        if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
          return pair.substr(name.size() + 1);
        }
      }
    }
    return std::nullopt;
  }
  std::optional<std::string_view> path() const override { return path_; }
  // The first `name=value` of the query, value percent-decoded as ngx.req.get_uri_args
  // gives it to Kong's balancer; a bare `name` is an empty value (RFC 3986 §3.4 leaves the
  // format to the application; this is the HTML form convention).
  std::optional<std::string_view> query_arg(std::string_view name) const override {
    const size_t q = head_.target.find('?');
    if (q == std::string_view::npos || name.empty()) return std::nullopt;
    std::string_view rest = head_.target.substr(q + 1);
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      if (!pair.starts_with(name)) continue;
      if (pair.size() == name.size()) return std::string_view{};
      if (pair[name.size()] == '=') return decode(pair.substr(name.size() + 1));
    }
    return std::nullopt;
  }
  // A named group of the route's regex path (ngx.ctx.router_matches.uri_captures[name]).
  std::optional<std::string_view> uri_capture(std::string_view name) const override {
    if (captures_ == nullptr || !captures_->any()) return std::nullopt;
    return captures_->named(name);
  }

 private:
  // Decodes %XX and '+' into decoded_; a value longer than the buffer is hashed as sent.
  std::string_view decode(std::string_view v) const {
    if (v.size() > sizeof(decoded_)) return v;
    size_t n = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      const int hi = v[i] == '%' && i + 2 < v.size() ? router::hex_digit(v[i + 1]) : -1;
      const int lo = hi >= 0 ? router::hex_digit(v[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        decoded_[n++] = static_cast<char>(hi * 16 + lo);
        i += 2;
      } else {
        decoded_[n++] = v[i] == '+' ? ' ' : v[i];
      }
    }
    return {decoded_, n};
  }

  const http::message_head& head_;
  std::string_view path_;
  std::string_view ip_;
  const router::captures* captures_;
  mutable char decoded_[256];
};

}  // namespace

// ---- peers and tries -----------------------------------------------------------------------

bool http_proxy::pick_peer(session& s) {
  const bool close = s.req.head().framing != http::body_framing::none;
  ++s.tries;
  if (!s.service->upstream) {
    // A service host that is an address or a name (snapshot.h resolved it): DNS round robin
    // over its addresses by try, as Kong's balancer does for a plain host.
    const auto& ips = s.snap->hosts.services[s.service->index];
    if (ips.empty()) {
      answer_error(s, 503, k_name_resolution_body, close);
      return false;
    }
    s.peer_ip = ips[(dns_turn_++) % ips.size()];
    s.peer_port = s.service->port;
    return true;
  }
  // The balancer runs the newest snapshot; an exchange routed under an older one finds its
  // upstream again by name.
  uint32_t upstream = *s.service->upstream;
  if (s.snap != cur_) {
    const balancer::upstream_info* u = balancer_.config()->find(s.service->host);
    if (u == nullptr) {
      answer_error(s, 503, k_no_peer_body, close);
      return false;
    }
    upstream = u->index;
  }
  char ip_text[16];
  // The hash is taken on the first try, right after routing, while the captures (views into
  // this lcore's path buffer) are still the request's own.
  request_hash_source hs(s.req.head(), s.request_path, format_ipv4(s.client_ip, ip_text),
                         s.tries == 1 ? &last_captures_ : nullptr);
  const balancer::pick_status st = balancer_.pick(upstream, &hs, s.rs, s.peer, now_ns_ / 1000);
  if (st != balancer::pick_status::ok) {
    answer_error(s, 503, k_no_peer_body, close);
    return false;
  }
  s.has_peer = true;
  s.peer_port = s.peer.port;
  s.peer_ip = balancer_.config()->upstreams()[s.peer.upstream].targets[s.peer.target].ipv4;
  if (s.snap == cur_) {
    s.target_upstream = s.peer.upstream;
    s.target_index = s.peer.target;
  }
  if (s.peer_ip == 0) {
    answer_error(s, 503, k_name_resolution_body, close);
    return false;
  }
  return true;
}

void http_proxy::start_try(session& s) {
  // Host: the route's choice, else the balanced target's (balancer set_host_header).
  char host_buf[512];
  std::string_view host = s.upstream_host;
  if (host.empty() && s.has_peer) {
    const auto& ups = balancer_.config()->upstreams()[s.peer.upstream];
    host = balancer::upstream_host_header(ups, s.peer, s.service->protocol, host_buf);
  }
  const forward_facts facts{host,           s.client_ip,    s.listen_port,
                            s.request_path, s.strip_prefix, s.upgrade};
  const http::write_result w =
      write_upstream_request(out_span(s), s.req.head(), s.upstream_target, facts, compose_span());
  if (w.status != http::write_status::ok) {
    answer_error(s, w.status == http::write_status::no_space ? 431 : 400,
                 R"({"message":"Bad request"})", true);
    return;
  }
  s.out_len = static_cast<uint32_t>(w.size);
  s.out_sent = 0;
  s.head_sent = false;
  s.resp = http::parser(http::role::response, response_limits_,
                        {s.resp_fields.get(), response_limits_.max_fields},
                        {s.resp_scratch.get(), k_scratch_bytes});
  s.resp.expect_response(s.method, s.upgrade);
  s.in_len = s.scan_from = 0;

  link* l = take_idle_link(s.peer_ip, s.peer_port);
  if (l != nullptr) {
    counters_.add(counter::proxy_upstream_reused);
  } else {
    l = connect_link(s);
    if (l == nullptr) {
      fail_try(s, balancer::check_result::tcp_failed(), true);
      return;
    }
  }
  s.up = l;
  l->owner = &s;
  s.deadline_ns = now_ns_ + (l->connected ? s.service->write_timeout : s.service->connect_timeout) *
                                k_ns_per_ms;
  if (l->connected) send_request_head(s);
}

bool http_proxy::send_request_head(session& s) {
  s.out_sent += tcp_.send_copy(s.up->id, s.out.get() + s.out_sent, s.out_len - s.out_sent);
  if (s.out_sent != s.out_len) return false;
  s.head_sent = true;
  s.upstream_sent_ns = now_ns_;
  s.deadline_ns = now_ns_ + s.service->read_timeout * k_ns_per_ms;
  pump_request_body(s);
  if (s.request_done) s.deadline_ns = now_ns_ + s.service->read_timeout * k_ns_per_ms;
  return true;
}

// A try failed before any response reached the client: report it, then retry (Kong's
// service.retries, nginx proxy_next_upstream error/timeout) while no body byte has gone
// upstream, else answer 502, or 504 when the upstream timed out.
void http_proxy::fail_try(session& s, balancer::check_result outcome, bool retryable) {
  if (s.up != nullptr) release_link(s, link_end::abort);
  if (s.has_peer) {
    report(s.peer, outcome);
    balancer_.finish(s.peer, 0, now_ns_ / 1000);
    s.has_peer = false;
  }
  const bool timeout = outcome.what == balancer::check_result::kind::timeout;
  if (retryable && !s.body_started && !s.response_started && s.tries <= s.service->retries) {
    counters_.add(counter::proxy_retries);
    if (pick_peer(s)) start_try(s);
    return;
  }
  const bool close = s.req.head().framing != http::body_framing::none && !s.request_done;
  answer_error(s, timeout ? 504 : 502, timeout ? k_timeout_body : k_bad_gateway_body, close);
}

// ---- responses -----------------------------------------------------------------------------

void http_proxy::read_response_head(session& s) {
  for (;;) {
    const tcpstack::rx_view v = tcp_.readable(s.up->id);
    if (v.length == 0) return;
    s.response_started = true;
    const uint32_t end = gather_head(v, s.in.get(), s.in_len, s.buffer_bytes, s.scan_from);
    if (end == 0) {
      if (s.in_len == s.buffer_bytes) break;  // a head larger than we accept: invalid
      return;
    }
    const http::feed_result r = s.resp.feed({s.in.get(), end});
    if (r.what != http::event::head) break;
    tcp_.consume(s.up->id, end);
    s.in_len = s.scan_from = 0;
    const http::message_head& h = s.resp.head();
    if (h.status >= 200 || h.status == 101) {
      start_response(s);
      return;
    }
    // RFC 9110 §15.2: interim responses (100 Continue, 103) go to the client as they come.
    const http::write_result w = write_client_response(out_span(s), h, false, compose_span());
    if (w.status == http::write_status::ok) {
      tcp_.send_copy(s.client, s.out.get(), static_cast<uint32_t>(w.size));
    }
    if (s.resp.feed({}).what != http::event::done) break;
  }
  counters_.add(counter::proxy_bad_responses);
  fail_try(s, balancer::check_result::http(0), false);
}

void http_proxy::start_response(session& s) {
  const http::message_head& h = s.resp.head();
  s.status = s.upstream_status = h.status;
  s.response_head_ns = now_ns_;
  // Passive health check (circuit breaker) on every response status (kong.md §4).
  if (s.has_peer) report(s.peer, balancer::check_result::http(h.status));
  if (h.status == 101) {
    if (!s.upgrade) {
      fail_try(s, balancer::check_result::http(0), false);
      return;
    }
    start_tunnel(s);
    return;
  }
  if (s.upgrade) s.req.resume();  // the upgrade was refused: HTTP goes on (parser.h)
  if (s.waf != nullptr && !waf_check_response(s)) return;
  send_response_head(s);
}

void http_proxy::send_response_head(session& s) {
  const http::message_head& h = s.resp.head();
  // RFC 9112 §7.1: chunked is for HTTP/1.1 recipients; an HTTP/1.0 client gets the decoded
  // body delimited by the close instead.
  s.dechunk = s.client_http10 && h.framing == http::body_framing::chunked;
  s.close_after = !s.client_keep_alive || s.client_eof || s.dechunk ||
                  h.framing == http::body_framing::until_close;
  const http::write_result w =
      write_client_response(out_span(s), h, s.close_after, compose_span(), s.dechunk);
  if (w.status != http::write_status::ok) {
    counters_.add(counter::proxy_bad_responses);
    fail_try(s, balancer::check_result::http(0), false);
    return;
  }
  s.out_len = static_cast<uint32_t>(w.size);
  s.out_sent = 0;
  s.response_sent = true;
  s.response_bytes = w.size;
  s.deadline_ns = now_ns_ + s.service->read_timeout * k_ns_per_ms;
  pump_response_body(s);
}

void http_proxy::pump_response_body(session& s) {
  if (!flush_out(s) || s.up == nullptr) return;
  const tcpstack::rx_view v = tcp_.readable(s.up->id);
  const uint32_t space = tcp_.send_space(s.client);
  body_step st = s.dechunk ? dechunk_body(s.resp, v, std::min(space, v.length), tcp_, s.client)
                           : feed_body(s.resp, v, std::min(space, v.length));
  if (!st.failed && !st.done && s.up->eof && st.raw == v.length) {
    // RFC 9112 §6.3: the close ends a body read until close; anything else is truncated.
    const http::feed_result r = s.resp.finish();
    st.done = r.what == http::event::done;
    st.failed = !st.done;
  }
  if (st.raw != 0) {
    s.response_bytes += st.raw;
    if (s.dechunk) {
      tcp_.consume(s.up->id, st.raw);  // the decoded bytes went out in dechunk_body()
    } else if (!move_bytes(tcp_, s.up->id, s.client, st.raw)) {
      counters_.add(counter::proxy_move_failed);
    }
    s.deadline_ns = now_ns_ + s.service->read_timeout * k_ns_per_ms;
  }
  if (st.failed) {
    // The head is out: the client can only learn of the failure from a reset.
    counters_.add(counter::proxy_bad_responses);
    if (s.has_peer) report(s.peer, balancer::check_result::tcp_failed());
    release_link(s, link_end::abort);
    tcp_.abort(s.client);
    s.client_open = false;
    release_session(s);
    return;
  }
  if (st.done) finish_exchange(s);
}

// ---- tunnels (RFC 9110 §7.8) ---------------------------------------------------------------

void http_proxy::start_tunnel(session& s) {
  const http::write_result w =
      write_client_response(out_span(s), s.resp.head(), false, compose_span());
  s.out_len = w.status == http::write_status::ok ? static_cast<uint32_t>(w.size) : 0;
  s.out_sent = 0;
  s.response_sent = true;
  s.req.start_tunnel();
  s.ph = phase::tunnel;
  s.deadline_ns = UINT64_MAX;
  counters_.add(counter::proxy_upgrades);
  log_exchange(s);
  // A tunnel may last for hours; it needs nothing of the config, so it does not hold a
  // snapshot (and later reloads) back.
  drop_snapshot(s);
  pump_tunnel(s);
}

void http_proxy::pump_tunnel(session& s) {
  if (!flush_out(s) || s.up == nullptr) return;
  splice(tcp_, s.up->id, s.client);
  splice(tcp_, s.client, s.up->id);
  // Either side's end ends the tunnel once its bytes are across.
  const bool up_done = s.up->eof && tcp_.readable(s.up->id).length == 0;
  const bool client_done = s.client_eof && tcp_.readable(s.client).length == 0;
  if (up_done || client_done) {
    if (s.has_peer) {
      balancer_.finish(s.peer, 0, now_ns_ / 1000);
      s.has_peer = false;
    }
    s.request_done = true;
    release_link(s, link_end::close);
    close_client(s);
  }
}

// ---- the connection pool -------------------------------------------------------------------

http_proxy::link* http_proxy::take_idle_link(uint32_t ip, uint16_t port) {
  for (link* l = idle_head_; l != nullptr; l = l->idle_next) {
    if (l->ip != ip || l->port != port) continue;
    unlink_idle(*l);
    return l;
  }
  return nullptr;
}

http_proxy::link* http_proxy::connect_link(session& s) {
  if (free_links_.empty()) {
    counters_.add(counter::proxy_no_link);
    return nullptr;
  }
  link* l = free_links_.back();
  const tcpstack::conn_id id = tcp_.connect(s.peer_ip, s.peer_port, &upstream_handler_, l);
  if (!id.valid()) {
    counters_.add(counter::proxy_connect_failed);
    return nullptr;
  }
  free_links_.pop_back();
  *l = link{};
  l->id = id;
  l->ip = s.peer_ip;
  l->port = s.peer_port;
  l->open = true;
  counters_.add(counter::proxy_upstream_connects);
  return l;
}

void http_proxy::release_link(session& s, link_end how) {
  const bool reusable = how == link_end::keep;
  link* l = s.up;
  s.up = nullptr;
  if (l == nullptr) return;
  l->owner = nullptr;
  ++l->requests;
  if (reusable && l->open && !l->eof && l->requests < k_link_max_requests &&
      tcp_.readable(l->id).length == 0) {
    l->idle = true;
    l->idle_since_ns = now_ns_;
    l->idle_prev = nullptr;
    l->idle_next = idle_head_;
    if (idle_head_ != nullptr) idle_head_->idle_prev = l;
    idle_head_ = l;
    return;
  }
  if (!l->open) {
    free_links_.push_back(l);
  } else if (how != link_end::abort || l->eof) {
    // A finished exchange: close politely; on_closed returns the link to the free list.
    tcp_.close(l->id);
  } else {
    drop_link(*l);
  }
}

void http_proxy::drop_link(link& l) {
  if (l.idle) unlink_idle(l);
  if (l.open) tcp_.abort(l.id);
  l.open = false;
  free_links_.push_back(&l);
}

void http_proxy::expire_idle_links() {
  for (link* l = idle_head_; l != nullptr;) {
    link* next = l->idle_next;
    if (now_ns_ - l->idle_since_ns >= k_link_idle_ns) {
      unlink_idle(*l);
      counters_.add(counter::proxy_upstream_idle_closed);
      tcp_.close(l->id);
    }
    l = next;
  }
}

void http_proxy::unlink_idle(link& l) {
  if (l.idle_prev != nullptr) l.idle_prev->idle_next = l.idle_next;
  if (l.idle_next != nullptr) l.idle_next->idle_prev = l.idle_prev;
  if (idle_head_ == &l) idle_head_ = l.idle_next;
  l.idle_prev = l.idle_next = nullptr;
  l.idle = false;
}

// ---- upstream connection events ------------------------------------------------------------

void http_proxy::upstream_connected(link& l) {
  l.connected = true;
  if (l.owner != nullptr && !l.owner->head_sent) send_request_head(*l.owner);
}

void http_proxy::upstream_writable(link& l) {
  session* s = l.owner;
  if (s == nullptr) return;
  if (s->ph == phase::tunnel) {
    pump_tunnel(*s);
  } else if (!s->head_sent) {
    send_request_head(*s);
  } else if (!s->request_done) {
    pump_request_body(*s);
  }
}

void http_proxy::upstream_readable(link& l) {
  session* s = l.owner;
  if (s == nullptr) {
    // RFC 9112 §9.3: bytes on an idle connection answer nothing; it cannot be reused.
    if (l.idle) unlink_idle(l);
    drop_link(l);
    return;
  }
  if (s->ph == phase::tunnel) {
    pump_tunnel(*s);
  } else if (s->waf_hold) {
    if (waf_resume_response(*s)) send_response_head(*s);
  } else if (!s->response_sent) {
    read_response_head(*s);
  } else {
    pump_response_body(*s);
  }
}

void http_proxy::upstream_peer_closed(link& l) {
  l.eof = true;
  session* s = l.owner;
  if (s == nullptr) {
    if (l.idle) unlink_idle(l);
    tcp_.close(l.id);  // the origin closed an idle connection (its keep-alive timeout)
    return;
  }
  if (s->ph == phase::tunnel) {
    pump_tunnel(*s);
  } else if (s->response_sent) {
    pump_response_body(*s);
  } else if (s->waf_hold) {
    if (waf_resume_response(*s)) send_response_head(*s);
  } else if (tcp_.readable(l.id).length == 0 || !s->response_started) {
    // Closed before a complete response head: a reused connection the origin had already
    // given up is retried like a connect failure (kong.md §4).
    counters_.add(counter::proxy_upstream_closed_early);
    fail_try(*s, balancer::check_result::tcp_failed(), l.requests > 0);
  } else {
    read_response_head(*s);
    if (s->up == &l && !s->response_sent) fail_try(*s, balancer::check_result::http(0), false);
  }
}

void http_proxy::upstream_closed(link& l, close_reason r) {
  l.open = false;
  session* s = l.owner;
  if (s == nullptr) {
    if (l.idle) unlink_idle(l);
    free_links_.push_back(&l);
    return;
  }
  const bool was_connected = l.connected;
  s->up = nullptr;
  l.owner = nullptr;
  free_links_.push_back(&l);
  if (!was_connected) {
    counters_.add(counter::proxy_connect_failed);
    fail_try(*s,
             r == close_reason::timed_out ? balancer::check_result::timed_out()
                                          : balancer::check_result::tcp_failed(),
             true);
  } else if (s->ph == phase::tunnel || s->response_sent) {
    if (s->ph != phase::tunnel && s->has_peer) {
      report(s->peer, balancer::check_result::tcp_failed());
    }
    tcp_.abort(s->client);
    s->client_open = false;
    release_session(*s);
  } else {
    counters_.add(counter::proxy_upstream_closed_early);
    fail_try(*s, balancer::check_result::tcp_failed(), !s->response_started);
  }
}

}  // namespace ravelin::dataplane::proxy
