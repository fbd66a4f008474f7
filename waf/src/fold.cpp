// Constant folding (engine.h, fold_run): a rule that reads only TX values no request can have
// changed yet evaluates the same way for every request, so phases 1 to 4 are walked once at
// build on a scratch transaction and each run of such rules becomes a list of TX writes.
// CRS opens each request with some eighty of them (set-up defaults, paranoia-level skips)
// and each response with some thirty. Phase 5 is left out: it also runs for a transaction
// that never reached phases 3 and 4 (refused in phase 1 or 2), whose TX the walk would not
// match; phases 3 and 4 run only after phase 2 (transaction.cpp).
//
// Phase 5 is folded under guard instead (fold_guarded_rules): CRS closes every transaction
// with rules that read only named TX values (912110's DoS settings, 980115-980150's anomaly
// scores and thresholds), which hold the set-up's values for most requests but not all (an
// attack's scores). Each run of them is walked once from TX as the folded rules of phases 1
// to 4 leave it, recording the values its rules read before writing; a transaction whose TX
// holds those values replays the run, any other evaluates it.
#include <algorithm>
#include <set>
#include <string>

#include "internal/collections.h"
#include "internal/evaluate.h"
#include "internal/tx_state.h"

namespace ravelin::waf {

namespace {

std::string literal_name(const macro_text& m) {  // caller checked !m.has_macros()
  std::string out;
  for (const auto& p : m.parts) out += p.literal;
  for (char& c : out) c = static_cast<char>(detail::ascii_lower(static_cast<unsigned char>(c)));
  return out;
}

// The lower-cased literal text before the first macro of `m`.
std::string literal_prefix(const macro_text& m) {
  std::string out;
  for (const auto& p : m.parts) {
    if (p.is_var) break;
    out += p.literal;
  }
  for (char& c : out) c = static_cast<char>(detail::ascii_lower(static_cast<unsigned char>(c)));
  return out;
}

// TX keys that a request-dependent rule evaluated so far may have written.
struct tx_knowledge {
  bool no_response_body = false;  // RESPONSE_BODY never has a value (access off, no ctl)
  std::set<std::string, std::less<>> unknown;
  std::vector<std::string> unknown_prefixes;  // setvar:tx.header_name_%{tx.0}=...

