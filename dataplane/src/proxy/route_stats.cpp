// /ravelin/routes, /services, /upstreams, /targets: figures summed over lcores and over the
// snapshots still counting, plus the totals of retired ones, by name (route_stats.h).
#include "route_stats.h"

#include <map>
#include <mutex>
#include <string>

#include <rte_telemetry.h>

namespace ravelin::dataplane::proxy {
namespace {

enum kind : int { k_routes, k_services, k_upstreams, k_targets, k_kinds };

struct registry {
  std::mutex mu;  // control thread and telemetry thread only, never an lcore
  bool open = false;
  std::vector<traffic_view> live;
  std::array<std::map<std::string, traffic_stats>, k_kinds> retired;
};

registry& reg() {
  static registry r;
  return r;
}

uint64_t load(const uint64_t& v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); }

void add_into(traffic_stats& out, const traffic_stats& t) {
  out.requests += load(t.requests);
  for (size_t i = 0; i < out.status.size(); ++i) out.status[i] += load(t.status[i]);
  for (size_t i = 0; i < out.latency.size(); ++i) out.latency[i] += load(t.latency[i]);
}

// Dict keys may hold only letters, digits, '_' and '/'.
std::string key_of(const std::string& name, const std::string& id) {
  std::string k = name.empty() ? id : name;
  for (char& c : k) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '/';
    if (!ok) c = '_';
  }
  return k;
}

// Adds, for each of `n` entities, the figures every lcore keeps at index i of `vec_of(lcore)`
// under the key `key_of_entity(i)`.
template <class Key, class Vec>
void sum_by_key(const traffic_view& v, size_t n, Key key_of_entity, Vec vec_of,
                std::map<std::string, traffic_stats>& out) {
  for (size_t i = 0; i < n; ++i) {
    traffic_stats& sum = out[key_of_entity(i)];
    for (const lcore_traffic* l : v.lcores) {
      const std::vector<traffic_stats>& vec = vec_of(*l);
      if (i < vec.size()) add_into(sum, vec[i]);
    }
  }
}

// Adds one view's figures of kind `k` into `out` by key.
void collect(const traffic_view& v, int k, std::map<std::string, traffic_stats>& out) {
  const auto routes = v.router->routes();
  const auto services = v.router->services();
  const auto ups = v.balancing->upstreams();
  switch (k) {
    case k_routes:
      sum_by_key(
          v, routes.size(), [&](size_t i) { return key_of(routes[i].name, routes[i].id); },
          [](const lcore_traffic& l) -> const auto& { return l.routes; }, out);
      break;
    case k_services:
      sum_by_key(
          v, services.size(), [&](size_t i) { return key_of(services[i].name, services[i].id); },
          [](const lcore_traffic& l) -> const auto& { return l.services; }, out);
      break;
    case k_upstreams:
      sum_by_key(
          v, ups.size(), [&](size_t i) { return key_of(ups[i].spec.name, ups[i].spec.id); },
          [](const lcore_traffic& l) -> const auto& { return l.upstreams; }, out);
      break;
    default: {
      // Targets are flat in the same order on every lcore of a view.
      std::vector<std::string> keys;
      for (const auto& u : ups) {
        for (const auto& t : u.targets) keys.push_back(key_of(u.spec.name + "/" + t.address, ""));
      }
      sum_by_key(
          v, keys.size(), [&](size_t i) { return keys[i]; },
          [](const lcore_traffic& l) -> const auto& { return l.targets; }, out);
      break;
    }
  }
}

