// Running one operator on one transformed value, with the Hyperscan prefilter in front of
// @rx/@pm when the engine has one.
#pragma once

#include "internal/tx_state.h"

namespace ravelin::waf::detail {

// The operator's verdict after `!` negation. `group` is the target variable the value came
// from. `place` is the link's place in the Hyperscan databases for the value's transformation
// chain (waf_engine::hs_place_at), or null on the reference path.
bool run_operator(transaction::state& s, const rule_link& link, variable_id group,
                  std::string_view value, op_result& res,
                  const waf_engine::hs_place* place = nullptr);

// The same for a cacheable collection member on the speed path (`place` is the link's).
bool run_operator(transaction::state& s, const rule_link& link, tvalue& e, op_result& res,
                  const waf_engine::hs_place& place);
// The members of a cacheable collection after `chain`, built once per generation; null when
// the table is full (the caller then walks the collection itself).
tvalue_list* tvalue_list_of(transaction::state& s, variable_id group, int32_t chain);

// Values up to this size are tested for "no step of the chain can change it" by their byte
// classes (transform.h) instead of a cache lookup.
constexpr size_t k_direct_identity_max = 128;

// The value after the transformation chain `chain`, computed once per transaction.
std::string_view transformed(transaction::state& s, std::string_view v, int32_t chain);
// The same when byte_classes(v) is known (it is read only if v is at most
// k_direct_identity_max bytes long).
std::string_view transformed(transaction::state& s, std::string_view v, int32_t chain,
                             uint32_t classes);

// Speed path, per link: false when no value the link can see was reported by its database,
// so the link cannot match (evaluate.cpp then skips its values altogether).
bool hs_link_may_match(transaction::state& s, const rule_link& link,
                       const waf_engine::hs_place& place);
// The byte gate, per link: false when no value of any target holds all the bytes of one of
// the link's required literals (the union of their bytes is computed once per transaction).
bool link_bytes_may_match(transaction::state& s, const rule_link& link,
                          const waf_engine::hs_place& place, int32_t chain);
// The same from the database's side: did any value scanned with `db` report pattern `id`?
bool hs_gate_open(transaction::state& s, int32_t db, uint32_t id);

}  // namespace ravelin::waf::detail
