// CRS 3.3.4 as the waf tests load it: ModSecurity's recommended settings, crs-setup.conf, a
// suite's own settings (`setup`, SecLang text), then every rule file. A load error is a test
// failure. The including target defines RAVELIN_WAF_TEST_DATA, RAVELIN_CRS_SETUP and
// RAVELIN_CRS_DIR (tests/waf/CMakeLists.txt).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ravelin/waf/seclang.h"

namespace ravelin::waf::test {

inline std::shared_ptr<const rule_set> load_crs(const std::string& setup = {}) {
  rule_loader l;
  l.load_file(RAVELIN_WAF_TEST_DATA "/modsecurity-recommended.conf");
  l.load_file(RAVELIN_CRS_SETUP);
  if (!setup.empty()) l.load_text(setup, "test-setup.conf");
  l.load_text("Include " RAVELIN_CRS_DIR "/rules/*.conf\n", "crs.load");
  auto rs = l.finish();
  for (const auto& e : l.errors()) ADD_FAILURE() << e.to_string();
  return rs;
}

// crs-setup.conf's 900000 with another paranoia level.
inline std::string paranoia(int level) {
  return "SecAction \"id:900000,phase:1,pass,nolog,setvar:tx.paranoia_level=" + std::to_string(level) + "\"\n";
}

}  // namespace ravelin::waf::test
