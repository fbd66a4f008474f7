// The run-to-completion loop of one lcore: poll its rx queues, feed the stack, flush what
// the stack wants sent on the tx queue it owns, run timers. No locks, no allocation.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dispatch.h"
#include "proxy/proxy.h"
#include "ravelin/dataplane/counters.h"
#include "ravelin/tcpstack/stack.h"
#include "services/services.h"

namespace ravelin::dataplane {

struct worker_queue {
  uint16_t port_id = 0;
  uint16_t queue = 0;
};

struct worker_context {
  unsigned lcore = 0;
  std::vector<worker_queue> rx;           // queues this lcore polls
  std::vector<int32_t> tx_queue_of_port;  // by port id: the tx queue this lcore owns, or -1
  counter_set counters;
  dispatcher dispatch;  // active when several io lcores share the ports
  std::unique_ptr<tcpstack::stack> stack;
  std::unique_ptr<tcp_services> services;    // after stack: destroyed before it
  std::unique_ptr<proxy::http_proxy> proxy;  // likewise
  const std::atomic<bool>* stop = nullptr;
};

// rte_lcore_function_t: `arg` is a worker_context*. Returns when *stop becomes true.
int worker_main(void* arg);

}  // namespace ravelin::dataplane
