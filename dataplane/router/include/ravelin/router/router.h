// Kong 3.x `traditional_compatible` router (kong.md §2): compiled once per config snapshot
// into an immutable matcher, then read by every lcore without locks or allocation.
//
// Proxy use, per request:
//   router::match_result m;
//   switch (snapshot.router->match(input, lcore_scratch, target_buffer, m)) {
//     case matched: forward to m.service (m.service->upstream → balancer), with
//                   m.upstream_target and m.upstream_host (or the balancer's Host).
//     case no_route: 404 k_no_route_body.   case https_required: see https_location().
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/mgmt/kong_entities.h"
#include "ravelin/router/counters.h"
#include "ravelin/router/router_types.h"

struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

namespace ravelin::router {

namespace detail {
class compiled_router;
}

// Per-lcore scratch: PCRE2 match data, JIT stack and match limits, and the lcore's router
// counters. Created once per lcore; not shared.
class match_scratch {
 public:
  match_scratch();
  ~match_scratch();
  match_scratch(const match_scratch&) = delete;
  match_scratch& operator=(const match_scratch&) = delete;

  counter_set counters;

  pcre2_real_match_data_8* match_data() const { return match_data_; }
  pcre2_real_match_context_8* context() const { return context_; }

 private:
  pcre2_real_match_data_8* match_data_ = nullptr;
  pcre2_real_jit_stack_8* jit_stack_ = nullptr;
  pcre2_real_match_context_8* context_ = nullptr;
};

struct build_options {
  // Kong honours path_handling=v1 only in the `traditional` flavor; `traditional_compatible`
  // joins every route as v0. Off by default so that both rows of the §2.5 table work.
  bool ignore_path_handling_v1 = false;
};

// Control-plane outcome of a build: the router, or every problem found (with file:line).
struct build_result {
  std::shared_ptr<const class router> router;
  std::vector<std::string> errors;
  bool ok() const { return router != nullptr; }
};

class router {
 public:
  // Compiles the http-family routes of `config` (stream routes and routes of disabled
  // services are left out, as Kong does). Allocates and may fail; never on the hot path.
  static build_result build(const mgmt::kong_config& config, const build_options& options = {});

  ~router();
  router(const router&) = delete;
  router& operator=(const router&) = delete;

  // Finds the route for `in` and writes the upstream target into `target_buffer`. No
  // allocation, no exceptions; result views stay valid while the router, the input and the
  // buffer do.
  [[nodiscard]] match_status match(const match_input& in, match_scratch& scratch,
                                   std::span<char> target_buffer,
                                   match_result& result) const noexcept;

  std::span<const route_info> routes() const;
  std::span<const service_info> services() const;
  size_t matcher_count() const;  // routes after Kong's split by path kind and length

 private:
  explicit router(std::unique_ptr<detail::compiled_router> impl);
  std::unique_ptr<detail::compiled_router> impl_;
};

// Location for a 301/302/307/308 answer to an https-only route reached over http:
// "https://" + host without port + request-target as received (handler.lua uses
// forwarded_host and var.request_uri). Empty if `out` is too small.
std::string_view https_location(std::string_view host, std::string_view request_target,
                                std::span<char> out) noexcept;

}  // namespace ravelin::router
