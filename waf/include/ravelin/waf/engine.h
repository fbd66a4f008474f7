// The rule engine: a compiled, immutable engine built once from a rule_set (shared by all
// lcores), and a transaction object per lcore that evaluates requests against it. A
// transaction is reused request after request: after warm-up it allocates nothing and never
// throws (STYLE.md, "Compile once, scan cheaply").
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/waf/audit.h"
#include "ravelin/waf/request.h"
#include "ravelin/waf/rule_types.h"

namespace ravelin::waf {

class hs_matcher;  // speed path (hs_matcher.h)

struct engine_options {
  // Use Hyperscan databases as a prefilter for @rx/@pm (speed path). Off = the plain PCRE2
  // reference path; both must give identical results.
  bool hyperscan = false;
  // Patterns without required literals: scan them whole in Hyperscan (true) or leave them to
  // PCRE2 (false, faster on CRS: those patterns scan at a few hundred ns per short value).
  bool hs_whole_regex = false;
};

class waf_engine {
 public:
  // Throws std::runtime_error if Hyperscan compilation fails (load time only).
  explicit waf_engine(std::shared_ptr<const rule_set> rules, engine_options opts = {});
  ~waf_engine();
  waf_engine(const waf_engine&) = delete;
  waf_engine& operator=(const waf_engine&) = delete;

  const rule_set& rules() const { return *rules_; }
  const engine_options& options() const { return opts_; }

  // Internal layout, read by transactions.
  // Where a link's pattern sits in the Hyperscan databases for its own transformation chain,
  // resolved at build so evaluation never searches for it.
  struct hs_place {
    int32_t db = -1;          // -1: the operator is always evaluated directly
    uint32_t id = 0;          // pattern id in `db`
    bool covers_all = false;  // every target is scanned with `db`: no hit, no match
    int32_t byte_gate = -1;   // hs_matcher byte gate for short required literals, or -1
    // The link's (target variables, chain) among those of every gated link, whose byte
    // union a transaction works out once (CRS' rules share a handful); -1: a target is a
    // count or not cacheable, so the gate cannot be judged for the rule as a whole.
    int32_t byte_set = -1;
    int32_t link = -1;  // the link's number among all rules' links: its operator_memo key
  };
  struct phase_entry {
    const rule* r = nullptr;
    int32_t skip_to = -1;  // for skipAfter: index of the target marker in this phase's list
    uint32_t index = 0;    // rule index in rules(), for per-rule flags
    // The head link's database and pattern when a miss there rules the rule out, so the
    // loop can skip it without touching the rule itself (cache misses dominate otherwise).
    int32_t gate_db = -1;
    uint32_t gate_id = 0;
    int32_t fold = -1;  // index into folds() when a run of constant rules starts here
    // A SecMarker (every phase's list holds them all): passed without loading the rule (perf
    // put a tenth of run_phase's own samples on the load of rule::kind).
    bool marker = false;
  };
  // A run of rules whose outcome is the same for every request (they read only TX values that
  // no request-dependent rule can have changed yet: CRS' set-up and paranoia-level rules).
  // Evaluated once at build; a transaction replays their TX writes and jumps to `resume`.
  struct fold_run {
    struct tx_op {
      std::string key, value;
      bool set = true;  // false: remove
    };
    std::vector<tx_op> ops;  // in evaluation order
    uint32_t resume = 0;     // list index evaluation continues at
    bool sets_matched = false;  // some link matched: MATCHED_VAR(_NAME) end up as below
    std::string matched_var, matched_var_name;
    // A guarded run (phase 5, fold.cpp) holds for a transaction only while every TX key its
    // rules read before writing it has the value the build saw (`present` false: no key).
    struct tx_read {
      std::string key, value;
      bool present = false;
    };
    std::vector<tx_read> guard;
  };
  struct chain_node {  // interned transformation chains: chain = prefix chain + last step
    int32_t prefix = 0;
    transform_id last = transform_id::none;
    uint32_t breakers = 0;  // byte classes that can make some step change a value
    bool opaque = false;    // some step may change any value (see identity_breakers)
    uint32_t case_blind = 0;  // breakers, leaving changes of case out (case_blind_breakers)
  };
  const std::vector<phase_entry>& phase(int p) const { return phases_[p]; }
  const std::vector<chain_node>& chains() const { return chains_; }
  // Chain id of link `l` (interned at build), and per-chain position ids.
  int32_t chain_of(const rule_link* l) const;
  // The same, by position: link `k` of rule number `rule_index` (no search).
  int32_t chain_at(uint32_t rule_index, size_t k) const { return link_chain_flat_[link_base_[rule_index] + k]; }
  const hs_place& hs_place_at(uint32_t rule_index, size_t k) const {
    return link_place_flat_[link_base_[rule_index] + k];
  }
  // A multiMatch link's stages: the chains its operator runs after (its own, each prefix, then
  // none; longest first, at most 16) with each one's database place, resolved at build.
  struct stage {
    int32_t chain = 0;
    int32_t db = -1;  // -1: no database holds the pattern for this chain
    uint32_t id = 0;
  };
  static constexpr size_t k_max_stages = 16;
  std::span<const stage> stages_at(uint32_t rule_index, size_t k) const {
    const auto [first, last] = link_stages_[link_base_[rule_index] + k];
    return {stage_flat_.data() + first, stage_flat_.data() + last};
  }
  // Whether the link's chain has more steps than its stages show (then no stage gate).
  bool stages_cut(uint32_t rule_index, size_t k) const;
  const hs_matcher* hs() const { return hs_.get(); }
  const std::vector<fold_run>& folds() const { return folds_; }
  size_t byte_sets() const { return byte_sets_; }
  // The regex selectors on stores (TX:/^header_name_/, &TX:/WEB_ATTACK/, ...), one bit each
  // (same pattern, same bit; at most 64): a store entry remembers a selector's answer for its
  // key, so the walks CRS makes over a hundred TX keys test each name once (speed path).
  int32_t selector_bit(const regex* key_regex) const;  // -1: none
  const std::vector<const variable_ref*>& selectors() const { return selectors_; }  // by bit

