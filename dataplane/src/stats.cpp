// Summing of per-lcore counters and their export on the DPDK telemetry socket.
#include "ravelin/dataplane/stats.h"

#include <atomic>
#include <thread>

#include <rte_telemetry.h>

namespace ravelin::dataplane {
namespace {

// The owning lcore writes counters with plain adds; readers on other threads load them
// relaxed. Aligned 64-bit loads do not tear on x86-64 and a slightly stale sum is fine.
uint64_t read_relaxed(const uint64_t& v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); }

// The telemetry thread reads the registry while lcores run. At shutdown the pointer is
// cleared and unregister_telemetry waits for readers in flight before the counter sets go.
std::atomic<const stats_registry*> g_registry{nullptr};
std::atomic<int> g_readers{0};

std::vector<stat_value> guarded_snapshot() {
  g_readers.fetch_add(1);
  const stats_registry* r = g_registry.load();
  std::vector<stat_value> out = r != nullptr ? r->snapshot() : std::vector<stat_value>{};
  g_readers.fetch_sub(1);
  return out;
}

int telemetry_stats(const char*, const char*, rte_tel_data* d) {
  rte_tel_data_start_dict(d);
  for (const auto& s : guarded_snapshot()) rte_tel_data_add_dict_u64(d, s.name, s.value);
  return 0;
}

int telemetry_counters(const char*, const char*, rte_tel_data* d) {
  rte_tel_data_start_dict(d);
  for (const auto& s : guarded_snapshot()) rte_tel_data_add_dict_string(d, s.name, s.description);
  return 0;
}

}  // namespace

void stats_registry::attach(unsigned lcore, const counter_set* dataplane,
                            const tcpstack::counter_set* stack,
                            const balancer::counter_set* balancing) {
  slots_[lcore] = {dataplane, stack, balancing};
}

std::vector<stat_value> stats_registry::snapshot() const {
  std::vector<stat_value> out;
  out.reserve(k_counter_count + tcpstack::k_counter_count);
  for (std::size_t i = 0; i < k_counter_count; ++i) {
    uint64_t sum = 0;
    for (const auto& s : slots_) {
      if (s.dataplane != nullptr) sum += read_relaxed(s.dataplane->values[i]);
    }
    out.push_back({k_counter_table[i].name, k_counter_table[i].description, sum});
  }
  for (std::size_t i = 0; i < tcpstack::k_counter_count; ++i) {
    uint64_t sum = 0;
    for (const auto& s : slots_) {
      if (s.stack != nullptr) sum += read_relaxed(s.stack->values[i]);
    }
    out.push_back(
        {tcpstack::k_counter_table[i].name, tcpstack::k_counter_table[i].description, sum});
  }
  for (std::size_t i = 0; i < balancer::k_counter_count; ++i) {
    uint64_t sum = 0;
    for (const auto& s : slots_) {
      if (s.balancing != nullptr) sum += read_relaxed(s.balancing->values[i]);
    }
    out.push_back(
        {balancer::k_counter_table[i].name, balancer::k_counter_table[i].description, sum});
  }
  return out;
}

void unregister_telemetry() {
  g_registry.store(nullptr);
  while (g_readers.load() != 0) std::this_thread::yield();
}

void register_telemetry(const stats_registry* registry) {
  g_registry.store(registry);
  rte_telemetry_register_cmd("/ravelin/stats", telemetry_stats,
                             "Every Ravelin counter, summed over lcores. No parameters.");
  rte_telemetry_register_cmd("/ravelin/counters", telemetry_counters,
                             "What each Ravelin counter counts. No parameters.");
}

std::string format_stats(const std::vector<stat_value>& stats, bool all) {
  std::string out;
  for (const auto& s : stats) {
    if (!all && s.value == 0) continue;
    out += "  ";
    out += s.name;
    out.append(s.name[0] != '\0' && std::char_traits<char>::length(s.name) < 28
                   ? 28 - std::char_traits<char>::length(s.name)
                   : 1,
               ' ');
    out += std::to_string(s.value);
    out += '\n';
  }
  return out;
}

}  // namespace ravelin::dataplane
