// Helpers for config tests: load from text and look for a diagnostic at a position.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ravelin/mgmt/config.h"

namespace ravelin::mgmt::testing {

inline load_result load(std::string_view text) { return load_config_text(text, "t.yml"); }

inline std::string all_errors(const load_result& r) {
  std::string out;
  for (const auto& e : r.errors) out += "  " + e.to_string() + "\n";
  return out;
}

// Passes when some diagnostic sits at line:column and its message contains `text`.
inline ::testing::AssertionResult has_error(const load_result& r, unsigned line, unsigned column,
                                            std::string_view text) {
  for (const auto& e : r.errors) {
    if (e.line == line && e.column == column && e.message.find(text) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no error at " << line << ":" << column << " containing \"" << text << "\"; got:\n"
         << all_errors(r);
}

}  // namespace ravelin::mgmt::testing
