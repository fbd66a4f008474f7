// The WAF audit log, off the hot path: an io lcore copies each matched rule into a fixed-size
// record on its own single-producer ring (full ring: dropped and counted), and one writer
// thread formats them as ModSecurity error-log lines (and JSON lines when asked) into each
// plugin instance's files, flushing within a few milliseconds so log readers see a request's
// lines right after its answer.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <rte_ring.h>

#include "ravelin/waf/engine.h"

namespace ravelin::dataplane::proxy {

struct waf_audit_record {
  const waf::rule* r = nullptr;  // the engine's immutable rules outlive the writer
  const waf::rule_link* link = nullptr;
  int64_t id = 0;
  int32_t phase = 0;
  int32_t severity = -1;
  int32_t status = 0;
  uint16_t instance = 0;  // which plugin instance (its files)
  bool disruptive = false;
  char msg[256] = {};
  char data[256] = {};
  char var_name[128] = {};
  char var_value[200] = {};
  char uri[256] = {};
  char unique_id[40] = {};
};

// Fills a record from a match (copies, cut to the fields' sizes).
void fill_audit_record(waf_audit_record& out, const waf::audit_entry& e, uint16_t instance);

class waf_audit_log {
 public:
  struct files {
    std::string line_path, json_path;  // either may be empty
  };
  // One ring per lcore and the files of every instance; control path (allocates). False
  // with `error` when a file or ring cannot be made.
  bool open(const std::vector<files>& instances, unsigned lcores, std::string& error);
  rte_ring* ring(unsigned lcore_index) const {
    return lcore_index < rings_.size() ? rings_[lcore_index] : nullptr;
  }
  void start();
  // Drains what is left, stops the thread, closes files and frees the rings.
  void stop();
  ~waf_audit_log() { stop(); }

 private:
  void run();
  bool drain();  // true when it wrote something

  std::vector<rte_ring*> rings_;
  std::vector<std::FILE*> line_files_, json_files_;  // per instance, null when off
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace ravelin::dataplane::proxy
