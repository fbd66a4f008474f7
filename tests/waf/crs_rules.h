// CRS 3.3.4 as the waf tests load it (crs_load.h); a load error is a test failure.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "crs_load.h"

namespace ravelin::waf::test {

inline std::shared_ptr<const rule_set> load_crs(const std::string& setup = {}) {
  std::vector<load_error> errors;
  auto rs = load_crs_rules(setup, errors);
  for (const auto& e : errors) ADD_FAILURE() << e.to_string();
  return rs;
}

// crs-setup.conf's 900000 with another paranoia level.
inline std::string paranoia(int level) {
  return "SecAction \"id:900000,phase:1,pass,nolog,setvar:tx.paranoia_level=" + std::to_string(level) + "\"\n";
}

}  // namespace ravelin::waf::test