 private:
  std::shared_ptr<const rule_set> rules_;
  engine_options opts_;
  std::vector<phase_entry> phases_[6];
  std::vector<chain_node> chains_;
  std::vector<std::pair<const rule_link*, int32_t>> link_chain_;  // sorted by pointer
  std::vector<int32_t> link_chain_flat_;  // chain id per link, rules in order
  std::vector<uint32_t> link_base_;       // first flat index of each rule
  std::vector<hs_place> link_place_flat_;  // per link, same indexing as link_chain_flat_
  std::vector<stage> stage_flat_;
  std::vector<std::pair<uint32_t, uint32_t>> link_stages_;  // per link: [first, last) of stage_flat_
  std::unique_ptr<hs_matcher> hs_;
  std::vector<fold_run> folds_;
  size_t byte_sets_ = 0;
  std::vector<std::pair<const regex*, int32_t>> selector_bits_;  // sorted by pointer
  std::vector<const variable_ref*> selectors_;

  void place_links();
  void place_stages();
  void number_selectors();
  void fold_constant_rules();  // fold.cpp
  void fold_guarded_rules();   // fold.cpp
};

// One rule that matched, for the audit log. Views point into the transaction's memory and
// stay valid until its next request.
struct match_record {
  const rule* r = nullptr;
  const rule_link* link = nullptr;  // the link whose operator matched last
  int64_t id = 0;
  int phase = 0;
  int severity = -1;
  std::string_view msg, data;
  std::string_view var_name, var_value;  // last matched variable
  bool disruptive = false;               // this rule decided the verdict
};

enum class verdict_action : uint8_t { pass, deny, drop, redirect, allow };

struct verdict {
  verdict_action action = verdict_action::pass;
  int status = 0;           // HTTP status for deny/redirect
  int64_t rule_id = 0;      // the rule that interrupted, if any
  bool interrupted() const {
    return action == verdict_action::deny || action == verdict_action::drop ||
           action == verdict_action::redirect;
  }
};

// Counters per transaction object (summed by the caller per lcore).
struct waf_counters {
  uint64_t requests = 0;
  uint64_t rules_evaluated = 0;
  uint64_t values_inspected = 0;    // (rule link, value) pairs looked at
  uint64_t transforms_run = 0;      // transformation steps computed (cache misses)
  uint64_t transform_memo_hits = 0; // chains answered from an earlier transaction's result
  uint64_t operators_run = 0;       // operators evaluated exactly (PCRE2, phrase matcher, ...)
  uint64_t operator_memo_hits = 0;  // of those, answered by an earlier transaction's "no match"
  uint64_t pcre_errors = 0;         // match limit hit: treated as no match
  uint64_t body_limit_exceeded = 0;
  uint64_t response_body_limit_exceeded = 0;
  uint64_t reqbody_errors = 0;
  uint64_t hs_scans = 0;
  uint64_t hs_confirms = 0;         // PCRE2 confirmations after a Hyperscan hit
};

// Room a transaction fills to evaluate quickly and can always build again (transformed
// values, tables, Hyperscan scratch). Transactions of one engine that run on one thread may
// share one: many in flight (a proxy waiting on responses) then keep one set in the CPU's
// cache instead of one each. Never used by two threads at once.
class transaction_scratch;
std::shared_ptr<transaction_scratch> make_transaction_scratch(const waf_engine& engine);

class transaction {
 public:
  // `shared`: a scratch of the same engine (null: one of its own).
  explicit transaction(const waf_engine& engine, std::shared_ptr<transaction_scratch> shared = nullptr);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;

