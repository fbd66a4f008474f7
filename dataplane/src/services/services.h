// The built-in TCP services of `ravelin.services`, one set per lcore on that lcore's stack:
// echo (RFC 862), discard (RFC 863), chargen (RFC 864) and forwarders that splice a client
// connection onto an active open to a backend. They exist so the stack can be exercised end
// to end with kernel tools alone, and the forwarder proves both directions of the stack.
#pragma once

#include <memory>
#include <string>

#include "ravelin/dataplane/counters.h"
#include "ravelin/mgmt/config.h"
#include "ravelin/tcpstack/stack.h"

namespace ravelin::dataplane {

class tcp_services {
 public:
  virtual ~tcp_services() = default;
};

// Listens on every configured service port of `stack`. State is preallocated for
// `max_connections` (the stack's connection pool size). Returns null and sets `error` when
// a port cannot be listened on.
std::unique_ptr<tcp_services> start_tcp_services(const mgmt::services_config& cfg,
                                                 tcpstack::stack& stack,
                                                 uint32_t max_connections,
                                                 counter_set& counters, std::string& error);

}  // namespace ravelin::dataplane
