// Running one operator on one transformed value, with the Hyperscan prefilter in front of
// @rx/@pm when the engine has one.
#pragma once

#include "internal/tx_state.h"

namespace ravelin::waf::detail {

struct op_result {
  regex_captures caps;  // what `capture` copies to TX.0..TX.9
};

// The operator's verdict after `!` negation. `group` is the target variable the value came
// from and `chain` its transformation chain (the Hyperscan database key).
// `hs_slot` is the link's place in the Hyperscan databases for `chain` (from
// hs_matcher::find, looked up once per link), or null to look it up here.
bool run_operator(transaction::state& s, const rule_link& link, variable_id group,
                  std::string_view value, int32_t chain, op_result& res,
                  const struct hs_slot_ref* hs_slot = nullptr);

// A link's Hyperscan slot, resolved once per link evaluation.
struct hs_slot_ref {
  bool found = false;
  int32_t db = -1;
  uint32_t id = 0;
};
hs_slot_ref hs_slot_for(const transaction::state& s, const rule_link& link, int32_t chain);

// The value after the transformation chain `chain`, computed once per transaction.
std::string_view transformed(transaction::state& s, std::string_view v, int32_t chain);

// Speed path, per link: false when no value the link can see was reported by its database,
// so the link cannot match (evaluate.cpp then skips its values altogether).
bool hs_link_may_match(transaction::state& s, const rule_link& link, int32_t chain);

}  // namespace ravelin::waf::detail
