// CRS 3.3.4 as the waf tests and the profile trainer load it: ModSecurity's recommended
// settings, crs-setup.conf, a suite's own settings (`setup`, SecLang text), then every rule
// file. The including target defines RAVELIN_WAF_TEST_DATA, RAVELIN_CRS_SETUP and
// RAVELIN_CRS_DIR (tests/waf/CMakeLists.txt). No gtest here: the trainer is not a test.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ravelin/waf/seclang.h"

namespace ravelin::waf::test {

inline std::shared_ptr<const rule_set> load_crs_rules(const std::string& setup,
                                                      std::vector<load_error>& errors) {
  rule_loader l;
  l.load_file(RAVELIN_WAF_TEST_DATA "/modsecurity-recommended.conf");
  l.load_file(RAVELIN_CRS_SETUP);
  if (!setup.empty()) l.load_text(setup, "test-setup.conf");
  l.load_text("Include " RAVELIN_CRS_DIR "/rules/*.conf\n", "crs.load");
  auto rs = l.finish();
  errors = l.errors();
  return rs;
}

}  // namespace ravelin::waf::test
