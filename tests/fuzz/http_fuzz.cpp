// Fuzzes the HTTP/1.1 parser in both roles. Byte 0 picks the role, the method of the requests
// a response answers, Upgrade, and default or tight limits; byte 1 seeds how the rest is cut
// into segments. Whatever the input, the transcript (tests/http/http_harness.h) must not depend
// on the cuts, and no view may point outside the input or the scratch.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "http_harness.h"

namespace {

namespace http = ravelin::http;

http::test::harness_options options_from(uint8_t b) {
  http::test::harness_options o;
  o.role = (b & 1) != 0 ? http::role::response : http::role::request;
  constexpr http::method k_methods[] = {http::method::get, http::method::head,
                                        http::method::connect, http::method::post};
  o.requests.assign(3, k_methods[(b >> 1) & 3]);
  o.upgrade_requested = (b & 8) != 0;
  if ((b & 16) != 0) {
    o.limits = {.max_start_line = 32,
                .max_head_bytes = 128,
                .max_fields = 4,
                .max_chunk_line = 16,
                .max_body_bytes = 64};
    o.scratch_size = 256;
  }
  o.accept_upgrade = (b & 32) != 0;
  return o;
}

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "http_fuzz: %s\n--- whole\n%s--- cut\n%s", what, a.c_str(), b.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 8192) return 0;
  const http::test::harness_options o = options_from(data[0]);
  const std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  std::string violations;
  const std::string whole = http::test::run_whole(in, o, &violations);
  std::mt19937 rng(data[1]);
  for (int round = 0; round < 3; ++round) {
    std::vector<std::size_t> cuts;
    const unsigned every = 1 + rng() % 64;
    for (std::size_t i = 1; i < in.size(); ++i) {
      if (rng() % every == 0) cuts.push_back(i);
    }
    const std::string cut = http::test::run_cut(in, cuts, o, &violations);
    if (cut != whole) fail("the transcript depends on the cuts", whole, cut);
  }
  if (!violations.empty()) fail(violations.c_str(), whole, "");
  return 0;
}
