// Rule evaluation for one phase (ModSecurity v3's RuleWithOperator::evaluate order): targets
// → values → transformations (cached) → operator → per-match actions (capture, setvar);
// after the whole chain matched: ctl, logging, disruptive action, skipAfter.
#pragma once

#include <functional>

#include "internal/tx_state.h"

namespace ravelin::waf::detail {

void run_phase(transaction::state& s, int phase);

// Load time (waf_engine's folding): evaluates `r` on a scratch state as long as each link
// `is_constant`. request_dependent: some link is not, or the rule matched with output a
// request must see (a log entry, a disruptive action). The scratch state's TX is left as the
// evaluation left it, even for request_dependent.
enum class sim_outcome : uint8_t { request_dependent, no_match, match };
sim_outcome simulate_rule(transaction::state& s, const rule& r, uint32_t index,
                          const std::function<bool(const rule_link&)>& is_constant);

}  // namespace ravelin::waf::detail
