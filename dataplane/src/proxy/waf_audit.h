// The WAF audit log, off the hot path: an io lcore copies each matched rule into a fixed-size
// record on its own single-producer ring (full ring: dropped and counted), and one writer
// thread formats them as ModSecurity error-log lines (and JSON lines when asked) into each
// plugin instance's files, flushing within a few milliseconds so log readers see a request's
// lines right after its answer.
#pragma once

#include <array>
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
  uint16_t files = 0;  // which pair of files (waf_audit_log::files_for)
  bool disruptive = false;
  char msg[256] = {};
  char data[256] = {};
  char var_name[128] = {};
  char var_value[200] = {};
  char uri[256] = {};
  char unique_id[40] = {};
};

// Fills a record from a match (copies, cut to the fields' sizes).
void fill_audit_record(waf_audit_record& out, const waf::audit_entry& e, uint16_t files);

class waf_audit_log {
 public:
  struct files {
    std::string line_path, json_path;  // either may be empty
  };
  // One ring per lcore; control path (allocates). False with `error` when a ring cannot be
  // made.
  bool open(unsigned lcores, std::string& error);
  // The index records name `f` by, opening the files the first time a pair is asked for
  // (plugins of later snapshots may name new ones while the writer runs). Control thread
  // only; -1 with `error` when a file cannot be opened or k_max_files pairs are open.
  int32_t files_for(const files& f, std::string& error);
  rte_ring* ring(unsigned lcore_index) const {
    return lcore_index < rings_.size() ? rings_[lcore_index] : nullptr;
  }
  void start();
  // Completed drain passes: a record queued before a pass began is written when it ends.
  uint64_t passes() const { return passes_.load(std::memory_order_acquire); }
  // Drains what is left, stops the thread, closes files and frees the rings.
  void stop();
  ~waf_audit_log() { stop(); }

 private:
  void run();
  bool drain();  // true when it wrote something

  static constexpr size_t k_max_files = 64;
  struct open_pair {
    files paths;
    std::FILE* line = nullptr;  // null when off
    std::FILE* json = nullptr;
  };

  std::vector<rte_ring*> rings_;
  // Filled by the control thread while the writer reads: entries below pair_count_ are
  // complete and never change.
  std::array<open_pair, k_max_files> pairs_;
  std::atomic<size_t> pair_count_{0};
  std::atomic<uint64_t> passes_{0};
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace ravelin::dataplane::proxy
