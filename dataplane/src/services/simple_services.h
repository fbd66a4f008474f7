// Echo, discard and chargen: single-connection services whose state fits in the connection
// itself (chargen's position in its pattern lives in a table indexed by connection slot).
#pragma once

#include <cstdint>
#include <vector>

#include "ravelin/tcpstack/tcp.h"

namespace ravelin::dataplane {

// RFC 862: sends back what it receives, zero copy where the send buffer has room (splice.h);
// a slow reader slows the writer through the receive window, nothing is buffered here.
class echo_service final : public tcpstack::tcp_handler {
 public:
  explicit echo_service(tcpstack::tcp_endpoint& tcp) : tcp_(tcp) {}
  void on_readable(tcpstack::conn_id c, void*, tcpstack::rx_view data) override;
  void on_writable(tcpstack::conn_id c, void*) override;
  void on_peer_closed(tcpstack::conn_id c, void*) override;

 private:
  void pump(tcpstack::conn_id c);
  tcpstack::tcp_endpoint& tcp_;
};

// RFC 863: reads and throws away; closes when the peer does.
class discard_service final : public tcpstack::tcp_handler {
 public:
  explicit discard_service(tcpstack::tcp_endpoint& tcp) : tcp_(tcp) {}
  void on_readable(tcpstack::conn_id c, void*, tcpstack::rx_view data) override;
  void on_peer_closed(tcpstack::conn_id c, void*) override;

 private:
  tcpstack::tcp_endpoint& tcp_;
};

// RFC 864: a stream of 72-character lines of rotating printable ASCII, as fast as the peer
// reads; input is discarded.
class chargen_service final : public tcpstack::tcp_handler {
 public:
  chargen_service(tcpstack::tcp_endpoint& tcp, uint32_t max_connections);
  void on_accepted(tcpstack::conn_id c, void*) override;
  void on_readable(tcpstack::conn_id c, void*, tcpstack::rx_view data) override;
  void on_writable(tcpstack::conn_id c, void*) override;
  void on_peer_closed(tcpstack::conn_id c, void*) override;

 private:
  void fill(tcpstack::conn_id c);
  tcpstack::tcp_endpoint& tcp_;
  std::vector<uint8_t> pattern_;     // one full period of lines, twice, so any start is contiguous
  std::vector<uint32_t> position_;   // by connection slot: offset into the first period
};

}  // namespace ravelin::dataplane
