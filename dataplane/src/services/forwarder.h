// TCP forwarders: each accepted client connection is spliced onto an active open to the
// forwarder's backend. Bytes flow both ways with back-pressure (splice.h), a FIN from one
// side is passed to the other once its data has been delivered, and a reset or failure on
// one side resets the other.
#pragma once

#include <cstdint>
#include <vector>

#include "ravelin/dataplane/counters.h"
#include "ravelin/mgmt/config.h"
#include "ravelin/tcpstack/tcp.h"

namespace ravelin::dataplane {

class forwarder final : public tcpstack::tcp_handler {
 public:
  // `pairs` bounds concurrent forwarded connections (each uses two of the stack's).
  forwarder(tcpstack::tcp_endpoint& tcp, std::vector<mgmt::forward_config> routes,
            uint32_t pairs, counter_set& counters);
  // Listens on every route's port; false (with the port in `failed_port`) when one fails.
  bool listen_all(uint16_t& failed_port);

  void on_accepted(tcpstack::conn_id c, void* opaque) override;
  void on_connected(tcpstack::conn_id c, void* opaque) override;
  void on_readable(tcpstack::conn_id c, void* opaque, tcpstack::rx_view data) override;
  void on_writable(tcpstack::conn_id c, void* opaque) override;
  void on_peer_closed(tcpstack::conn_id c, void* opaque) override;
  void on_closed(tcpstack::conn_id c, void* opaque, tcpstack::close_reason reason) override;

  uint32_t active_pairs() const { return active_; }

 private:
  struct side {
    tcpstack::conn_id id;
    bool open = false;      // between accept/connect and on_closed/abort
    bool eof = false;       // its peer sent FIN and all its data was readable
    bool fin_sent = false;  // we shut down our sending half towards it
    bool closing = false;   // close() called
  };
  struct pair {
    side client;
    side backend;
    bool connected = false;  // the backend's handshake completed
    bool in_use = false;
  };

  pair* find_free_pair();
  void release_if_done(pair& p);
  void move(pair& p, side& from, side& to);
  side& this_side(pair& p, tcpstack::conn_id c);
  side& other_side(pair& p, tcpstack::conn_id c);

  tcpstack::tcp_endpoint& tcp_;
  std::vector<mgmt::forward_config> routes_;
  std::vector<pair> pairs_;
  uint32_t next_free_ = 0;
  uint32_t active_ = 0;
  counter_set& counters_;
};

}  // namespace ravelin::dataplane
