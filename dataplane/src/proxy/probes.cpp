// Active health checks driven from the lcore (lua-resty-healthcheck, kong.md §4): the
// balancer says which targets are due; a probe connects (tcp) or also sends a GET of
// active.http_path and reads the status line (http), then reports what it saw. HTTPS and
// gRPC probes need TLS (P7) and are reported as TCP-level probes for now.
#include <charconv>
#include <cstring>

#include <rte_ring.h>

#include "proxy.h"
#include "snapshot.h"
#include "state.h"

namespace ravelin::dataplane::proxy {

namespace {
}

void http_proxy::share_health(rte_ring* inbox, std::vector<rte_ring*> peers) {
  health_inbox_ = inbox;
  health_peers_ = std::move(peers);
}

void http_proxy::report(const balancer::peer& p, balancer::check_result r) {
  broadcast(p, balancer_.report(p, r, now_ns_ / 1000));
}

void http_proxy::report_probe(const balancer::peer& p, balancer::check_result r) {
  broadcast(p, balancer_.report_probe(p, r, now_ns_ / 1000));
}

void http_proxy::broadcast(const balancer::peer& p, balancer::health_change c) {
  if (!c.changed) return;
  health_event e{p.upstream, p.target, c.available ? 1U : 0U, cur_->generation};
  for (rte_ring* r : health_peers_) {
    if (rte_ring_mp_enqueue_elem(r, &e, sizeof e) != 0)
      counters_.add(counter::proxy_health_dropped);
  }
}

uint32_t http_proxy::apply_peer_health() {
  if (health_inbox_ == nullptr) return 0;
  health_event e;
  uint32_t n = 0;
  while (rte_ring_sc_dequeue_elem(health_inbox_, &e, sizeof e) == 0) {
    ++n;
    // Lcores switch snapshots a few polls apart; indices from another generation may name
    // other targets. Probes and traffic report again under the new one.
    if (e.generation != cur_->generation) {
      counters_.add(counter::proxy_health_stale);
      continue;
    }
    const auto ups = balancer_.config()->upstreams();
    if (e.upstream < ups.size() && e.target < ups[e.upstream].targets.size() &&
        balancer_.set_health(ups[e.upstream].spec.name, ups[e.upstream].targets[e.target].address,
                             e.available != 0, now_ns_ / 1000)) {
      counters_.add(counter::proxy_health_applied);
    }
  }
  return n;
}

void http_proxy::start_probes() {
  if (balancer_.config() == nullptr) return;
  balancer::probe due[16];
  const size_t n = balancer_.due_probes(now_ns_ / 1000, due);
  for (size_t i = 0; i < n; ++i) {
    probe_slot* slot = nullptr;
    for (probe_slot& p : probes_) {
      if (!p.in_use) {
        slot = &p;
        break;
      }
    }
    const uint32_t ip = due[i].upstream->targets[due[i].target.target].ipv4;
    if (slot == nullptr || ip == 0) {
      // No slot or no address: the balancer counts it lost and probes again later.
      counters_.add(counter::proxy_probes_skipped);
      continue;
    }
    const auto& active = due[i].upstream->spec.healthchecks.active;
    *slot = probe_slot{};
    slot->p = due[i];
    slot->http = active.type == mgmt::healthcheck_type::http;
    slot->deadline_ns = now_ns_ + static_cast<uint64_t>(active.timeout * 1000) * k_ns_per_ms;
    slot->id = tcp_.connect(ip, due[i].target.port, &probe_handler_, slot);
    if (!slot->id.valid()) {
      report_probe(slot->p.target, balancer::check_result::tcp_failed());
      continue;
    }
    slot->in_use = true;
    counters_.add(counter::proxy_probes_sent);
  }
}

void http_proxy::end_probe(probe_slot& p, balancer::check_result r) {
  if (p.reported) return;
  p.reported = true;
  report_probe(p.p.target, r);
  if (r.what != balancer::check_result::kind::tcp_success &&
      !(r.what == balancer::check_result::kind::http_status &&
        p.p.upstream->active_healthy.has(r.status))) {
    counters_.add(counter::proxy_probes_failed);
  }
}

void http_proxy::probe_connected(probe_slot& p) {
  if (!p.http) {
    end_probe(p, balancer::check_result::tcp_ok());
    tcp_.close(p.id);
    return;
  }
  const auto& active = p.p.upstream->spec.healthchecks.active;
  char req[1024];
  const std::string_view host = balancer::probe_host_header(*p.p.upstream, p.p.target);
  const int n = std::snprintf(req, sizeof req,
                              "GET %s HTTP/1.1\r\nHost: %.*s\r\nUser-Agent: ravelin-healthcheck\r\n"
                              "Connection: close\r\n\r\n",
                              active.http_path.c_str(), static_cast<int>(host.size()), host.data());
  if (n <= 0 || static_cast<size_t>(n) >= sizeof req ||
      tcp_.send_copy(p.id, req, static_cast<uint32_t>(n)) != static_cast<uint32_t>(n)) {
    end_probe(p, balancer::check_result::tcp_failed());
    tcp_.abort(p.id);
    p.in_use = false;
  }
}

// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
void http_proxy::probe_readable(probe_slot& p) {
  const tcpstack::rx_view v = tcp_.readable(p.id);
  if (!p.reported && p.http) {
    p.got += v.copy_to(p.status_line + p.got, sizeof p.status_line - 1 - p.got);
    uint16_t status = 0;
    if (p.got >= 12 && std::memcmp(p.status_line, "HTTP/1.", 7) == 0) {
      std::from_chars(p.status_line + 9, p.status_line + 12, status);
      end_probe(p, balancer::check_result::http(status));
    } else if (p.got >= 12) {
      end_probe(p, balancer::check_result::http(0));
    }
  }
  tcp_.consume(p.id, UINT32_MAX);
  if (p.reported) {
    tcp_.abort(p.id);
    p.in_use = false;
  }
}

void http_proxy::probe_peer_closed(probe_slot& p) {
  if (!p.in_use) return;
  end_probe(p, balancer::check_result::tcp_failed());  // closed before a status line
  tcp_.abort(p.id);
  p.in_use = false;
}

void http_proxy::probe_closed(probe_slot& p) {
  end_probe(p, balancer::check_result::tcp_failed());
  p.in_use = false;
}

void http_proxy::expire_probes() {
  for (probe_slot& p : probes_) {
    if (!p.in_use || now_ns_ < p.deadline_ns) continue;
    end_probe(p, balancer::check_result::timed_out());
    tcp_.abort(p.id);
    p.in_use = false;
  }
}

}  // namespace ravelin::dataplane::proxy