  bool known(std::string_view key) const {
    for (const auto& p : unknown_prefixes) {
      if (key.starts_with(p)) return false;
    }
    return unknown.find(key) == unknown.end();
  }
  bool reads_known(const macro_text& m) const {
    for (const auto& p : m.parts) {
      if (p.is_var && (p.var != variable_id::tx || !known(p.key))) return false;
    }
    return true;
  }
  // Everything a request-dependent rule may write to TX; false when that cannot be told.
  bool note_writes(const rule& r) {
    for (const auto& l : r.links) {
      if (l.actions.capture) {
        for (const char d : std::string_view("0123456789")) unknown.insert(std::string(1, d));
      }
      for (const auto& sv : l.actions.setvars) {
        if (sv.collection != variable_id::tx) continue;
        if (!sv.name.has_macros()) {
          unknown.insert(literal_name(sv.name));
        } else {
          std::string prefix = literal_prefix(sv.name);
          if (prefix.empty()) return false;  // any key at all
          unknown_prefixes.push_back(std::move(prefix));
        }
      }
    }
    return true;
  }
};

// A rule whose head link inspects only a RESPONSE_BODY that is never there: no value, no
// match, no effect.
bool never_matches(const rule& r, const tx_knowledge& k) {
  const auto& targets = r.links.front().targets;
  return k.no_response_body && !targets.empty() &&
         std::all_of(targets.begin(), targets.end(),
                     [](const variable_ref& t) { return t.id == variable_id::response_body && !t.count; });
}

// Audit and debug settings change no verdict and no state the walk keeps (run_ctl).
bool audit_only(const ctl_action& c) {
  return c.kind == ctl_kind::audit_engine || c.kind == ctl_kind::audit_log_parts ||
         c.kind == ctl_kind::debug_log_level || c.kind == ctl_kind::hash_engine;
}

// A link whose result depends on known TX values only: whether it matches is the same for
// every request (what it then does may not be). No initcol or ctl that counts, whose effects
// on the scratch state the walk could not take back.
bool known_outcome_link(const rule_link& l, const tx_knowledge& k) {
  const auto& ctls = l.actions.ctls;
  if (!l.exclusions.empty() || !l.actions.initcols.empty() || !std::all_of(ctls.begin(), ctls.end(), audit_only)) {
    return false;
  }
  for (const auto& t : l.targets) {
    if (t.id != variable_id::tx || t.key.empty() || t.key_regex || !k.known(t.key)) return false;
  }
  return k.reads_known(l.op.param);
}

// A link whose result and effects depend on known TX values only.
bool constant_link(const rule_link& l, const tx_knowledge& k) {
  const rule_actions& a = l.actions;
  if (a.capture || !a.ctls.empty() || !known_outcome_link(l, k)) return false;
  for (const auto& sv : a.setvars) {
    if (sv.collection != variable_id::tx || sv.name.has_macros() || !k.reads_known(sv.value) ||
        !k.known(literal_name(sv.name))) {
      return false;
    }
  }
  return true;
}

// Where evaluation continues after list[i] matched: past its skipAfter marker, past `skip`
// rules, or at the next entry (run_phase's stepping).
size_t skip_end(const std::vector<waf_engine::phase_entry>& list, size_t i) {
  if (list[i].skip_to >= 0) return static_cast<size_t>(list[i].skip_to) + 1;
  size_t j = i;
  for (int n = list[i].r->head().skip; n > 0 && j + 1 < list.size(); ++j) {
    if (list[j + 1].r->kind != rule_kind::marker) --n;
  }
  return j + 1;
}

// Whether RESPONSE_BODY can ever have a value: SecResponseBodyAccess, or a ctl turning it on.
bool may_turn_on_response_body(const rule_set& rs) {
  if (rs.config.response_body_access) return true;
  for (const auto& r : rs.rules) {
    for (const auto& l : r.links) {
      for (const auto& c : l.actions.ctls) {
        if (c.kind == ctl_kind::response_body_access && c.on) return true;
      }
    }
  }
  return false;
}

// Appends a journalled write to the run. A key set once keeps the place that set gave it
// (var_store::set leaves an existing entry where it is), so setting it again only changes the
// value of that op: CRS' 980115 sets one key four times.
void add_op(waf_engine::fold_run& f, const detail::var_store::entry& w) {
  const auto same_key = [&](const auto& op) { return op.key == w.key; };
  const auto first = std::find_if(f.ops.begin(), f.ops.end(), same_key);
  const auto kept = [&](const auto& op) { return !same_key(op) || op.set; };
  const bool only_sets = first != f.ops.end() && w.live && std::all_of(first, f.ops.end(), kept);
  if (only_sets) {
    first->value = std::string(w.value);
    return;
  }
  f.ops.push_back({std::string(w.key), std::string(w.value), w.live});
}

// The open run (`run`), opened at `e` when none is.
waf_engine::fold_run& open_run(std::vector<waf_engine::fold_run>& folds, waf_engine::phase_entry& e,
                               int32_t& run) {
  if (run < 0) {
    run = static_cast<int32_t>(folds.size());
    e.fold = run;
    folds.emplace_back();
  }
  return folds[static_cast<size_t>(run)];
}

// Adds a simulated rule's writes and MATCHED_VAR to its run.
void add_writes(waf_engine::fold_run& f, const std::vector<detail::var_store::entry>& writes,
                const transaction::state& s) {
  constexpr auto k_var = static_cast<size_t>(variable_id::matched_var);
  constexpr auto k_name = static_cast<size_t>(variable_id::matched_var_name);
  for (const auto& w : writes) add_op(f, w);
  if (s.has_scalar[k_var]) {
    f.sets_matched = true;
    f.matched_var = std::string(s.scalar[k_var]);
    f.matched_var_name = std::string(s.scalar[k_name]);
  }
}

// Whether every macro of `m` names a TX value.
bool reads_named_tx(const macro_text& m) {
  for (const auto& p : m.parts) {
    if (p.is_var && (p.var != variable_id::tx || p.key.empty())) return false;
  }
  return true;
}

// A link whose outcome and effects depend on named TX values only (no selector: the guard
// compares values, not key sets), and that writes TX only.
bool named_tx_link(const rule_link& l) {
  const rule_actions& a = l.actions;
  if (!l.exclusions.empty() || a.capture || !a.ctls.empty() || !a.initcols.empty()) return false;
  for (const auto& t : l.targets) {
    if (t.id != variable_id::tx || t.key.empty() || t.key_regex) return false;
  }
  for (const auto& sv : a.setvars) {
    if (sv.collection != variable_id::tx || sv.name.has_macros() || !reads_named_tx(sv.value)) {
      return false;
    }
  }
  return reads_named_tx(l.op.param);
}

// Adds the reads of one simulated rule to the run's guard, before its writes join the run:
// those of keys that neither the run nor the rule (before the read) has written, once each.
void add_guard(waf_engine::fold_run& f, const std::vector<detail::var_store::read_note>& reads,
               const std::vector<detail::var_store::entry>& writes) {
  const auto named = [](std::string_view key) {
    return [key](const auto& x) { return x.key == key; };
  };
  for (const auto& r : reads) {
    const auto written_before = writes.begin() + static_cast<std::ptrdiff_t>(r.writes_before);
    if (std::any_of(f.ops.begin(), f.ops.end(), named(r.key)) ||
        std::any_of(writes.begin(), written_before, named(r.key)) ||
        std::any_of(f.guard.begin(), f.guard.end(), named(r.key))) {
      continue;
    }
    f.guard.push_back({std::string(r.key), std::string(r.value), r.present});
  }
}

}  // namespace

void waf_engine::fold_guarded_rules() {
  transaction::state s(*this, make_transaction_scratch(*this));
  s.reset();
  for (const auto& f : folds_) {  // TX as phases 1 to 4 leave it when no other rule writes
    for (const auto& op : f.ops) {
      if (op.set) s.tx.set(s.mem.copy(op.key), s.mem.copy(op.value));
      else s.tx.remove(s.mem.copy(op.key));
    }
  }
  std::vector<detail::var_store::entry> writes;
  std::vector<detail::var_store::read_note> reads;
  s.tx.journal_to(&writes);
  s.tx.reads_to(&reads);
  constexpr auto k_var = static_cast<size_t>(variable_id::matched_var);
  auto& list = phases_[5];
  int32_t run = -1;
  size_t i = 0;
  while (i < list.size()) {
    const rule& r = *list[i].r;
    if (r.kind == rule_kind::marker) {
      ++i;
      continue;
    }
    auto out = detail::sim_outcome::request_dependent;
    if (std::all_of(r.links.begin(), r.links.end(), named_tx_link)) {
      writes.clear();
      reads.clear();
      s.has_scalar[k_var] = false;
      out = detail::simulate_rule(s, r, list[i].index, [](const rule_link&) { return true; });
    }
    if (out == detail::sim_outcome::request_dependent) {
      if (run >= 0) folds_[run].resume = static_cast<uint32_t>(i);
      run = -1;
      ++i;  // the guard checks values, so the walk goes on past a rule it cannot fold
      continue;
    }
    fold_run& f = open_run(folds_, list[i], run);
    add_guard(f, reads, writes);
    add_writes(f, writes, s);
    i = out == detail::sim_outcome::no_match ? i + 1 : skip_end(list, i);
  }
  if (run >= 0) folds_[run].resume = static_cast<uint32_t>(list.size());
  s.tx.journal_to(nullptr);
  s.tx.reads_to(nullptr);
}

void waf_engine::fold_constant_rules() {
  // Scratch state without the Hyperscan tables a transaction sets up: constant links read TX
  // only, which the speed path never scans.
  transaction::state s(*this, make_transaction_scratch(*this));
  s.reset();
  std::vector<detail::var_store::entry> journal;
  s.tx.journal_to(&journal);
  tx_knowledge k;
  k.no_response_body = !may_turn_on_response_body(*rules_);
  // A link of known outcome but request-dependent effects may be simulated when it fails
  // (CRS 951110 tests TX:sql_error_match, which only a response body sets, and would capture
  // and log): a failing link does nothing. One that matched makes the rule request-dependent.
  bool last_effects_unknown = false, matched_effects_unknown = false;
  const auto is_constant = [&](const rule_link& l) {
    matched_effects_unknown = matched_effects_unknown || last_effects_unknown;  // the previous one matched
    last_effects_unknown = !constant_link(l, k);
    return !last_effects_unknown || known_outcome_link(l, k);
  };
  constexpr auto k_var = static_cast<size_t>(variable_id::matched_var);
  for (int p = 1; p <= 4; ++p) {
    auto& list = phases_[p];
    int32_t run = -1;
    const auto close = [&](size_t at) {
      if (run >= 0) folds_[run].resume = static_cast<uint32_t>(at);
      run = -1;
    };
    size_t i = 0;
    while (i < list.size()) {
      const phase_entry& e = list[i];
      const rule& r = *e.r;
      if (r.kind == rule_kind::marker) {
        ++i;
        continue;
      }
      journal.clear();
      s.has_scalar[k_var] = false;
      last_effects_unknown = matched_effects_unknown = false;
      detail::sim_outcome out =
          never_matches(r, k) ? detail::sim_outcome::no_match : detail::simulate_rule(s, r, e.index, is_constant);
      if (matched_effects_unknown || (out == detail::sim_outcome::match && last_effects_unknown)) {
        out = detail::sim_outcome::request_dependent;  // its writes count as unknown below
      }
      if (out == detail::sim_outcome::request_dependent) {
        close(i);
        if (!k.note_writes(r)) return;
        // A skip that depends on the request: the rules it may jump over are evaluated as
        // usual, and whatever they could write is unknown from here on. Folding resumes where
        // every path has arrived, past the furthest jump of any rule in between.
        size_t end = skip_end(list, i);
        for (size_t j = i + 1; j < end && j < list.size(); ++j) {
          const rule& q = *list[j].r;
          if (q.kind == rule_kind::marker) continue;
          if (!k.note_writes(q)) return;
          end = std::max(end, skip_end(list, j));
        }
        i = std::max(end, i + 1);
        continue;
      }
      add_writes(open_run(folds_, list[i], run), journal, s);
      if (out == detail::sim_outcome::no_match) {
        ++i;
      } else {
        i = skip_end(list, i);
      }
    }
    close(list.size());
  }
}

}  // namespace ravelin::waf
