// The WAF audit writer thread and the lcore-side record copy (waf_audit.h).
#include "waf_audit.h"
#include "off_lcore.h"
#include "record_rings.h"

#include <rte_errno.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace ravelin::dataplane::proxy {
namespace {

constexpr unsigned k_ring_records = 1024;  // per lcore; a burst of matches waits here

template <size_t N>
void copy_field(char (&dst)[N], std::string_view v) {
  const size_t n = std::min(v.size(), N - 1);
  if (n != 0) std::memcpy(dst, v.data(), n);  // an empty view may have a null data()
  dst[n] = '\0';
}

std::FILE* open_append(const std::string& path, std::string& error) {
  if (path.empty()) return nullptr;
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) error = "cannot open WAF audit log " + path;
  return f;
}

}  // namespace

void fill_audit_record(waf_audit_record& out, const waf::audit_entry& e, uint16_t files) {
  out.r = e.r;
  out.link = e.link;
  out.id = e.id;
  out.phase = e.phase;
  out.severity = e.severity;
  out.status = e.status;
  out.files = files;
  out.disruptive = e.disruptive;
  copy_field(out.msg, e.msg);
  copy_field(out.data, e.data);
  copy_field(out.var_name, e.var_name);
  copy_field(out.var_value, e.var_value);
  copy_field(out.uri, e.uri);
  copy_field(out.unique_id, e.unique_id);
}

int32_t waf_audit_log::files_for(const files& f, std::string& error) {
  const size_t n = pair_count_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) {
    if (pairs_[i].paths.line_path == f.line_path && pairs_[i].paths.json_path == f.json_path) {
      return static_cast<int32_t>(i);
    }
  }
  if (n == k_max_files) {
    error = "too many distinct WAF audit log files (at most " + std::to_string(k_max_files) + ")";
    return -1;
  }
  open_pair p{f, open_append(f.line_path, error), nullptr};
  if (error.empty()) p.json = open_append(f.json_path, error);
  if (!error.empty()) {
    if (p.line != nullptr) std::fclose(p.line);
    return -1;
  }
  pairs_[n] = std::move(p);
  pair_count_.store(n + 1, std::memory_order_release);
  return static_cast<int32_t>(n);
}

bool waf_audit_log::open(unsigned lcores, std::string& error) {
  return make_record_rings("rv_waflog_", sizeof(waf_audit_record), k_ring_records, lcores,
                           rings_, error);
}

void waf_audit_log::start() {
  thread_ = std::thread([this] {
    move_off_lcores();
    run();
  });
}

void waf_audit_log::run() {
  // Short sleeps only while idle: a client reading the log right after its answer (CRS's
  // regression runner waits 20 ms) finds the lines there.
  while (!stop_.load(std::memory_order_relaxed)) {
    if (!drain()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  drain();
}

bool waf_audit_log::drain() {
  waf_audit_record r;
  bool wrote = false;
  const size_t count = pair_count_.load(std::memory_order_acquire);
  for (rte_ring* ring : rings_) {
    while (rte_ring_sc_dequeue_elem(ring, &r, sizeof r) == 0) {
      waf::audit_entry e;
      e.r = r.r;
      e.link = r.link;
      e.id = r.id;
      e.phase = r.phase;
      e.severity = r.severity;
      e.status = r.status;
      e.disruptive = r.disruptive;
      e.msg = r.msg;
      e.data = r.data;
      e.var_name = r.var_name;
      e.var_value = r.var_value;
      e.uri = r.uri;
      e.unique_id = r.unique_id;
      if (r.files >= count) continue;
      if (std::FILE* f = pairs_[r.files].line) {
        const std::string line = waf::format_audit_line(e) + "\n";
        std::fwrite(line.data(), 1, line.size(), f);
      }
      if (std::FILE* f = pairs_[r.files].json) {
        const std::string line = waf::format_audit_json(e) + "\n";
        std::fwrite(line.data(), 1, line.size(), f);
      }
      wrote = true;
    }
  }
  if (wrote) {
    for (size_t i = 0; i < count; ++i) {
      if (pairs_[i].line != nullptr) std::fflush(pairs_[i].line);
      if (pairs_[i].json != nullptr) std::fflush(pairs_[i].json);
    }
  }
  passes_.fetch_add(1, std::memory_order_release);
  return wrote;
}

void waf_audit_log::stop() {
  if (thread_.joinable()) {
    stop_.store(true, std::memory_order_relaxed);
    thread_.join();
  }
  for (rte_ring* r : rings_) rte_ring_free(r);
  rings_.clear();
  const size_t n = pair_count_.exchange(0);
  for (size_t i = 0; i < n; ++i) {
    for (std::FILE* f : {pairs_[i].line, pairs_[i].json}) {
      if (f != nullptr) std::fclose(f);
    }
    pairs_[i] = {};
  }
}

}  // namespace ravelin::dataplane::proxy
