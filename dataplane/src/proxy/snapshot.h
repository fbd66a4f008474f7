// One compiled configuration as the proxy runs it (DESIGN.md, "snapshot"): router, balancing,
// waf engines and resolved host addresses, plus the parts each lcore owns while it runs
// under it (waf transaction pools, traffic figures). Built on the control thread; an lcore
// adopts a newer one between two events, and an exchange that started under an older one
// finishes under it. reloader.h frees a snapshot once no lcore and no log writer can see it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <rte_ring.h>

#include "ravelin/dataplane/counters.h"
#include "ravelin/mgmt/config.h"

#include "proxy.h"
#include "route_stats.h"
#include "waf_audit.h"
#include "waf_plugin.h"

namespace ravelin::dataplane::proxy {

// What a snapshot's per-lcore parts need to know of their lcore.
struct lcore_site {
  uint16_t lcore = 0;
  rte_ring* waf_audit = nullptr;  // this lcore's audit ring
  counter_set* counters = nullptr;
};

// Host names answered when the snapshot was built (dns.h); empty: did not resolve.
struct resolved_hosts {
  std::vector<std::vector<uint32_t>> services;          // by Kong service index
  std::map<std::string, std::vector<uint32_t>> targets;  // by target host name
  bool operator==(const resolved_hosts&) const = default;
};

struct snapshot {
  uint32_t generation = 0;
  std::shared_ptr<const mgmt::config> config;  // what it was compiled from
  shared_state state;
  resolved_hosts hosts;
  std::vector<std::unique_ptr<waf_lane>> lanes;         // by lcore ordinal; empty without waf
  std::vector<std::unique_ptr<lcore_traffic>> traffic;  // by lcore ordinal
};

// What build_snapshot needs besides the config; fixed for the process's life.
struct snapshot_env {
  mgmt::proxy_config settings;  // the ravelin.proxy section read at start
  std::vector<lcore_site> sites;
  uint32_t max_sessions = 1;  // per lcore
  waf_audit_log* audit = nullptr;
};

// Every service host and target host of `cfg`, answered by `settings`' resolver order.
resolved_hosts resolve_hosts(const mgmt::kong_config& cfg, const mgmt::proxy_config& settings);

// Compiles `cfg` as generation `generation`. Control path: allocates, may take a second
// per waf plugin; null with `error` when something cannot be compiled.
std::unique_ptr<snapshot> build_snapshot(std::shared_ptr<const mgmt::config> cfg,
                                         uint32_t generation, const snapshot_env& env,
                                         std::string& error);

// A new generation of the same compiled parts with other host addresses (a DNS refresh):
// engines and router are shared; balancing and per-lcore parts are new.
std::unique_ptr<snapshot> with_hosts(const snapshot& from, resolved_hosts hosts,
                                     uint32_t generation, const snapshot_env& env);

}  // namespace ravelin::dataplane::proxy