  // Phases 1 and 2. `unique_id` names the transaction in audit lines. The same as
  // process_request_headers + append_request_body(req.body) + process_request_body.
  verdict process_request(const http_request& req, std::string_view unique_id);

  // Streaming form, for a body that arrives in pieces (an mbuf chain): phase 1 on the request
  // line and headers (req.body is ignored), then the body segment by segment, then the body
  // processor and phase 2. Segments are borrowed like the request: they must stay valid until
  // the transaction's next request. A body in one segment is not copied; more segments are
  // joined in the transaction's buffer, which never holds more than SecRequestBodyLimit bytes.
  // Past that limit, Reject answers deny/413 at once (stop reading the body) and
  // ProcessPartial keeps inspecting the first SecRequestBodyLimit bytes; either way
  // INBOUND_DATA_ERROR becomes 1, as in v3. Once a verdict interrupts, segments are ignored.
  verdict process_request_headers(const http_request& req, std::string_view unique_id);
  // Copy every body segment, the first one too, so the caller may free segments at once
  // (a proxy streaming the body on to the origin). Off by default: one segment is borrowed.
  void copy_body_segments(bool on);
  verdict append_request_body(std::string_view segment);
  verdict process_request_body();
  // Phases 3 and 4, after process_request (phase 2 runs first if it has not yet).
  // RESPONSE_BODY is resp.body when response body access is on once phase 3 has run; the
  // caller decides what body to hand over (see wants_response_body) and keeps it valid
  // until the next request. A body longer than SecResponseBodyLimit (or marked
  // body_over_limit) sets OUTBOUND_DATA_ERROR to 1 and, as in v3, is either inspected in
  // part (ProcessPartial) or refused with deny/403 before phase 4 (Reject, engine On only).
  verdict process_response(const http_response& resp);
  // Whether phase 4 would look at a body of this Content-Type: SecResponseBodyAccess (or
  // ctl:responseBodyAccess so far) is on and the media type is one of
  // SecResponseBodyMimeType's (default text/plain text/html).
  bool wants_response_body(std::string_view content_type) const;
  int64_t response_body_limit() const;  // SecResponseBodyLimit
  bool response_body_limit_rejects() const;  // SecResponseBodyLimitAction Reject
  // Phase 5.
  void process_logging();

  std::span<const match_record> matches() const;
  // TX collection lookup (lower-case name), for tests and the plugin's anomaly score.
  std::string_view tx(std::string_view name) const;
  const waf_counters& counters() const;
  engine_mode mode() const;

  // ModSecurity's error-log line for one match: `ModSecurity: Warning. Matched ... [id "942100"]
  // [msg "..."] [data "..."] [severity "2"] ... [uri "/x"] [unique_id "..."]`. Allocates:
  // call it off the hot path.
  std::string audit_line(const match_record& m) const;
  // The match with the transaction's facts (status, uri, id), for format_audit_line/json.
  audit_entry audit_entry_of(const match_record& m) const;
  // The same match as one JSON object (one log line): transaction_id, rule_id, phase,
  // severity, disruptive, msg, data, matched_var, uri, tags. Allocates, like audit_line.
  std::string audit_json(const match_record& m) const;

  struct state;  // internal

 private:
  bool inspect_response_body(const http_response& resp);  // false: refused (Reject)

  std::unique_ptr<state> s_;
};

}  // namespace ravelin::waf
