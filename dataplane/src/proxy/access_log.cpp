// The access log's rings and writer thread (access_log.h). JSON lines follow Kong's log
// serializer (kong/pdk/log.lua serialize): request, upstream_uri, response, latencies,
// tries, route, service, client_ip, started_at.
#include "access_log.h"
#include "off_lcore.h"
#include "record_rings.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>

namespace ravelin::dataplane::proxy {
namespace {

constexpr unsigned k_ring_records = 4096;  // per lcore; a full ring drops (counted)

// Writes `s` as the body of a JSON string (RFC 8259 §7).
void put_json(std::FILE* f, const char* s) {
  for (; *s != '\0'; ++s) {
    const auto c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      std::fputc('\\', f);
      std::fputc(c, f);
    } else if (c < 0x20 || c >= 0x7f) {
      std::fprintf(f, "\\u%04x", c);
    } else {
      std::fputc(c, f);
    }
  }
}

void put_ip(std::FILE* f, uint32_t ip) {
  std::fprintf(f, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

uint64_t tsc_ns() {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(rte_rdtsc()) * 1'000'000'000ULL) /
                               rte_get_tsc_hz());
}

}  // namespace

bool access_log::open(const std::string& path, unsigned lcores, std::string& error) {
  file_ = std::fopen(path.c_str(), "a");
  if (file_ == nullptr) {
    error = "cannot open access log " + path;
    return false;
  }
  std::vector<rte_ring*> rings;
  const bool made = make_record_rings("rv_alog_", sizeof(access_log_record), k_ring_records,
                                      lcores, rings, error);
  for (rte_ring* r : rings) rings_.emplace_back(r);  // stop() frees them
  if (!made) return false;
  wall_base_ms_ = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  mono_base_ns_ = tsc_ns();
  return true;
}

void access_log::start() {
  thread_ = std::thread([this] {
    move_off_lcores();
    run();
  });
}

void access_log::run() {
  while (!stop_.load(std::memory_order_relaxed)) {
    drain();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  drain();
}

void access_log::drain() {
  access_log_record r;
  bool wrote = false;
  for (auto& ring : rings_) {
    while (rte_ring_sc_dequeue_elem(ring.ring(), &r, sizeof r) == 0) {
      write(r);
      wrote = true;
    }
  }
  if (wrote) std::fflush(file_);
  passes_.fetch_add(1, std::memory_order_release);
}

void access_log::write(const access_log_record& r) {
  std::FILE* f = file_;
  const int64_t since_open_ms =
      (static_cast<int64_t>(r.started_ns) - static_cast<int64_t>(mono_base_ns_)) / 1'000'000;
  std::fputs("{\"request\":{\"method\":\"", f);
  put_json(f, r.method);
  std::fputs("\",\"uri\":\"", f);
  put_json(f, r.uri);
  std::fputs("\",\"url\":\"http://", f);
  put_json(f, r.host);
  put_json(f, r.uri);
  std::fprintf(f, "\",\"size\":%" PRIu64 ",\"headers\":{\"host\":\"", r.request_size);
  put_json(f, r.host);
  std::fputs("\"}},\"upstream_uri\":\"", f);
  put_json(f, r.upstream_uri);
  std::fprintf(f, "\",\"response\":{\"status\":%u,\"size\":%" PRIu64 "}", r.status,
               r.response_size);
  std::fprintf(f, ",\"upstream_status\":\"%u\"", r.upstream_status);
  std::fprintf(
      f, ",\"latencies\":{\"request\":%u,\"proxy\":%u,\"kong\":%u}", r.latency_request_ms,
      r.latency_proxy_ms,
      r.latency_request_ms > r.latency_proxy_ms ? r.latency_request_ms - r.latency_proxy_ms : 0);
  std::fputs(",\"tries\":[", f);
  if (r.upstream_port != 0) {
    std::fputs("{\"ip\":\"", f);
    put_ip(f, r.upstream_ip);
    std::fprintf(f, "\",\"port\":%u}", r.upstream_port);
  }
  std::fputs("]", f);
  const auto routes = r.router ? r.router->routes() : std::span<const router::route_info>{};
  const auto services = r.router ? r.router->services() : std::span<const router::service_info>{};
  if (r.route < routes.size()) {
    std::fputs(",\"route\":{\"id\":\"", f);
    put_json(f, routes[r.route].id.c_str());
    std::fputs("\",\"name\":\"", f);
    put_json(f, routes[r.route].name.c_str());
    std::fputs("\"}", f);
  }
  if (r.service < services.size()) {
    std::fputs(",\"service\":{\"id\":\"", f);
    put_json(f, services[r.service].id.c_str());
    std::fputs("\",\"name\":\"", f);
    put_json(f, services[r.service].name.c_str());
    std::fputs("\"}", f);
  }
  std::fputs(",\"client_ip\":\"", f);
  put_ip(f, r.client_ip);
  // Kong's `source`: who produced the response, the upstream or the gateway itself.
  std::fprintf(f, "\",\"started_at\":%" PRId64 ",\"source\":\"%s\"}\n",
               static_cast<int64_t>(wall_base_ms_) + since_open_ms,
               r.upstream_status != 0 ? "upstream" : "kong");
}

void access_log::stop() {
  if (thread_.joinable()) {
    stop_.store(true);
    thread_.join();
  }
  for (auto& r : rings_) rte_ring_free(r.ring());
  rings_.clear();
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
}

}  // namespace ravelin::dataplane::proxy