void add_fields(rte_tel_data* d, const traffic_stats& t) {
  rte_tel_data_add_dict_u64(d, "requests", t.requests);
  static constexpr const char* k_class[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  for (size_t i = 0; i < t.status.size(); ++i)
    rte_tel_data_add_dict_u64(d, k_class[i], t.status[i]);
  for (size_t i = 0; i < t.latency.size(); ++i) {
    const bool last = i == traffic_stats::k_bounds_ms.size();
    const std::string name = (last ? "latency_ge_" : "latency_lt_") +
                             std::to_string(traffic_stats::k_bounds_ms[last ? i - 1 : i]) + "ms";
    rte_tel_data_add_dict_u64(d, name.c_str(), t.latency[i]);
  }
}

// /ravelin/routes (and the other lists): requests per entity, flat dicts since DPDK 22.11's
// JSON output does not nest. /ravelin/route,NAME (and the others): one entity's figures.
template <int K>
int telemetry_list(const char*, const char* params, rte_tel_data* d) {
  rte_tel_data_start_dict(d);
  registry& r = reg();
  std::map<std::string, traffic_stats> all;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    if (!r.open) return 0;
    all = r.retired[K];
    for (const traffic_view& v : r.live) collect(v, K, all);
  }
  if (params == nullptr || *params == '\0') {
    for (const auto& [key, t] : all) rte_tel_data_add_dict_u64(d, key.c_str(), t.requests);
  } else if (auto it = all.find(params); it != all.end()) {
    add_fields(d, it->second);
  }
  return 0;
}

}  // namespace

lcore_traffic::lcore_traffic(const router::router& r, const balancer::balancer_config& b)
    : routes(r.routes().size()), services(r.services().size()), upstreams(b.upstreams().size()) {
  uint32_t n = 0;
  for (const auto& u : b.upstreams()) {
    first_target.push_back(n);
    n += static_cast<uint32_t>(u.targets.size());
  }
  targets.resize(n);
}

void register_route_telemetry() {
  {
    std::lock_guard<std::mutex> lock(reg().mu);
    reg().open = true;
  }
  rte_telemetry_register_cmd("/ravelin/routes", telemetry_list<k_routes>,
                             "Requests per route (names with other than [A-Za-z0-9_/] as _).");
  rte_telemetry_register_cmd("/ravelin/services", telemetry_list<k_services>,
                             "Requests per service (names with other than [A-Za-z0-9_/] as _).");
  rte_telemetry_register_cmd("/ravelin/upstreams", telemetry_list<k_upstreams>,
                             "Requests per upstream (names with other than [A-Za-z0-9_/] as _).");
  rte_telemetry_register_cmd("/ravelin/targets", telemetry_list<k_targets>,
                             "Requests per target, keyed upstream/address ([^A-Za-z0-9_/] as _).");
  rte_telemetry_register_cmd("/ravelin/route", telemetry_list<k_routes>,
                             "One route's requests, status classes, latency buckets. Param: name.");
  rte_telemetry_register_cmd("/ravelin/service", telemetry_list<k_services>,
                             "One service's requests, status classes, latency. Param: name.");
  rte_telemetry_register_cmd("/ravelin/upstream", telemetry_list<k_upstreams>,
                             "One upstream's requests, status classes, latency. Param: name.");
  rte_telemetry_register_cmd("/ravelin/target", telemetry_list<k_targets>,
                             "One target's requests, status classes, latency. Param: upstream/address.");
}

void add_traffic_view(traffic_view v) {
  std::lock_guard<std::mutex> lock(reg().mu);
  reg().live.push_back(std::move(v));
}

void retire_traffic_view(uint32_t generation) {
  registry& r = reg();
  std::lock_guard<std::mutex> lock(r.mu);
  for (auto it = r.live.begin(); it != r.live.end(); ++it) {
    if (it->generation != generation) continue;
    for (int k = 0; k < k_kinds; ++k) collect(*it, k, r.retired[k]);
    r.live.erase(it);
    return;
  }
}

void unregister_route_telemetry() {
  registry& r = reg();
  std::lock_guard<std::mutex> lock(r.mu);
  r.open = false;
  r.live.clear();
  for (auto& m : r.retired) m.clear();
}

}  // namespace ravelin::dataplane::proxy
