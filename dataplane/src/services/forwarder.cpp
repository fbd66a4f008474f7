#include "forwarder.h"

#include "splice.h"

namespace ravelin::dataplane {

using tcpstack::close_reason;
using tcpstack::conn_id;
using tcpstack::rx_view;

forwarder::forwarder(tcpstack::tcp_endpoint& tcp, std::vector<mgmt::forward_config> routes,
                     uint32_t pairs, counter_set& counters)
    : tcp_(tcp), routes_(std::move(routes)), pairs_(pairs), counters_(counters) {}

bool forwarder::listen_all(uint16_t& failed_port) {
  for (auto& r : routes_) {
    if (!tcp_.listen(r.listen, this, &r)) {
      failed_port = r.listen;
      return false;
    }
  }
  return true;
}

forwarder::pair* forwarder::find_free_pair() {
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    pair& p = pairs_[(next_free_ + i) % pairs_.size()];
    if (!p.in_use) {
      next_free_ = static_cast<uint32_t>((next_free_ + i + 1) % pairs_.size());
      return &p;
    }
  }
  return nullptr;
}

forwarder::side& forwarder::this_side(pair& p, conn_id c) {
  return p.client.id == c ? p.client : p.backend;
}

forwarder::side& forwarder::other_side(pair& p, conn_id c) {
  return p.client.id == c ? p.backend : p.client;
}

// Opaque pointers: a listener's is its route; an accepted or connected side's is its pair.
// on_accepted() receives the route and replaces it with the pair before anything else.
void forwarder::on_accepted(conn_id c, void* opaque) {
  const auto* route = static_cast<const mgmt::forward_config*>(opaque);
  pair* p = find_free_pair();
  if (p == nullptr) {
    counters_.add(counter::forward_no_pair);
    tcp_.abort(c);
    return;
  }
  const conn_id backend = tcp_.connect(route->to_address, route->to_port, this, p);
  if (!backend.valid()) {
    counters_.add(counter::forward_backend_failed);
    tcp_.abort(c);
    return;
  }
  *p = pair{};
  p->in_use = true;
  p->client = {c, true};
  p->backend = {backend, true};
  tcp_.set_opaque(c, p);
  ++active_;
  counters_.add(counter::forward_accepted);
}

void forwarder::on_connected(conn_id, void* opaque) {
  pair& p = *static_cast<pair*>(opaque);
  p.connected = true;
  move(p, p.client, p.backend);
}

// Client bytes wait in the client's receive buffer until the backend is connected; the
// window they close is the back-pressure (RFC 9293 §3.8.6).
void forwarder::move(pair& p, side& from, side& to) {
  if (!p.connected || !from.open || !to.open) return;
  splice(tcp_, from.id, to.id);
  if (from.eof && !to.fin_sent && tcp_.readable(from.id).length == 0) {
    tcp_.shutdown(to.id);
    to.fin_sent = true;
  }
  // Both directions finished: each side closes once its own FIN went out.
  for (side* s : {&from, &to}) {
    if (s->eof && s->fin_sent && !s->closing) s->closing = tcp_.close(s->id);
  }
}

void forwarder::on_readable(conn_id c, void* opaque, rx_view) {
  pair& p = *static_cast<pair*>(opaque);
  move(p, this_side(p, c), other_side(p, c));
}

void forwarder::on_writable(conn_id c, void* opaque) {
  pair& p = *static_cast<pair*>(opaque);
  move(p, other_side(p, c), this_side(p, c));
}

void forwarder::on_peer_closed(conn_id c, void* opaque) {
  pair& p = *static_cast<pair*>(opaque);
  this_side(p, c).eof = true;
  move(p, this_side(p, c), other_side(p, c));
}

void forwarder::on_closed(conn_id c, void* opaque, close_reason reason) {
  pair& p = *static_cast<pair*>(opaque);
  side& self = this_side(p, c);
  side& other = other_side(p, c);
  self.open = false;
  if (&self == &p.backend && reason != close_reason::normal) {
    counters_.add(counter::forward_backend_failed);
  }
  // A reset, timeout or failed connect leaves the other side's stream incomplete: tell its
  // peer with a reset rather than a FIN that would look like a clean end (no callback
  // follows abort()).
  if (other.open && reason != close_reason::normal) {
    tcp_.abort(other.id);
    other.open = false;
  }
  release_if_done(p);
}

void forwarder::release_if_done(pair& p) {
  if (p.in_use && !p.client.open && !p.backend.open) {
    p.in_use = false;
    --active_;
  }
}

}  // namespace ravelin::dataplane
