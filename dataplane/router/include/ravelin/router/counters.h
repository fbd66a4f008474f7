// The router's per-lcore counters (kept in match_scratch).
#pragma once

#include "ravelin/router/counter_block.h"

namespace ravelin::router {

#define RAVELIN_ROUTER_COUNTERS(X)                                                       \
  X(router_matched, "requests matched to a route")                                     \
  X(router_no_route, "requests answered 404: no route matched")                        \
  X(router_https_required, "requests on https-only routes over http (426 or redirect)") \
  X(router_target_too_long, "matched requests whose upstream target overflowed the buffer") \
  X(router_regex_runs, "path and header regexes executed")                             \
  X(router_regex_errors, "regex runs that hit PCRE2's match limit (treated as no match)")

RAVELIN_PLAIN_COUNTERS(RAVELIN_ROUTER_COUNTERS);

}  // namespace ravelin::router
