// The control thread behind config reloads and DNS refreshes (reloader.h), and the telemetry
// commands /ravelin/reload and /ravelin/config.
#include "reloader.h"

#include <csignal>
#include <cstdio>

#include <rte_telemetry.h>

#include "off_lcore.h"

namespace ravelin::dataplane::proxy {
namespace {

constexpr auto k_tick = std::chrono::milliseconds(20);

volatile std::sig_atomic_t g_requested = 0;

// What /ravelin/config reports; written by the control thread.
struct status {
  std::mutex mu;
  uint32_t generation = 0;
  uint64_t reloads = 0;
  uint64_t failures = 0;
  uint64_t dns_changes = 0;
  uint64_t retired = 0;
  bool restart_needed = false;  // the file's ravelin: section differs from the running one
  std::string last_error;
};

status& stat() {
  static status s;
  return s;
}

int telemetry_reload(const char*, const char*, rte_tel_data* d) {
  reloader::request_reload();
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_string(d, "reload", "requested");
  return 0;
}

int telemetry_config(const char*, const char*, rte_tel_data* d) {
  status& s = stat();
  std::lock_guard<std::mutex> lock(s.mu);
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_u64(d, "generation", s.generation);
  rte_tel_data_add_dict_u64(d, "reloads", s.reloads);
  rte_tel_data_add_dict_u64(d, "reload_failures", s.failures);
  rte_tel_data_add_dict_u64(d, "dns_changes", s.dns_changes);
  rte_tel_data_add_dict_u64(d, "snapshots_freed", s.retired);
  rte_tel_data_add_dict_u64(d, "restart_needed", s.restart_needed ? 1 : 0);
  // Telemetry strings are short; the whole message went to stderr.
  rte_tel_data_add_dict_string(d, "last_error", s.last_error.substr(0, 120).c_str());
  return 0;
}

void add_traffic_view_of(const snapshot& s) {
  traffic_view v{s.generation, s.state.router.get(), s.state.balancing.get(), {}};
  for (const auto& t : s.traffic) v.lcores.push_back(t.get());
  add_traffic_view(std::move(v));
}

// Every diagnostic as FILE:LINE:COL: message, one per line.
std::string messages_of(const mgmt::load_result& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

}  // namespace

reloader::reloader(std::string path, snapshot_env env)
    : path_(std::move(path)), env_(std::move(env)) {}

reloader::~reloader() { stop(); }

void reloader::request_reload() { g_requested = 1; }

bool reloader::start_with(std::shared_ptr<const mgmt::config> cfg, std::string& error) {
  started_ = cfg->appliance;
  auto s = build_snapshot(std::move(cfg), next_generation_++, env_, error);
  if (!s) return false;
  add_traffic_view_of(*s);
  {
    std::lock_guard<std::mutex> lock(stat().mu);
    stat().generation = s->generation;
  }
  snaps_.push_back({std::move(s)});
  return true;
}

void reloader::start(std::vector<http_proxy*> proxies, const access_log* log,
                     const waf_audit_log* audit) {
  proxies_ = std::move(proxies);
  log_ = log;
  audit_ = audit;
  rte_telemetry_register_cmd("/ravelin/reload", telemetry_reload,
                             "Reload the config file (as SIGHUP); see /ravelin/config.");
  rte_telemetry_register_cmd("/ravelin/config", telemetry_config,
                             "Config generation, reloads, failures and the last error.");
  next_dns_ = std::chrono::steady_clock::now() +
              std::chrono::seconds(env_.settings.dns_refresh_seconds);
  thread_ = std::thread([this] {
    move_off_lcores();
    run();
  });
}

void reloader::stop() {
  if (!thread_.joinable()) return;
  stop_.store(true);
  thread_.join();
}

void reloader::run() {
  while (!stop_.load(std::memory_order_relaxed)) {
    std::this_thread::sleep_for(k_tick);
    if (g_requested != 0) {
      g_requested = 0;
      reload_file();
    }
    if (std::chrono::steady_clock::now() >= next_dns_) {
      next_dns_ = std::chrono::steady_clock::now() +
                  std::chrono::seconds(env_.settings.dns_refresh_seconds);
      refresh_dns();
    }
    free_unused();
  }
}

void reloader::reload_file() {
  const mgmt::load_result r = mgmt::load_config_file(path_);
  if (!r.ok()) {
    const std::string msg = messages_of(r);
    std::fprintf(stderr, "ravelin: reload refused, the running config stays:\n%s", msg.c_str());
    set_result(false, msg);
    return;
  }
  std::string error;
  auto s = build_snapshot(r.snapshot, next_generation_, env_, error);
  if (!s) {
    std::fprintf(stderr, "ravelin: reload refused, the running config stays: %s: %s\n",
                 path_.c_str(), error.c_str());
    set_result(false, path_ + ": " + error);
    return;
  }
  ++next_generation_;
  const bool restart = r.snapshot->appliance != started_;
  if (restart) {
    std::fprintf(stderr, "ravelin: warning: %s: the ravelin: section changed; it applies at the "
                         "next start, the running one stays\n", path_.c_str());
  }
  {
    std::lock_guard<std::mutex> lock(stat().mu);
    stat().restart_needed = restart;
  }
  const auto& k = s->config->kong;
  std::printf("ravelin: reloaded %s: generation %u, %zu services, %zu routes, %zu upstreams, "
              "%zu targets, %zu plugins\n",
              path_.c_str(), s->generation, k.services.size(), k.routes.size(),
              k.upstreams.size(), k.targets.size(), k.plugins.size());
  std::fflush(stdout);
  publish(std::move(s));
  set_result(true, "");
}

void reloader::refresh_dns() {
  const snapshot& cur = current();
  resolved_hosts hosts = resolve_hosts(cur.config->kong, env_.settings);
  if (hosts == cur.hosts) return;
  auto s = with_hosts(cur, std::move(hosts), next_generation_++, env_);
  std::printf("ravelin: host addresses changed: generation %u\n", s->generation);
  std::fflush(stdout);
  {
    std::lock_guard<std::mutex> lock(stat().mu);
    ++stat().dns_changes;
  }
  publish(std::move(s));
}

void reloader::publish(std::unique_ptr<snapshot> s) {
  add_traffic_view_of(*s);
  {
    std::lock_guard<std::mutex> lock(stat().mu);
    stat().generation = s->generation;
  }
  snaps_.push_back({std::move(s)});
  for (http_proxy* p : proxies_) p->offer(snaps_.back().snap.get());
}

// A snapshot is unused once every lcore's oldest generation in use is past it; its records
// may still sit in the log rings, so it is freed after the writers complete a pass that
// started later (two passes from now: the one running may have begun before).
void reloader::free_unused() {
  uint32_t oldest = UINT32_MAX;
  for (const http_proxy* p : proxies_) oldest = std::min(oldest, p->oldest_in_use());
  const uint64_t log_passes = log_ != nullptr ? log_->passes() : 0;
  const uint64_t audit_passes = audit_ != nullptr ? audit_->passes() : 0;
  for (size_t i = 0; i + 1 < snaps_.size();) {
    held& h = snaps_[i];
    if (!h.unused && h.snap->generation < oldest) {
      h.unused = true;
      h.log_pass = log_passes + 2;
      h.audit_pass = audit_passes + 2;
    }
    const bool written = (log_ == nullptr || log_passes >= h.log_pass) &&
                         (audit_ == nullptr || audit_passes >= h.audit_pass);
    if (h.unused && written) {
      retire_traffic_view(h.snap->generation);
      snaps_.erase(snaps_.begin() + static_cast<std::ptrdiff_t>(i));
      std::lock_guard<std::mutex> lock(stat().mu);
      ++stat().retired;
      continue;
    }
    ++i;
  }
}

void reloader::set_result(bool ok, const std::string& message) {
  std::lock_guard<std::mutex> lock(stat().mu);
  if (ok) {
    ++stat().reloads;
  } else {
    ++stat().failures;
    stat().last_error = message;
  }
}

}  // namespace ravelin::dataplane::proxy
