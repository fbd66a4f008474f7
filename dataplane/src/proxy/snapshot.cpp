// Snapshot compilation (snapshot.h): router, balancing, waf engines, host addresses, and the
// per-lcore parts.
#include "snapshot.h"

#include <algorithm>

#include "dns.h"
#include "rewrite.h"

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

// Upstreams with each target name expanded to the addresses `hosts` holds for it.
std::shared_ptr<const balancer::balancer_config> balancing_for(const mgmt::kong_config& cfg,
                                                               const resolved_hosts& hosts) {
  return balancer::balancer_config::build(cfg, [&](std::string_view name) {
    const auto it = hosts.targets.find(std::string(name));
    return it != hosts.targets.end() ? it->second : std::vector<uint32_t>{};
  });
}

}  // namespace

resolved_hosts resolve_hosts(const mgmt::kong_config& cfg, const mgmt::proxy_config& settings) {
  host_resolver dns(settings.dns_hostsfile, settings.dns_system_resolver);
  resolved_hosts out;
  for (const mgmt::service& s : cfg.services) {
    // A host that names an upstream is balanced over its targets, not resolved.
    const bool upstream = std::any_of(cfg.upstreams.begin(), cfg.upstreams.end(),
                                      [&](const mgmt::upstream& u) { return u.name == s.host; });
    out.services.push_back(upstream ? std::vector<uint32_t>{} : dns.resolve(s.host));
  }
  for (const mgmt::target& t : cfg.targets) {
    uint32_t ip = 0;
    if (!parse_ipv4(t.host, ip)) out.targets.try_emplace(t.host, dns.resolve(t.host));
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
  s->hosts = resolve_hosts(cfg->kong, env.settings);
  s->state.balancing = balancing_for(cfg->kong, s->hosts);
  auto waf = std::make_shared<waf_binding>();
  if (!build_waf_binding(*cfg, *waf, env.audit, error)) return nullptr;
  s->state.waf = std::move(waf);
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
  s->state.balancing = balancing_for(s->config->kong, s->hosts);
  add_lcore_parts(*s, generation, env);
  return s;
}

}  // namespace ravelin::dataplane::proxy
