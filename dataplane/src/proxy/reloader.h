// Config reloads without dropping a request (DESIGN.md, "snapshot"). On SIGHUP, or the
// telemetry command /ravelin/reload, a control thread reads the config file again, compiles
// a snapshot and offers it to every proxy lcore; a file that does not load is reported with
// file:line and changes nothing. The same thread re-resolves host names every
// ravelin.proxy.dns_refresh_seconds and applies a new snapshot when an answer changed.
// Health state follows targets across reloads (balancer::rebind). A snapshot is freed once
// every lcore has moved past it and the log writers have written what it named.
//
// The `ravelin:` section (ports, cores, stack, listeners, limits) is read at start only, as
// Kong's kong.conf is outside `kong reload` for listeners; a reload applies the Kong
// entities: services, routes, upstreams, targets, consumers and plugins.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "access_log.h"
#include "proxy.h"
#include "snapshot.h"
#include "waf_audit.h"

namespace ravelin::dataplane::proxy {

class reloader {
 public:
  reloader(std::string path, snapshot_env env);
  ~reloader();
  reloader(const reloader&) = delete;
  reloader& operator=(const reloader&) = delete;

  // Compiles generation 1 from the config the appliance started with.
  bool start_with(std::shared_ptr<const mgmt::config> cfg, std::string& error);
  const snapshot& current() const { return *snaps_.back().snap; }

  // Starts the control thread and the telemetry commands once the proxies exist.
  void start(std::vector<http_proxy*> proxies, const access_log* log, const waf_audit_log* audit);
  // Stops the thread; snapshots are freed with the reloader (after the lcores stopped).
  void stop();

  // Asks for a reload from the config file; async-signal-safe (SIGHUP).
  static void request_reload();

 private:
  struct held {
    std::unique_ptr<snapshot> snap;
    bool unused = false;        // every lcore moved past it
    uint64_t log_pass = 0;      // writer passes to wait for before freeing
    uint64_t audit_pass = 0;
  };

  void run();
  void reload_file();
  void refresh_dns();
  void publish(std::unique_ptr<snapshot> s);
  void free_unused();
  void set_result(bool ok, const std::string& message);

  std::string path_;
  snapshot_env env_;
  mgmt::appliance_config started_;  // the ravelin: section in force
  std::vector<held> snaps_;  // oldest first; the last is current
  uint32_t next_generation_ = 1;
  std::vector<http_proxy*> proxies_;
  const access_log* log_ = nullptr;
  const waf_audit_log* audit_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::chrono::steady_clock::time_point next_dns_;
};

}  // namespace ravelin::dataplane::proxy
