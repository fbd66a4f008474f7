// Per-route and per-service traffic figures: requests, responses by status class and a
// latency histogram, kept per lcore (plain adds by the owner) and summed on read by the
// telemetry command /ravelin/routes.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ravelin/router/router.h"

namespace ravelin::dataplane::proxy {

struct traffic_stats {
  // Upper bounds of the latency buckets, in ms (first request byte to last response byte);
  // the last bucket holds the rest.
  static constexpr std::array<uint32_t, 8> k_bounds_ms = {1, 2, 5, 10, 50, 100, 500, 1000};
  uint64_t requests = 0;
  std::array<uint64_t, 5> status{};  // 1xx..5xx
  std::array<uint64_t, k_bounds_ms.size() + 1> latency{};

  void add(uint16_t code, uint32_t latency_ms) {
    ++requests;
    if (code >= 100 && code < 600) ++status[code / 100 - 1];
    size_t b = 0;
    while (b < k_bounds_ms.size() && latency_ms >= k_bounds_ms[b]) ++b;
    ++latency[b];
  }
};

// One lcore's figures, by route and by service index of the router they were built for.
struct lcore_traffic {
  explicit lcore_traffic(const router::router& r)
      : routes(r.routes().size()), services(r.services().size()) {}
  std::vector<traffic_stats> routes;
  std::vector<traffic_stats> services;
};

// Registers /ravelin/routes over `lcores` (not owned; they must outlive unregister).
void register_route_telemetry(const router::router* router,
                              std::vector<const lcore_traffic*> lcores);
// Returns once no telemetry callback can still be reading the registered figures.
void unregister_route_telemetry();

}  // namespace ravelin::dataplane::proxy
