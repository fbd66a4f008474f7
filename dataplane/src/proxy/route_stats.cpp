// /ravelin/routes: per-route and per-service figures summed over lcores (route_stats.h).
#include "route_stats.h"

#include <atomic>
#include <string>
#include <thread>

#include <rte_telemetry.h>

namespace ravelin::dataplane::proxy {
namespace {

struct registry {
  const router::router* router = nullptr;
  std::vector<const lcore_traffic*> lcores;
};

// Same shutdown handshake as stats.cpp: the pointer is cleared, then readers drain.
std::atomic<const registry*> g_registry{nullptr};
std::atomic<int> g_readers{0};
registry g_storage;

uint64_t load(const uint64_t& v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); }

traffic_stats sum(const registry& r, bool route, size_t index) {
  traffic_stats out;
  for (const lcore_traffic* l : r.lcores) {
    const traffic_stats& t = route ? l->routes[index] : l->services[index];
    out.requests += load(t.requests);
    for (size_t i = 0; i < out.status.size(); ++i) out.status[i] += load(t.status[i]);
    for (size_t i = 0; i < out.latency.size(); ++i) out.latency[i] += load(t.latency[i]);
  }
  return out;
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

// /ravelin/routes and /ravelin/services: requests per entity (flat dicts: DPDK 22.11's JSON
// output does not nest). /ravelin/route,NAME and /ravelin/service,NAME: one entity's figures.
template <bool Route>
int telemetry_list(const char*, const char* params, rte_tel_data* d) {
  rte_tel_data_start_dict(d);
  g_readers.fetch_add(1);
  if (const registry* r = g_registry.load(); r != nullptr) {
    const size_t n = Route ? r->router->routes().size() : r->router->services().size();
    for (size_t i = 0; i < n; ++i) {
      const auto& name = Route ? r->router->routes()[i].name : r->router->services()[i].name;
      const auto& id = Route ? r->router->routes()[i].id : r->router->services()[i].id;
      const std::string key = key_of(name, id);
      if (params == nullptr || *params == '\0') {
        rte_tel_data_add_dict_u64(d, key.c_str(), sum(*r, Route, i).requests);
      } else if (key == params) {
        add_fields(d, sum(*r, Route, i));
        break;
      }
    }
  }
  g_readers.fetch_sub(1);
  return 0;
}

}  // namespace

void register_route_telemetry(const router::router* router,
                              std::vector<const lcore_traffic*> lcores) {
  g_storage.router = router;
  g_storage.lcores = std::move(lcores);
  g_registry.store(&g_storage);
  rte_telemetry_register_cmd("/ravelin/routes", telemetry_list<true>,
                             "Requests per route (names with other than [A-Za-z0-9_/] as _).");
  rte_telemetry_register_cmd("/ravelin/services", telemetry_list<false>,
                             "Requests per service (names with other than [A-Za-z0-9_/] as _).");
  rte_telemetry_register_cmd("/ravelin/route", telemetry_list<true>,
                             "One route's requests, status classes, latency buckets. Param: name.");
  rte_telemetry_register_cmd("/ravelin/service", telemetry_list<false>,
                             "One service's requests, status classes, latency. Param: name.");
}

void unregister_route_telemetry() {
  g_registry.store(nullptr);
  while (g_readers.load() != 0) std::this_thread::yield();
}

}  // namespace ravelin::dataplane::proxy
