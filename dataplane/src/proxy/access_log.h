// The access log, off the hot path: each io lcore copies a fixed-size record per exchange
// into its own single-producer rte_ring (full ring: the record is dropped and counted); one
// writer thread drains every ring and writes JSON lines in Kong's file-log shape (kong.md
// §7.2) to the configured file.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <rte_ring.h>

#include "ravelin/router/router.h"

namespace ravelin::dataplane::proxy {

// One exchange, as plain data: strings are cut to their fields' sizes.
struct access_log_record {
  // Names route and service: its snapshot outlives the record (reloader.h waits for the
  // writer's passes before freeing one).
  const router::router* router = nullptr;
  uint64_t started_ns = 0;  // lcore clock (monotonic ns)
  uint64_t request_size = 0;
  uint64_t response_size = 0;
  uint32_t latency_request_ms = 0;  // first request byte to last response byte
  uint32_t latency_proxy_ms = 0;    // request sent upstream to response head (upstream time)
  uint32_t client_ip = 0;
  uint32_t upstream_ip = 0;
  uint32_t route = UINT32_MAX;  // index into the router's routes(), or none
  uint32_t service = UINT32_MAX;
  uint16_t upstream_port = 0;
  uint16_t status = 0;
  uint16_t upstream_status = 0;
  uint16_t tries = 0;
  char method[16] = {};
  char host[128] = {};
  char uri[256] = {};
  char upstream_uri[256] = {};
};

// The producer side one lcore holds.
class access_log_ring {
 public:
  explicit access_log_ring(rte_ring* r) : ring_(r) {}
  // False when the ring is full (the caller counts the drop).
  bool push(const access_log_record& r) {
    // DPDK's prototype takes a non-const pointer; it only reads the record.
    return rte_ring_sp_enqueue_elem(ring_, const_cast<access_log_record*>(&r), sizeof r) == 0;
  }
  rte_ring* ring() const { return ring_; }

 private:
  rte_ring* ring_;
};

class access_log {
 public:
  // Creates a ring per lcore (`lcores` of them) and opens `path` for appending. Control
  // path: allocates; false with `error` set when the file or a ring cannot be made.
  bool open(const std::string& path, unsigned lcores, std::string& error);
  access_log_ring* ring(unsigned index) { return index < rings_.size() ? &rings_[index] : nullptr; }
  // Starts the writer thread.
  void start();
  // Completed drain passes: a record queued before a pass began is written when it ends.
  uint64_t passes() const { return passes_.load(std::memory_order_acquire); }
  // Drains what is left, stops the thread, frees the rings and closes the file.
  void stop();
  ~access_log() { stop(); }

 private:
  void run();
  void drain();
  void write(const access_log_record& r);

  std::vector<access_log_ring> rings_;
  std::atomic<uint64_t> passes_{0};
  std::FILE* file_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  uint64_t wall_base_ms_ = 0;  // wall clock at open, ms since the epoch
  uint64_t mono_base_ns_ = 0;  // the lcores' clock at the same moment
};

}  // namespace ravelin::dataplane::proxy
