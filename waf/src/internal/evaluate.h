// Rule evaluation for one phase (ModSecurity v3's RuleWithOperator::evaluate order): targets
// → values → transformations (cached) → operator → per-match actions (capture, setvar);
// after the whole chain matched: ctl, logging, disruptive action, skipAfter.
#pragma once

#include "internal/tx_state.h"

namespace ravelin::waf::detail {

void run_phase(transaction::state& s, int phase);

}  // namespace ravelin::waf::detail
