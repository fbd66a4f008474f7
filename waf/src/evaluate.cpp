// The evaluation loop. Order and scope of actions follow ModSecurity v3: capture and setvar
// run for every matching value (so CRS' per-header and per-argument scoring works), the rest
// once the whole chain has matched.
#include "internal/evaluate.h"

#include <algorithm>

#include "internal/collections.h"
#include "internal/hs_matcher.h"
#include "internal/operator_eval.h"

namespace ravelin::waf::detail {

namespace {
// `h`: hash_bytes(v) | 1 once a level has needed it, 0 before; the prefixes of one chain see
// the same v, so it is computed at most once per call.
std::string_view run_chain(transaction::state& s, std::string_view v, int32_t chain, uint32_t classes,
                           uint64_t h) {
  if (chain == 0) return v;
  const auto& node = s.engine.chains()[chain];
  // A short value none of whose bytes can change a step passes the chain unchanged: decided
  // in a few cycles, where the cache lookup below is a cache miss more often than not.
  if (!node.opaque && v.size() <= k_direct_identity_max && !(classes & node.breakers)) return v;
  if (const std::string_view* hit = s.tcache.get(v.data(), v.size(), chain)) return *hit;
  if (!h && transform_memo::eligible(v)) h = hash_bytes(v) | 1;
  std::string_view out;
  bool same = false;
  if (h && s.memo.find(chain, v, h, out, same)) {
    ++s.counters.transform_memo_hits;
    out = same ? v : s.mem.copy(out);
  } else {
    const std::string_view in = run_chain(s, v, node.prefix, classes, h);  // the same v: same classes
    out = in;
    if (!transform_is_identity(node.last, in)) {
      ++s.counters.transforms_run;
      apply_transform(node.last, in, s.buf_a);
      if (s.buf_a != in) out = s.mem.copy(s.buf_a);
    }
    if (h) s.memo.put(chain, v, h, out, out.data() == v.data() && out.size() == v.size());
  }
  s.tcache.put(v.data(), v.size(), chain, out);
  return out;
}
}  // namespace

std::string_view transformed(transaction::state& s, std::string_view v, int32_t chain,
                             uint32_t classes) {
  return run_chain(s, v, chain, classes, 0);
}

std::string_view transformed(transaction::state& s, std::string_view v, int32_t chain) {
  if (chain == 0) return v;
  return transformed(s, v, chain, v.size() <= k_direct_identity_max ? byte_classes(v) : 0);
}

namespace {

bool excluded_by(transaction::state& s, const variable_ref& ex, variable_id id, std::string_view key) {
  return ex.id == id && selects(s, ex, key);
}

// selects() for a store member, remembered in the member under the selector's bit.
bool known_selects(transaction::state& s, const variable_ref& t, var_store::entry& e, int32_t bit) {
  const uint64_t m = uint64_t{1} << bit;
  if (!(e.sel_known & m)) {
    e.sel_known |= m;
    if (selects(s, t, e.key)) e.sel_match |= m;
  }
  return e.sel_match & m;
}

// Every TX selector's answer for every member, before TX is saved as the image each request
// starts from: then only the keys a request adds are ever tested. Also where each selector's
// walks may start while TX starts as the image.
void know_tx_selectors(transaction::state& s) {
  const auto& sel = s.engine.selectors();
  const size_t n = s.tx.entries().size();
  s.tx_image_first.assign(sel.size(), 0);
  for (size_t b = 0; b < sel.size(); ++b) {
    if (sel[b]->id != variable_id::tx) continue;
    s.tx_image_first[b] = static_cast<uint32_t>(n);
    for (size_t i = n; i-- > 0;) {
      if (known_selects(s, *sel[b], s.tx.at(i), static_cast<int32_t>(b))) {
        s.tx_image_first[b] = static_cast<uint32_t>(i);
      }
    }
  }
}

struct link_eval {
  transaction::state& s;
  const rule& r;
  const rule_link& link;
  const std::vector<const variable_ref*>& removed;  // ctl:ruleRemoveTarget* for this rule
  int32_t chain = 0;  // interned transformation chain of this link
  const waf_engine::hs_place* place;  // the link's Hyperscan place, null on the reference path
  uint32_t rule_index = 0;
  size_t link_index = 0;
  bool matched = false;
  // Whether an exclusion or removed target names the variable being walked (set per target by
  // run()): most name another (CRS' !REQUEST_COOKIES:/__utm/ on ARGS rules), and then no value
  // needs the per-value test.
  bool may_skip = true;

