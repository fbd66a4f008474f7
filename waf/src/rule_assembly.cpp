// Turning parsed links into rules: chains, SecDefaultAction inheritance (reference manual,
// SecDefaultAction: "rules inherit the transformations and the disruptive action of the
// default for their phase"), then SecRuleRemove*/SecRuleUpdate* and the final checks.
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "internal/config_text.h"
#include "internal/loader_state.h"
#include "internal/parse.h"

namespace ravelin::waf {

using detail::syntax_error;

void rule_loader::state::add_rule(rule_link link, rule_kind kind, const std::string& file,
                                  int line) {
  const bool chains = link.actions.chain;
  if (open_chain) {
    const rule_actions& a = link.actions;
    if (a.id != 0 || a.phase != 0) {
      open_chain = false;
      throw syntax_error(0, "a chained rule cannot carry id or phase (they belong to the chain head)");
    }
    if (a.disruptive != disruptive_action::none) {
      open_chain = false;
      throw syntax_error(0, "disruptive actions belong to the chain head, not a chained rule");
    }
    set.rules.back().links.push_back(std::move(link));
    open_chain = chains;
    if (!open_chain) close_rule(set.rules.back());
    return;
  }
  if (link.actions.id == 0) throw syntax_error(0, "rule has no id (every rule needs id:N)");
  rule r;
  r.kind = kind;
  r.file = file;
  r.line = line;
  r.links.push_back(std::move(link));
  set.rules.push_back(std::move(r));
  open_chain = chains;
  rules_line_of_open_chain = line;
  if (!open_chain) close_rule(set.rules.back());
}

void rule_loader::state::close_rule(rule& r) {
  const rule_actions& h = r.links[0].actions;
  r.phase = h.phase != 0 ? h.phase : 2;  // v3's default phase is 2
  const rule_actions* def = has_default[r.phase] ? &defaults[r.phase] : nullptr;
  r.log = h.log.value_or(def && def->log ? *def->log : true);
  r.auditlog = h.auditlog.value_or(def && def->auditlog ? *def->auditlog : true);
  const disruptive_action def_disruptive = def ? def->disruptive : disruptive_action::pass;
  r.disruptive = h.disruptive;
  if (r.disruptive == disruptive_action::none || r.disruptive == disruptive_action::block) {
    // `block` means "whatever SecDefaultAction says" (CRS runs it with pass).
    r.disruptive = def_disruptive;
  }
  for (auto& link : r.links) {
    link.transforms.clear();
    if (def && !link.actions.transforms_reset) link.transforms = def->transforms;
    link.transforms.insert(link.transforms.end(), link.actions.transforms.begin(),
                           link.actions.transforms.end());
  }
}

namespace {
bool any_id(const std::vector<id_range>& ids, int64_t id) {
  return std::any_of(ids.begin(), ids.end(), [&](const id_range& r) { return r.contains(id); });
}

// SecRuleRemoveByTag / ByMsg take a regular expression (reference manual).
bool text_matches(const std::string& pattern, const std::string& text) {
  thread_local regex_scratch scratch;  // load time only
  const regex re(pattern);
  return re.match(text, scratch) == 1;
}

bool rule_has_tag(const rule& r, const std::string& pattern) {
  const auto& tags = r.head().tags;
  return std::any_of(tags.begin(), tags.end(),
                     [&](const std::string& t) { return text_matches(pattern, t); });
}

bool rule_has_msg(const rule& r, const std::string& pattern) {
  return r.head().msg && text_matches(pattern, r.head().msg->source);
}
}  // namespace

void rule_loader::state::apply_exceptions() {
  using rs = remove_spec;
  auto& rules = set.rules;
  for (const auto& rm : removals) {
    rules.erase(std::remove_if(rules.begin(), rules.end(),
                               [&](const rule& r) {
                                 if (r.kind == rule_kind::marker) return false;
                                 if (rm.kind == rs::by_id) return any_id(rm.ids, r.id());
                                 if (rm.kind == rs::by_tag) return rule_has_tag(r, rm.text);
                                 return rule_has_msg(r, rm.text);
                               }),
                rules.end());
  }
  for (const auto& u : target_updates) {
    for (auto& r : rules) {
      if (r.kind != rule_kind::rule) continue;
      const bool hit = u.kind == update_target_spec::by_id    ? any_id(u.ids, r.id())
                       : u.kind == update_target_spec::by_tag ? rule_has_tag(r, u.text)
                                                              : rule_has_msg(r, u.text);
      if (!hit) continue;
      auto& head = r.links[0];
      head.targets.insert(head.targets.end(), u.targets.begin(), u.targets.end());
      head.exclusions.insert(head.exclusions.end(), u.exclusions.begin(), u.exclusions.end());
    }
  }
  for (const auto& u : action_updates) {
    auto it = std::find_if(rules.begin(), rules.end(), [&](const rule& r) { return r.id() == u.id; });
    if (it == rules.end()) {
      errors.push_back({u.file, u.line, "SecRuleUpdateActionById: no rule with id " + std::to_string(u.id)});
      continue;
    }
    rule_actions& h = it->links[0].actions;
    const rule_actions& a = u.actions;
    if (a.msg) h.msg = a.msg;
    if (a.logdata) h.logdata = a.logdata;
    if (a.severity >= 0) h.severity = a.severity;
    if (a.status) h.status = a.status;
    if (a.log) h.log = a.log;
    if (a.auditlog) h.auditlog = a.auditlog;
    if (a.disruptive != disruptive_action::none) h.disruptive = a.disruptive;
    h.tags.insert(h.tags.end(), a.tags.begin(), a.tags.end());
    h.setvars.insert(h.setvars.end(), a.setvars.begin(), a.setvars.end());
    h.ctls.insert(h.ctls.end(), a.ctls.begin(), a.ctls.end());
    if (a.disruptive != disruptive_action::none && a.disruptive != disruptive_action::block) {
      it->disruptive = a.disruptive;
    }
    if (a.log) it->log = *a.log;
    if (a.auditlog) it->auditlog = *a.auditlog;
  }
}

void rule_loader::state::check_markers_and_ids() {
  std::set<std::string> markers;
  std::map<int64_t, const rule*> ids;
  for (const auto& r : set.rules) {
    if (r.kind == rule_kind::marker) {
      markers.insert(r.marker);
      continue;
    }
    auto [it, fresh] = ids.emplace(r.id(), &r);
    if (!fresh) {
      errors.push_back({r.file, r.line,
                        "duplicate rule id " + std::to_string(r.id()) + " (first at " +
                            it->second->file + ":" + std::to_string(it->second->line) + ")"});
    }
  }
  for (const auto& r : set.rules) {
    for (const auto& link : r.links) {
      const auto& target = link.actions.skip_after;
      if (!target.empty() && !markers.count(target)) {
        errors.push_back({r.file, r.line, "skipAfter:" + target + " names no SecMarker"});
      }
    }
  }
}

}  // namespace ravelin::waf
