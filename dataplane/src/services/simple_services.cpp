#include "simple_services.h"

#include "splice.h"

namespace ravelin::dataplane {

using tcpstack::conn_id;
using tcpstack::rx_view;
using tcpstack::send_status;

namespace {
// Marks (through the connection's opaque pointer) an echo connection whose peer has
// finished sending: it closes once everything read has been echoed.
char k_peer_done;
}  // namespace

void echo_service::pump(conn_id c) {
  splice(tcp_, c, c);
  if (tcp_.opaque(c) == &k_peer_done && tcp_.readable(c).length == 0) tcp_.close(c);
}

void echo_service::on_readable(conn_id c, void*, rx_view) { pump(c); }

void echo_service::on_writable(conn_id c, void*) { pump(c); }

void echo_service::on_peer_closed(conn_id c, void*) {
  tcp_.set_opaque(c, &k_peer_done);
  pump(c);
}

void discard_service::on_readable(conn_id c, void*, rx_view data) {
  tcp_.consume(c, data.length);
}

void discard_service::on_peer_closed(conn_id c, void*) { tcp_.close(c); }

namespace {
constexpr uint32_t k_line_chars = 72;  // RFC 864's suggested line
constexpr uint32_t k_printable = 95;   // ' ' .. '~'
constexpr uint32_t k_line = k_line_chars + 2;
constexpr uint32_t k_period = k_printable * k_line;
}  // namespace

chargen_service::chargen_service(tcpstack::tcp_endpoint& tcp, uint32_t max_connections)
    : tcp_(tcp), position_(max_connections, 0) {
  pattern_.reserve(2 * k_period);
  for (uint32_t copy = 0; copy < 2; ++copy) {
    for (uint32_t line = 0; line < k_printable; ++line) {
      for (uint32_t i = 0; i < k_line_chars; ++i) {
        pattern_.push_back(static_cast<uint8_t>(' ' + (line + i) % k_printable));
      }
      pattern_.push_back('\r');
      pattern_.push_back('\n');
    }
  }
}

void chargen_service::fill(conn_id c) {
  if (c.index >= position_.size()) return;
  uint32_t& pos = position_[c.index];
  for (;;) {
    const uint32_t n = tcp_.send_copy(c, pattern_.data() + pos, k_period);
    if (n == 0) return;  // full: on_writable() resumes
    pos = (pos + n) % k_period;
  }
}

void chargen_service::on_accepted(conn_id c, void*) {
  if (c.index < position_.size()) position_[c.index] = 0;
  fill(c);
}

void chargen_service::on_readable(conn_id c, void*, rx_view data) {
  tcp_.consume(c, data.length);
}

void chargen_service::on_writable(conn_id c, void*) { fill(c); }

void chargen_service::on_peer_closed(conn_id c, void*) { tcp_.close(c); }

}  // namespace ravelin::dataplane
