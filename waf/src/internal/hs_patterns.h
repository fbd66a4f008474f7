// Operator → Hyperscan expressions (see hs_patterns.cpp).
#pragma once

#include <string>
#include <vector>

#include "ravelin/waf/matchers.h"
#include "ravelin/waf/rule_types.h"

namespace ravelin::waf::detail {

struct hs_expression {
  std::string pattern;
  unsigned flags = 0;
};

// Empty when the operator cannot (or need not) be prefiltered. A regex is represented by its
// required literals; without any, and if `whole_regex`, by itself (exact, else
// HS_FLAG_PREFILTER, else split into alternatives). `split` tells whether it was cut.
std::vector<hs_expression> expressions_for(const rule_operator& op, bool whole_regex, bool& split);

}  // namespace ravelin::waf::detail
