// Building the immutable engine from a rule set: one ordered list per phase (markers appear in
// every phase, as skipAfter targets do in ModSecurity), skipAfter targets resolved to list
// positions, and every transformation chain interned with its prefixes so a transaction can
// cache "value after the first k steps" and share it between rules.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "internal/hs_matcher.h"
#include "ravelin/waf/engine.h"

namespace ravelin::waf {

waf_engine::waf_engine(std::shared_ptr<const rule_set> rules, engine_options opts)
    : rules_(std::move(rules)), opts_(opts) {
  if (!rules_) throw std::runtime_error("waf_engine needs a rule set");
  const auto& all = rules_->rules;
  for (uint32_t i = 0; i < all.size(); ++i) {
    const rule& r = all[i];
    for (int p = 1; p <= 5; ++p) {
      if (r.kind == rule_kind::marker || r.phase == p) {
        phase_entry e{&r, -1, i};
        e.marker = r.kind == rule_kind::marker;
        phases_[p].push_back(e);
      }
    }
  }
  for (int p = 1; p <= 5; ++p) {
    auto& list = phases_[p];
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].r->kind == rule_kind::marker) continue;
      const std::string& target = list[i].r->head().skip_after;
      if (target.empty()) continue;
      for (size_t j = i + 1; j < list.size(); ++j) {
        if (list[j].r->kind == rule_kind::marker && list[j].r->marker == target) {
          list[i].skip_to = static_cast<int32_t>(j);
          break;
        }
      }
      if (list[i].skip_to < 0) list[i].skip_to = static_cast<int32_t>(list.size());  // to the end
    }
  }
  // Chains: id 0 is "no transformation".
  chains_.push_back({0, transform_id::none});
  std::map<std::pair<int32_t, transform_id>, int32_t> interned;
  for (const rule& r : all) {
    link_base_.push_back(static_cast<uint32_t>(link_chain_flat_.size()));
    for (const rule_link& l : r.links) {
      int32_t id = 0;
      for (const transform_id t : l.transforms) {
        auto [it, fresh] = interned.emplace(std::make_pair(id, t), static_cast<int32_t>(chains_.size()));
        if (fresh) {
          bool opaque = false;
          const uint32_t breakers = identity_breakers(t, opaque);
          chains_.push_back({id, t, chains_[id].breakers | breakers, chains_[id].opaque || opaque,
                             chains_[id].case_blind | case_blind_breakers(t)});
        }
        id = it->second;
      }
      link_chain_.emplace_back(&l, id);
      link_chain_flat_.push_back(id);
    }
  }
  std::sort(link_chain_.begin(), link_chain_.end());
  link_place_flat_.resize(link_chain_flat_.size());
  if (opts_.hyperscan) {
    hs_ = std::make_unique<hs_matcher>(*this);
    place_links();
    number_selectors();
    // The speed path only: the reference path keeps evaluating every rule, so the
    // differential test checks the folding too.
    fold_constant_rules();
    fold_guarded_rules();
  }
}

void waf_engine::place_links() {
  const auto& all = rules_->rules;
  std::map<std::pair<std::vector<variable_id>, int32_t>, int32_t> sets;
  for (uint32_t i = 0; i < all.size(); ++i) {
    for (size_t k = 0; k < all[i].links.size(); ++k) {
      const rule_link& l = all[i].links[k];
      hs_matcher::slot where;
      hs_place& p = link_place_flat_[link_base_[i] + k];
      if (hs_->find(&l, chain_at(i, k), where)) p = {where.db, where.id, where.covers_all, -1};
      p.link = static_cast<int32_t>(link_base_[i] + k);
      p.byte_gate = hs_->byte_gate_of(&l);
      if (p.byte_gate < 0) continue;
      std::vector<variable_id> groups;
      bool whole = !l.targets.empty();
      for (const auto& t : l.targets) {
        whole = whole && !t.count && hs_matcher::cacheable_group(t.id);
        groups.push_back(t.id);
      }
      if (!whole) continue;
      std::sort(groups.begin(), groups.end());
      groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
      p.byte_set = sets.emplace(std::make_pair(std::move(groups), chain_at(i, k)),
                                static_cast<int32_t>(sets.size())).first->second;
    }
  }
  byte_sets_ = sets.size();
  place_stages();
  for (int ph = 1; ph <= 5; ++ph) {
    for (auto& e : phases_[ph]) {
      if (e.r->kind != rule_kind::rule || e.r->links.empty()) continue;
      const hs_place& p = hs_place_at(e.index, 0);
      if (p.db >= 0 && p.covers_all && !e.r->links[0].op.negated) {
        e.gate_db = p.db;
        e.gate_id = p.id;
      }
    }
  }
}

namespace {
bool is_store(variable_id id) {  // the collections transaction::state::store() keeps
  switch (id) {
    case variable_id::tx:
    case variable_id::ip:
    case variable_id::global:
    case variable_id::session:
    case variable_id::user:
    case variable_id::resource: return true;
    default: return false;
  }
}
}  // namespace

void waf_engine::number_selectors() {
  std::map<std::string, int32_t> by_pattern;
  for (const rule& r : rules_->rules) {
    for (const rule_link& l : r.links) {
      for (const variable_ref& t : l.targets) {
        if (!t.key_regex || !is_store(t.id)) continue;
        auto it = by_pattern.find(t.key_regex->pattern());
        if (it == by_pattern.end()) {
          if (selectors_.size() == 64) continue;  // the rest are tested on every walk
          it = by_pattern.emplace(t.key_regex->pattern(), static_cast<int32_t>(selectors_.size())).first;
          selectors_.push_back(&t);
        }
        selector_bits_.emplace_back(t.key_regex.get(), it->second);
      }
    }
  }
  std::sort(selector_bits_.begin(), selector_bits_.end());
}

int32_t waf_engine::selector_bit(const regex* key_regex) const {
  auto it = std::lower_bound(selector_bits_.begin(), selector_bits_.end(), std::make_pair(key_regex, int32_t{-1}));
  return it != selector_bits_.end() && it->first == key_regex ? it->second : -1;
}

void waf_engine::place_stages() {
  const auto& all = rules_->rules;
  link_stages_.assign(link_chain_flat_.size(), {0, 0});
  auto add = [&](const rule_link& l, int32_t c) {
    hs_matcher::slot where;
    if (hs_->find(&l, c, where)) stage_flat_.push_back({c, where.db, where.id});
    else stage_flat_.push_back({c, -1, 0});
  };
  for (uint32_t i = 0; i < all.size(); ++i) {
    for (size_t k = 0; k < all[i].links.size(); ++k) {
      const rule_link& l = all[i].links[k];
      if (!l.actions.multi_match) continue;
      const auto first = static_cast<uint32_t>(stage_flat_.size());
      int32_t c = chain_at(i, k);
      for (size_t n = 0; c != 0 && n + 1 < k_max_stages; ++n, c = chains_[c].prefix) add(l, c);
      add(l, 0);
      link_stages_[link_base_[i] + k] = {first, static_cast<uint32_t>(stage_flat_.size())};
    }
  }
}

bool waf_engine::stages_cut(uint32_t rule_index, size_t k) const {
  const auto st = stages_at(rule_index, k);
  return st.size() >= 2 && chains_[st[st.size() - 2].chain].prefix != 0;
}

waf_engine::~waf_engine() = default;

int32_t waf_engine::chain_of(const rule_link* l) const {
  auto it = std::lower_bound(link_chain_.begin(), link_chain_.end(), std::make_pair(l, int32_t{0}));
  return (it != link_chain_.end() && it->first == l) ? it->second : 0;
}

}  // namespace ravelin::waf
