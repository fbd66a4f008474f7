// Traffic figures per route, service, upstream and target: requests, responses by status
// class and a latency histogram, kept per lcore and per snapshot (plain adds by the owner)
// and summed on read by the telemetry commands /ravelin/routes, /ravelin/services,
// /ravelin/upstreams and /ravelin/targets. Figures are keyed by name, so they carry on
// across config reloads as Kong's Prometheus series do.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ravelin/balancer/balancer.h"
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

// One lcore's figures under one snapshot, by the indices of its router and balancing.
struct lcore_traffic {
  lcore_traffic(const router::router& r, const balancer::balancer_config& b);
  std::vector<traffic_stats> routes;
  std::vector<traffic_stats> services;
  std::vector<traffic_stats> upstreams;
  std::vector<traffic_stats> targets;    // every upstream's targets, one after the other
  std::vector<uint32_t> first_target;    // by upstream: its first entry in `targets`

  traffic_stats* target(uint32_t upstream, uint32_t t) {
    if (upstream >= first_target.size()) return nullptr;
    const uint32_t i = first_target[upstream] + t;
    return i < targets.size() ? &targets[i] : nullptr;
  }
};

// One snapshot's figures as telemetry reads them (not owned; alive until retired).
struct traffic_view {
  uint32_t generation = 0;
  const router::router* router = nullptr;
  const balancer::balancer_config* balancing = nullptr;
  std::vector<const lcore_traffic*> lcores;
};

// Registers the telemetry commands; the figures come from the views added below.
void register_route_telemetry();
// A snapshot's figures start counting (control thread).
void add_traffic_view(traffic_view v);
// A snapshot no lcore uses any more: its final figures fold into totals kept by name, and
// telemetry stops reading it. Returns once no callback can still be reading the view.
void retire_traffic_view(uint32_t generation);
// Returns once no telemetry callback can still be reading any figures.
void unregister_route_telemetry();

}  // namespace ravelin::dataplane::proxy
