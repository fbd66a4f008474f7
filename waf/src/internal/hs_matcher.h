// The speed path: every @rx/@pm/@pmFromFile operator is compiled into Hyperscan databases, one
// per transformation chain, holding the patterns of every rule that inspects its variables
// through that chain. Each transformed value is scanned once per database; a rule none of whose
// values was reported is skipped without looking at them. A hit is only a candidate: the exact operator
// (PCRE2 or the phrase matcher) confirms it, so results equal the reference path exactly.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/waf/engine.h"

struct hs_database;
struct hs_scratch;

namespace ravelin::waf {

namespace detail {
// Tables for cacheable_group and stable_group, asked several hundred times per request.
struct group_kinds {
  bool cacheable[k_variable_count];
  bool stable[k_variable_count];
  constexpr group_kinds() : cacheable{}, stable{} {
    for (auto& c : cacheable) c = true;
    // Values that change during the transaction.
    for (const variable_id v :
         {variable_id::tx, variable_id::ip, variable_id::global, variable_id::session,
          variable_id::user, variable_id::resource, variable_id::geo, variable_id::env,
          variable_id::rule, variable_id::matched_var, variable_id::matched_var_name,
          variable_id::matched_vars, variable_id::matched_vars_names,
          variable_id::reqbody_processor, variable_id::highest_severity,
          variable_id::duration, variable_id::args_combined_size}) {
      cacheable[static_cast<size_t>(v)] = false;
    }
    // Set by set_request_variables only.
    for (const variable_id v :
         {variable_id::args_get, variable_id::args_get_names, variable_id::request_headers,
          variable_id::request_headers_names, variable_id::request_cookies,
          variable_id::request_cookies_names, variable_id::request_method,
          variable_id::request_protocol, variable_id::request_uri, variable_id::request_uri_raw,
          variable_id::request_line, variable_id::request_filename,
          variable_id::request_basename, variable_id::query_string, variable_id::remote_addr}) {
      stable[static_cast<size_t>(v)] = true;
    }
  }
};
inline constexpr group_kinds k_group_kinds{};
}  // namespace detail

class hs_matcher {
 public:
  explicit hs_matcher(const waf_engine& engine);  // throws std::runtime_error
  ~hs_matcher();
  hs_matcher(const hs_matcher&) = delete;
  hs_matcher& operator=(const hs_matcher&) = delete;

  // Where a link's pattern lives when its value went through `chain`: the database and the
  // pattern id in it. False when the operator is evaluated directly.
  struct slot {
    int32_t db = -1;
    uint32_t id = 0;
    bool covers_all = false;  // every target of the link is scanned with this database
  };
  bool find(const rule_link* l, int32_t chain, slot& out) const;
  // Scans `value`; appends the ids of links whose pattern may match. False on a Hyperscan
  // error (the caller then evaluates every operator directly).
  bool scan(int32_t db, std::string_view value, hs_scratch* scratch,
            std::vector<uint32_t>& hits) const noexcept;
  // Scratch big enough for every database (one per lcore).
  hs_scratch* alloc_scratch() const;
  static void free_scratch(hs_scratch* s);

  struct stats {
    size_t databases = 0, patterns = 0, expressions = 0, split_patterns = 0, direct_only = 0;
    size_t byte_gates = 0;  // direct-only patterns that still get a byte gate
  };
  const stats& info() const { return stats_; }
  // Whether values of this variable are fixed for the transaction (safe to cache scans).
  static bool cacheable_group(variable_id v) { return detail::k_group_kinds.cacheable[static_cast<size_t>(v)]; }
  // Whether values of this variable are all known before phase 1 (the request line, headers,
  // cookies, query): what is built from them then serves the later phases too.
  static bool stable_group(variable_id v) { return detail::k_group_kinds.stable[static_cast<size_t>(v)]; }
  bool stable(int32_t db) const;  // every variable the database is scanned with is stable

  // Byte gates: an @rx left out of the databases (its required literals include one-byte
  // ones like "(" or "|", which hit almost every value, or it has none) still cannot match a
  // value that lacks a byte of each of its required byte sets (regex_factors.h). Each gate is
  // a list of byte masks, one per set.
  using byte_mask = std::array<uint64_t, 4>;
  int32_t byte_gate_of(const rule_link* l) const;  // -1: none
  bool byte_gate_passes(int32_t gate, const byte_mask& present) const noexcept {
    const auto [first, last] = gate_spans_[static_cast<size_t>(gate)];
    for (uint32_t k = first; k < last; ++k) {
      const byte_mask& need = gate_masks_[k];
      if (!(need[0] & ~present[0]) && !(need[1] & ~present[1]) && !(need[2] & ~present[2]) &&
          !(need[3] & ~present[3])) {
        return true;
      }
    }
    return false;
  }
  // The lower-cased bytes of `v` (what byte_gate_passes checks against).
  static void bytes_of(std::string_view v, byte_mask& out) noexcept;

  size_t databases() const;
  uint32_t patterns_in(int32_t db) const;
  int32_t chain_of_db(int32_t db) const;
  // The variables whose values this database is scanned with.
  const std::vector<variable_id>& groups_of(int32_t db) const;
  // Every pattern of the database is a non-empty caseless literal, so an empty value cannot
  // match any (such values need neither a scan nor an exact check), and case changes of the
  // database's chain need not be made before a scan.
  bool literal_only(int32_t db) const;

 private:
  struct db_entry;
  struct link_slot {
    const rule_link* link;
    int32_t chain;
    slot where;
    bool operator<(const link_slot& o) const {
      return link != o.link ? link < o.link : chain < o.chain;
    }
  };
  void add_byte_gate(const rule_link& l);

  std::vector<db_entry> dbs_;
  std::vector<link_slot> slots_;  // sorted by (link, chain)
  // Every gate's masks in one array (gate k: [first, last) of gate_spans_[k]): gates are
  // checked for most rules of every request, and one allocation per gate missed the cache.
  std::vector<byte_mask> gate_masks_;
  std::vector<std::pair<uint32_t, uint32_t>> gate_spans_;
  std::vector<std::pair<const rule_link*, int32_t>> gate_of_;  // sorted by link
  stats stats_;
};

}  // namespace ravelin::waf
