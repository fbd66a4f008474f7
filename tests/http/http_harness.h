// Drives a parser over a message cut into segments and renders everything it reported as
// text, so that tests can compare whole outcomes (and outcomes across different cuts).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/http/parser.h"

namespace ravelin::http::test {

struct harness_options {
  http::role role = http::role::request;
  http::limits limits{};
  std::size_t table_size = 128;
  std::size_t scratch_size = 32768;
  // Response role: the methods of the requests the responses answer, in order.
  std::vector<http::method> requests;
  bool upgrade_requested = false;  // for every expected response
  bool accept_upgrade = true;      // request role: start_tunnel() on pause, else resume()
};

// The transcript of feeding `segments` one by one and then finish(). Views the parser hands
// out that point outside the segments and the scratch are described in `violations`.
std::string run(const std::vector<std::string_view>& segments, const harness_options& o,
                std::string* violations = nullptr);

// The input cut before each offset in `cuts` (ascending).
std::string run_cut(std::string_view input, const std::vector<std::size_t>& cuts,
                    const harness_options& o, std::string* violations = nullptr);

inline std::string run_whole(std::string_view input, const harness_options& o = {},
                             std::string* violations = nullptr) {
  return run_cut(input, {}, o, violations);
}

// The error the whole input ends in, or error::none.
http::error error_of(std::string_view input, const harness_options& o = {});

}  // namespace ravelin::http::test
