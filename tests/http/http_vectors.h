// Inputs shared by the HTTP tests: requests that must be refused (with the refusal), and
// well-formed sample exchanges. The split tests cut every one of them at every byte.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "http_harness.h"
#include "ravelin/http/errors.h"

namespace ravelin::http::test {

struct refused_vector {
  const char* name;
  std::string_view input;
  http::error expected;
  uint16_t status;  // what the client is answered
};

struct sample {
  const char* name;
  std::string_view input;
  harness_options options;
};

// Requests that an ambiguity, a framing conflict or a malformed byte must stop.
const std::vector<refused_vector>& smuggling_vectors();

// Requests and responses that must parse, with the options that describe their context.
const std::vector<sample>& samples();

}  // namespace ravelin::http::test
