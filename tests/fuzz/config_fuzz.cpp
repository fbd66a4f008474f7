// Fuzz target for the declarative config loader: any bytes must give either a snapshot or a
// list of positioned errors, never a crash, hang or exception.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ravelin/mgmt/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = ravelin::mgmt::load_config_text(text, "fuzz.yml");
  // Invariants: exactly one of snapshot / errors, and errors carry a message.
  if (result.snapshot && !result.errors.empty()) std::abort();
  if (!result.snapshot && result.errors.empty()) std::abort();
  for (const auto& e : result.errors) {
    if (e.message.empty()) std::abort();
    (void)e.to_string();
  }
  return 0;
}
