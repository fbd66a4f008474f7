// Snapshot compilation (snapshot.h): router, balancing, waf engines, host addresses, and the
// per-lcore parts.
#include "snapshot.h"

#include <algorithm>

#include "dns.h"

namespace ravelin::dataplane::proxy {
namespace {

// The per-lcore parts: traffic figures sized for this router and balancing, and a waf
// transaction pool per lcore when some waf plugin is on.
void add_lcore_parts(snapshot& s, uint32_t generation, const snapshot_env& env) {
  s.generation = generation;
  const mgmt::proxy_config& p = env.settings;
  const uint32_t slots = std::min(env.max_sessions, p.waf_transactions);
  const uint32_t head_bytes = p.max_header_bytes + 4;
  const auto max_fields = static_cast<uint16_t>(std::min<uint32_t>(p.max_headers, 65535));
  for (const lcore_site& site : env.sites) {
    s.traffic.push_back(std::make_unique<lcore_traffic>(*s.state.router, *s.state.balancing));
    if (s.state.waf->empty()) continue;
    s.lanes.push_back(std::make_unique<waf_lane>(*s.state.waf, slots, head_bytes, max_fields,
                                                 site.lcore, generation, site.waf_audit,
                                                 *site.counters));
  }
}

}  // namespace

resolved_hosts resolve_hosts(const mgmt::kong_config& cfg, const balancer::balancer_config& b,
                             const mgmt::proxy_config& settings) {
  host_resolver dns(settings.dns_hostsfile, settings.dns_system_resolver);
  resolved_hosts out;
  for (const mgmt::service& s : cfg.services) {
    // A host that names an upstream is balanced over its targets, not resolved.
    out.services.push_back(b.find(s.host) != nullptr ? std::vector<uint32_t>{}
                                                     : dns.resolve(s.host));
  }
  for (const balancer::upstream_info& u : b.upstreams()) {
    auto& row = out.targets.emplace_back();
    for (const balancer::target_info& t : u.targets) {
      // Kong gives each A record of a target name its own place in the balancer; here the
      // first address stands for the name.
      const auto ips = dns.resolve(t.host);
      row.push_back(ips.empty() ? 0 : ips.front());
    }
  }
  return out;
}

std::unique_ptr<snapshot> build_snapshot(std::shared_ptr<const mgmt::config> cfg,
                                         uint32_t generation, const snapshot_env& env,
                                         std::string& error) {
  auto s = std::make_unique<snapshot>();
  router::build_result r = router::router::build(cfg->kong);
  if (!r.ok()) {
    error = "router:";
    for (const auto& e : r.errors) error += " " + e;
    return nullptr;
  }
  s->state.router = std::move(r.router);
  s->state.balancing = balancer::balancer_config::build(cfg->kong);
  s->state.settings = env.settings;
  auto waf = std::make_shared<waf_binding>();
  if (!build_waf_binding(*cfg, *waf, env.audit, error)) return nullptr;
  s->state.waf = std::move(waf);
  s->hosts = resolve_hosts(cfg->kong, *s->state.balancing, env.settings);
  s->config = std::move(cfg);
  add_lcore_parts(*s, generation, env);
  return s;
}

std::unique_ptr<snapshot> with_hosts(const snapshot& from, resolved_hosts hosts,
                                     uint32_t generation, const snapshot_env& env) {
  auto s = std::make_unique<snapshot>();
  s->config = from.config;
  s->state = from.state;
  s->hosts = std::move(hosts);
  add_lcore_parts(*s, generation, env);
  return s;
}

}  // namespace ravelin::dataplane::proxy