  bool names(variable_id id) const {
    for (const auto& ex : link.exclusions) {
      if (ex.id == id) return true;
    }
    for (const variable_ref* ex : removed) {
      if (ex->id == id) return true;
    }
    return false;
  }

  bool skip(variable_id id, std::string_view key) const {
    if (!may_skip) return false;
    for (const auto& ex : link.exclusions) {
      if (excluded_by(s, ex, id, key)) return true;
    }
    for (const variable_ref* ex : removed) {
      if (excluded_by(s, *ex, id, key)) return true;
    }
    return false;
  }

  void on_match(const variable_ref& t, std::string_view key, std::string_view value,
                const op_result& res) {
    matched = true;
    const std::string_view name = display_name(s, t.id, key);
    s.scalar[static_cast<size_t>(variable_id::matched_var)] = value;
    s.scalar[static_cast<size_t>(variable_id::matched_var_name)] = name;
    s.has_scalar[static_cast<size_t>(variable_id::matched_var)] = true;
    s.has_scalar[static_cast<size_t>(variable_id::matched_var_name)] = true;
    s.matched_vars.push_back({name, value});
    if (link.actions.capture) {
      for (int g = 0; g < res.caps.count; ++g) {
        static constexpr std::string_view k_digits[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        s.tx.set(k_digits[g], s.mem.copy(res.caps.group[g]));
      }
    }
    const rule_context ctx{&r};
    for (const auto& sv : link.actions.setvars) run_setvar(s, sv, ctx);
  }

  void value(const variable_ref& t, std::string_view key, std::string_view v) {
    if (skip(t.id, key)) return;
    ++s.counters.values_inspected;
    op_result& res = s.op_res;
    if (link.actions.multi_match) {
      multi_match(t, key, v, res);
      return;
    }
    const std::string_view tv = transformed(s, v, chain);
    if (run_operator(s, link, t.id, tv, res, place)) on_match(t, key, tv, res);
  }

  // value() for a shared member (speed path): its transformation, bytes and hits are known.
  // Without a macro in its parameter an operator's answer depends on the value's bytes only
  // (and a match limit error is not an answer): a member equal to one already rejected by
  // this link in this walk is rejected without running the operator again.
  bool answers_by_bytes() const { return !link.op.param.has_macros(); }

  void member(const variable_ref& t, tvalue& e, uint32_t pos, bool reuse) {
    if (skip(t.id, e.key)) return;
    ++s.counters.values_inspected;
    if (reuse && e.dup >= 0 && s.no_match_seen[e.dup]) return;
    op_result& res = s.op_res;
    const uint64_t errors = s.counters.pcre_errors;
    if (run_operator(s, link, e, res, *place)) on_match(t, e.key, e.value, res);
    else if (reuse && s.counters.pcre_errors == errors) s.no_match_seen[pos] = 1;
  }

  // The chains multiMatch runs the operator after: the link's chain, each of its prefixes,
  // and none (0), longest first; at most 16. Returns how many.
  int stages_of(int32_t (&stages)[16]) const {
    int n = 0;
    for (int32_t c = chain; c != 0 && n < 15; c = s.engine.chains()[c].prefix) stages[n++] = c;
    stages[n++] = 0;
    return n;
  }

  // The speed path's stages (stages_of's chains, with their places resolved at build); the
  // byte gate is the link's own at every step (it depends on the value only).
  std::span<const waf_engine::stage> stages() const { return s.engine.stages_at(rule_index, link_index); }
  waf_engine::hs_place step_place(const waf_engine::stage& st) const {
    return {st.db, st.id, false, place->byte_gate, -1, place->link};
  }

  // multiMatch: the operator sees the value before the transformations and after every step
  // that changed it (v3's executeTransformations pushes only changed values).
  void multi_match(const variable_ref& t, std::string_view key, std::string_view v,
                   op_result& res) {
    int32_t chains[waf_engine::k_max_stages];
    waf_engine::hs_place steps[waf_engine::k_max_stages];
    int n = 0;
    if (place) {
      for (const auto& st : stages()) {
        chains[n] = st.chain;
        steps[n++] = step_place(st);
      }
    } else {
      n = stages_of(chains);
    }
    std::string_view prev;
    for (int k = n - 1; k >= 0; --k) {
      const std::string_view tv = transformed(s, v, chains[k]);
      if (k != n - 1 && tv == prev) continue;
      prev = tv;
      if (run_operator(s, link, t.id, tv, res, place ? &steps[k] : nullptr)) on_match(t, key, tv, res);
    }
  }

  // multi_match() over shared members: member k of every stage's list is the same value, so
  // each stage's place is looked up once per link instead of once per value. False when a
  // list could not be built (the caller walks the collection instead).
  bool multi_match_members(const variable_ref& t) {
    const auto st = stages();
    const int n = static_cast<int>(st.size());
    const tvalue_list* lists[waf_engine::k_max_stages];
    waf_engine::hs_place steps[waf_engine::k_max_stages];
    for (int k = 0; k < n; ++k) {
      lists[k] = tvalue_list_of(s, t.id, st[k].chain);
      if (!lists[k]) return false;
      steps[k] = step_place(st[k]);
    }
    const bool reuse = lists[0]->has_dups && answers_by_bytes();
    if (reuse) s.no_match_seen.assign(lists[0]->count, 0);
    for (uint32_t i = 0; i < lists[0]->count; ++i) {
      const tvalue& head = s.tvalues[lists[0]->first + i];
      const std::string_view key = head.key;
      if (skip(t.id, key)) continue;
      ++s.counters.values_inspected;
      if (reuse && head.dup >= 0 && s.no_match_seen[head.dup]) continue;
      op_result& res = s.op_res;
      std::string_view prev;
      bool any = false;
      const uint64_t errors = s.counters.pcre_errors;
      for (int k = n - 1; k >= 0; --k) {
        tvalue& e = s.tvalues[lists[k]->first + i];
        if (k != n - 1 && e.value == prev) continue;
        prev = e.value;
        if (run_operator(s, link, e, res, steps[k])) {
          any = true;
          on_match(t, key, e.value, res);
        }
      }
      if (reuse && !any && s.counters.pcre_errors == errors) s.no_match_seen[i] = 1;
    }
    return true;
  }

  // The rule-level Hyperscan gate for multiMatch (whose link is in the database of every
  // stage's chain, so no single database covers it): false when no stage's database
  // reported the pattern for any value of the link's variables.
  bool stages_may_match() const {
    if (link.op.negated || place->db < 0) return true;
    for (const auto& t : link.targets) {
      if (t.count || !hs_matcher::cacheable_group(t.id)) return true;
    }
    if (s.engine.stages_cut(rule_index, link_index)) return true;  // some prefixes unseen
    for (const auto& st : stages()) {
      if (st.db < 0 || hs_gate_open(s, st.db, st.id)) return true;
    }
    return false;
  }

  // Calls f(key, value) for each live member of `st` that the regex selector of `t` accepts.
  // Members a setvar adds meanwhile are not walked.
  template <class F>
  void each_selected(const variable_ref& t, var_store& st, F&& f) {
    const int32_t bit = place ? s.engine.selector_bit(t.key_regex.get()) : -1;
    const size_t n = st.entries().size();
    const bool from_image =
        bit >= 0 && &st == &s.tx && s.tx_from_image && s.tx_from_image == s.tx_image_of;
    for (size_t i = from_image ? s.tx_image_first[static_cast<size_t>(bit)] : 0; i < n; ++i) {
      var_store::entry& e = st.at(i);
      if (!e.live || !(bit < 0 ? selects(s, t, e.key) : known_selects(s, t, e, bit))) continue;
      f(e.key, e.value);  // may add members: `e` is not used after this
    }
  }

  bool run() {
    if (link.targets.empty()) {  // SecAction: matches once, unconditionally
      const rule_context ctx{&r};
      for (const auto& sv : link.actions.setvars) run_setvar(s, sv, ctx);
      return true;
    }
    if (place &&
        (!hs_link_may_match(s, link, *place) || !link_bytes_may_match(s, link, *place, chain) ||
         (link.actions.multi_match && !stages_may_match()))) {
      return false;
    }
    for (const auto& t : link.targets) {
      may_skip = names(t.id);
      if (t.count) {
        int64_t n = 0;
        var_store* st = s.store(t.id);
        if (st && !t.key.empty() && !t.key_regex) {
          n = st->get(t.key) ? 1 : 0;  // &TX:name: store keys are unique
        } else if (st && t.key_regex) {
          each_selected(t, *st, [&](std::string_view, std::string_view) { ++n; });
        } else {
          for_each_member(s, t.id, [&](std::string_view k, std::string_view) {
            if (selects(s, t, k)) ++n;
          });
        }
        value(t, {}, format_int(s.mem, n));
        continue;
      }
      if (place && t.key.empty() && !t.key_regex && hs_matcher::cacheable_group(t.id)) {
        if (link.actions.multi_match) {
          if (multi_match_members(t)) continue;
        } else if (const tvalue_list* l = tvalue_list_of(s, t.id, chain)) {
          const bool reuse = l->has_dups && answers_by_bytes();
          if (reuse) s.no_match_seen.assign(l->count, 0);
          for (uint32_t k = 0; k < l->count; ++k) member(t, s.tvalues[l->first + k], k, reuse);
          continue;
        }
      }
      var_store* st = s.store(t.id);
      if (st && !t.key.empty() && !t.key_regex) {
        if (const std::string_view* v = st->get(t.key)) value(t, t.key, *v);  // TX:name
        continue;
      }
      if (st && t.key_regex) {
        each_selected(t, *st, [&](std::string_view k, std::string_view v) { value(t, k, v); });
        continue;
      }
      for_each_member(s, t.id, [&](std::string_view k, std::string_view v) {
        if (selects(s, t, k)) value(t, k, v);
      });
    }
    return matched;
  }
};

bool removed(const transaction::state& s, const rule& r) {
  for (const auto& range : s.removed_ids) {
    if (range.contains(r.id())) return true;
  }
  for (const auto tag : s.removed_tags) {
    for (const auto& t : r.head().tags) {
      if (t == tag) return true;
    }
  }
  return false;
}

void run_ctl(transaction::state& s, const ctl_action& c) {
  switch (c.kind) {
    case ctl_kind::rule_engine: s.mode = c.mode; break;
    case ctl_kind::request_body_access: s.request_body_access = c.on; break;
    case ctl_kind::response_body_access: s.response_body_access = c.on; break;
    case ctl_kind::force_request_body_variable: s.force_body_variable = c.on; break;
    case ctl_kind::request_body_processor:
      s.processor = c.processor;
      set_processor_variable(s);
      break;
    case ctl_kind::rule_remove_by_id:
      s.removed_ids.insert(s.removed_ids.end(), c.ids.begin(), c.ids.end());
      break;
    case ctl_kind::rule_remove_by_tag: s.removed_tags.push_back(c.tag); break;
    case ctl_kind::rule_remove_target_by_id:
    case ctl_kind::rule_remove_target_by_tag:
      s.removed_targets.push_back({c.ids, c.tag, *c.target});
      break;
    default: break;  // audit and debug settings do not change verdicts
  }
}

void after_full_match(transaction::state& s, const rule& r, const rule_link& last) {
  const rule_context ctx{&r};
  for (const auto& l : r.links) {
    for (const auto& c : l.actions.ctls) run_ctl(s, c);
  }
  const rule_actions& h = r.head();
  const bool disrupts = s.mode == engine_mode::on &&
                        (r.disruptive == disruptive_action::deny || r.disruptive == disruptive_action::drop ||
                         r.disruptive == disruptive_action::redirect);
  if (r.log || disrupts) {
    match_record m;
    m.r = &r;
    m.link = &last;
    m.id = h.id;
    m.phase = r.phase;
    m.severity = h.severity;
    if (h.msg) m.msg = expand(s, *h.msg, ctx);
    if (h.logdata) m.data = expand(s, *h.logdata, ctx);
    m.var_name = s.scalar[static_cast<size_t>(variable_id::matched_var_name)];
    m.var_value = s.scalar[static_cast<size_t>(variable_id::matched_var)];
    m.disruptive = disrupts;
    s.matches.push_back(m);
    if (h.severity >= 0 && h.severity < s.highest_severity) s.highest_severity = h.severity;
  }
  if (disrupts) {
    const verdict_action a = r.disruptive == disruptive_action::deny   ? verdict_action::deny
                             : r.disruptive == disruptive_action::drop ? verdict_action::drop
                                                                       : verdict_action::redirect;
    s.result = {a, h.status ? h.status : (a == verdict_action::redirect ? 302 : 403), h.id};
  } else if (s.mode == engine_mode::on && r.disruptive == disruptive_action::allow) {
    s.allow_all = true;
    s.result = {verdict_action::allow, 0, h.id};
  }
}

bool eval_rule(transaction::state& s, const rule& r, uint32_t index,
               std::vector<const variable_ref*>& removed_targets) {
  removed_targets.clear();
  for (const auto& rt : s.removed_targets) {
    bool applies = false;
    for (const auto& range : rt.ids) applies = applies || range.contains(r.id());
    if (!rt.tag.empty()) {
      for (const auto& t : r.head().tags) applies = applies || t == rt.tag;
    }
    if (applies) removed_targets.push_back(&rt.target);
  }
  s.matched_vars.clear();
  for (size_t k = 0; k < r.links.size(); ++k) {
    const waf_engine::hs_place* place = s.engine.hs() ? &s.engine.hs_place_at(index, k) : nullptr;
    link_eval e{s, r, r.links[k], removed_targets, s.engine.chain_at(index, k), place, index, k};
    if (!e.run()) return false;
  }
  after_full_match(s, r, r.links.back());
  return true;
}

}  // namespace

sim_outcome simulate_rule(transaction::state& s, const rule& r, uint32_t index,
                          const std::function<bool(const rule_link&)>& is_constant) {
  s.matched_vars.clear();
  std::vector<const variable_ref*>& none = s.removed_target_refs;
  none.clear();
  for (size_t k = 0; k < r.links.size(); ++k) {
    if (!is_constant(r.links[k])) return sim_outcome::request_dependent;
    const waf_engine::hs_place* place = s.engine.hs() ? &s.engine.hs_place_at(index, k) : nullptr;
    link_eval e{s, r, r.links[k], none, s.engine.chain_at(index, k), place, index, k};
    if (!e.run()) return sim_outcome::no_match;
  }
  // A match that logs or decides the verdict has per-request output.
  if (r.log || (r.disruptive != disruptive_action::pass && r.disruptive != disruptive_action::none))
    return sim_outcome::request_dependent;
  after_full_match(s, r, r.links.back());
  return sim_outcome::match;
}

// Whether TX holds every value a guarded run's rules read at build.
static bool guard_holds(const transaction::state& s, const waf_engine::fold_run& f) {
  for (const auto& g : f.guard) {
    const std::string_view* v = s.tx.get(g.key);
    if (g.present != (v != nullptr) || (v && *v != g.value)) return false;
  }
  return true;
}

// Replays a fold_run unless a ctl:ruleRemove* of this request may have removed one of its rules
// or TX fails its guard (then they are evaluated one by one, as built).
static bool replay_fold(transaction::state& s, const waf_engine::fold_run& f) {
  if (!s.removed_ids.empty() || !s.removed_tags.empty() || !s.removed_targets.empty()) return false;
  if (!guard_holds(s, f)) return false;
  // A run replayed onto an empty TX leaves the same store every time (its keys and values are
  // the engine's): from the second request on it is copied in whole, not rebuilt op by op.
  const bool from_empty = s.tx.entries().empty();
  if (from_empty && s.tx_image_of == &f) {
    s.tx.restore(s.tx_image);
    s.tx_from_image = &f;
  } else {
    for (const auto& op : f.ops) {
      if (op.set) s.tx.set(op.key, op.value);
      else s.tx.remove(op.key);
    }
    if (from_empty) {
      know_tx_selectors(s);
      s.tx.save(s.tx_image);
      s.tx_image_of = &f;
      s.tx_from_image = &f;
    }
  }
  if (f.sets_matched) {
    s.scalar[static_cast<size_t>(variable_id::matched_var)] = f.matched_var;
    s.scalar[static_cast<size_t>(variable_id::matched_var_name)] = f.matched_var_name;
    s.has_scalar[static_cast<size_t>(variable_id::matched_var)] = true;
    s.has_scalar[static_cast<size_t>(variable_id::matched_var_name)] = true;
  }
  return true;
}

void run_phase(transaction::state& s, int phase) {
  if (s.mode == engine_mode::off || s.allow_all || s.result.interrupted()) return;
  const auto& list = s.engine.phase(phase);
  std::vector<const variable_ref*>& removed_targets = s.removed_target_refs;
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& e = list[i];
    const rule& r = *e.r;
    if (e.fold >= 0) {
      const auto& f = s.engine.folds()[e.fold];
      if (replay_fold(s, f)) {
        i = f.resume - 1;  // the loop steps to `resume`
        continue;
      }
    }
    if (e.marker || (e.gate_db >= 0 && !hs_gate_open(s, e.gate_db, e.gate_id))) continue;
    if (removed(s, r)) continue;
    ++s.counters.rules_evaluated;
    if (!eval_rule(s, r, e.index, removed_targets)) continue;
    if (s.result.interrupted() || s.allow_all || s.mode == engine_mode::off) return;
    if (e.skip_to >= 0) {
      i = static_cast<size_t>(e.skip_to);  // the loop steps past the marker
    } else {
      for (int k = r.head().skip; k > 0 && i + 1 < list.size(); ++i) {
        if (!list[i + 1].marker) --k;
      }
    }
  }
}

}  // namespace ravelin::waf::detail
