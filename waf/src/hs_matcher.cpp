// Hyperscan databases per (target variable, transformation chain), built at load.
#include "internal/hs_matcher.h"

#include <hs/hs.h>

#include <emmintrin.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include "internal/hs_patterns.h"
#include "internal/regex_factors.h"

namespace ravelin::waf {

struct hs_matcher::db_entry {
  hs_database_t* db = nullptr;
  int32_t chain = 0;
  uint32_t patterns = 0;
  std::vector<variable_id> groups;
  bool literal_only = true;  // every expression is a non-empty literal: "" matches nothing
  bool stable = false;       // every group is a stable_group
};

namespace {
// Whether every target of the link is a variable the databases scan (no counts, no TX...).
bool all_targets_scanned(const rule_link& l) {
  for (const auto& t : l.targets) {
    if (t.count || !hs_matcher::cacheable_group(t.id)) return false;
  }
  return !l.targets.empty();
}
}  // namespace

hs_matcher::hs_matcher(const waf_engine& engine) {
  struct member {
    const rule_link* link;
    uint32_t expr;  // index into exprs
  };
  struct db_plan {
    std::vector<member> members;
    std::vector<variable_id> groups;
  };
  std::map<int32_t, db_plan> plans;  // by chain
  std::vector<std::vector<detail::hs_expression>> exprs;
  for (const rule& r : engine.rules().rules) {
    for (const rule_link& l : r.links) {
      bool any = false;
      for (const auto& t : l.targets) any = any || (!t.count && cacheable_group(t.id));
      if (!any) continue;
      bool split = false;
      auto e = detail::expressions_for(l.op, engine.options().hs_whole_regex, split);
      // A byte check costs less than a database's answer and sees what literals cannot
      // (bytes far apart), so a pattern in a database gets one too.
      add_byte_gate(l);
      if (e.empty()) {
        const auto id = l.op.id;
        if (id == operator_id::rx || id == operator_id::pm || id == operator_id::pm_from_file) ++stats_.direct_only;
        continue;
      }
      if (split) ++stats_.split_patterns;
      const auto ei = static_cast<uint32_t>(exprs.size());
      exprs.push_back(std::move(e));
      // multiMatch runs the operator after every step of the chain: one entry per prefix.
      const auto& chains = engine.chains();
      for (int32_t c = engine.chain_of(&l);; c = chains[c].prefix) {
        db_plan& p = plans[c];
        p.members.push_back({&l, ei});
        for (const auto& t : l.targets) {
          if (t.count || !cacheable_group(t.id)) continue;
          if (std::find(p.groups.begin(), p.groups.end(), t.id) == p.groups.end()) p.groups.push_back(t.id);
        }
        if (c == 0 || !l.actions.multi_match) break;
      }
    }
  }
  stats_.patterns = exprs.size();
  for (const auto& [chain, plan] : plans) {
    std::vector<const char*> pats;
    std::vector<unsigned> flags, ids;
    bool literal_only = true;
    const auto db = static_cast<int32_t>(dbs_.size());
    const auto& members = plan.members;
    for (uint32_t id = 0; id < members.size(); ++id) {
      for (const auto& e : exprs[members[id].expr]) {
        pats.push_back(e.pattern.c_str());
        flags.push_back(e.flags);
        // Prescans rely on caseless literals (operator_eval.cpp, prescan_joined).
        literal_only = literal_only && !(e.flags & HS_FLAG_ALLOWEMPTY) && (e.flags & HS_FLAG_CASELESS) &&
                       !e.pattern.empty();
        ids.push_back(id);
      }
      const bool covers = all_targets_scanned(*members[id].link) && !members[id].link->actions.multi_match;
      slots_.push_back({members[id].link, chain, {db, id, covers}});
    }
    hs_database_t* d = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(pats.data(), flags.data(), ids.data(), static_cast<unsigned>(pats.size()),
                         HS_MODE_BLOCK, nullptr, &d, &err) != HS_SUCCESS) {
      const std::string msg = err ? err->message : "unknown error";
      if (err) hs_free_compile_error(err);
      throw std::runtime_error("Hyperscan: " + msg);
    }
    const bool stable = std::all_of(plan.groups.begin(), plan.groups.end(), stable_group);
    dbs_.push_back({d, chain, static_cast<uint32_t>(members.size()), plan.groups, literal_only, stable});
    stats_.expressions += pats.size();
  }
  std::sort(slots_.begin(), slots_.end());
  std::sort(gate_of_.begin(), gate_of_.end());
  stats_.databases = dbs_.size();
  stats_.byte_gates = gate_spans_.size();
}

void hs_matcher::add_byte_gate(const rule_link& l) {
  if (l.op.id != operator_id::rx || !l.op.re) return;
  auto sets = detail::required_byte_sets(l.op.re->pattern());
  if (!sets) return;
  gate_of_.emplace_back(&l, static_cast<int32_t>(gate_spans_.size()));
  const auto first = static_cast<uint32_t>(gate_masks_.size());
  gate_masks_.insert(gate_masks_.end(), sets->begin(), sets->end());
  gate_spans_.emplace_back(first, static_cast<uint32_t>(gate_masks_.size()));
}

int32_t hs_matcher::byte_gate_of(const rule_link* l) const {
  auto it = std::lower_bound(gate_of_.begin(), gate_of_.end(), std::make_pair(l, int32_t{-1}));
  return it != gate_of_.end() && it->first == l ? it->second : -1;
}

namespace {
struct lower_table {
  unsigned char of[256];
  constexpr lower_table() : of() {
    for (int c = 0; c < 256; ++c) of[c] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  }
};
constexpr lower_table k_lower;
}  // namespace

namespace {
// Below this length the per-byte loop wins over clearing and packing a 256-byte table.
constexpr size_t k_table_min = 16;

void bytes_by_loop(std::string_view v, hs_matcher::byte_mask& out) noexcept {
  // Lower-cased by table, each bit ORed into all four words under a mask: no branch on which
  // word (letters and digits alternate unpredictably), and no store-to-load chain through an
  // indexed array (that version took nearly twice as long on a User-Agent).
  uint64_t w0 = 0, w1 = 0, w2 = 0, w3 = 0;
  for (const unsigned char c : v) {
    const unsigned lc = k_lower.of[c];
    const uint64_t bit = uint64_t{1} << (lc & 63);
    const unsigned q = lc >> 6;
    w0 |= q == 0 ? bit : 0;
    w1 |= q == 1 ? bit : 0;
    w2 |= q == 2 ? bit : 0;
    w3 |= q == 3 ? bit : 0;
  }
  out = {w0, w1, w2, w3};
}

// Long values: each byte only marks its table entry (stores, nothing read back), and the
// table becomes bits sixteen entries at a time; case is folded once on the bits, not per byte.
void bytes_by_table(std::string_view v, hs_matcher::byte_mask& out) noexcept {
  alignas(16) unsigned char seen[256];
  std::memset(seen, 0, sizeof seen);
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    seen[p[i]] = 0x80;
    seen[p[i + 1]] = 0x80;
    seen[p[i + 2]] = 0x80;
    seen[p[i + 3]] = 0x80;
  }
  for (; i < n; ++i) seen[p[i]] = 0x80;
  for (int q = 0; q < 4; ++q) {
    uint64_t w = 0;
    for (int k = 0; k < 4; ++k) {
      const __m128i b = _mm_load_si128(reinterpret_cast<const __m128i*>(seen + 64 * q + 16 * k));
      w |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(b))) << (16 * k);
    }
    out[q] = w;
  }
  // 'A'..'Z' are bits 1..26 of word 1, 'a'..'z' the same bits 32 higher.
  constexpr uint64_t k_upper = 0x07FFFFFEull;
  out[1] = (out[1] & ~k_upper) | ((out[1] & k_upper) << 32);
}
}  // namespace

void hs_matcher::bytes_of(std::string_view v, byte_mask& out) noexcept {
  if (v.size() < k_table_min) bytes_by_loop(v, out);
  else bytes_by_table(v, out);
}

size_t hs_matcher::databases() const { return dbs_.size(); }
uint32_t hs_matcher::patterns_in(int32_t db) const { return dbs_[db].patterns; }
int32_t hs_matcher::chain_of_db(int32_t db) const { return dbs_[db].chain; }
const std::vector<variable_id>& hs_matcher::groups_of(int32_t db) const { return dbs_[db].groups; }
bool hs_matcher::literal_only(int32_t db) const { return dbs_[db].literal_only; }
bool hs_matcher::stable(int32_t db) const { return dbs_[db].stable; }

hs_matcher::~hs_matcher() {
  for (auto& d : dbs_) hs_free_database(d.db);
}

bool hs_matcher::find(const rule_link* l, int32_t chain, slot& out) const {
  const link_slot key{l, chain, {}};
  auto it = std::lower_bound(slots_.begin(), slots_.end(), key);
  if (it == slots_.end() || it->link != l || it->chain != chain) return false;
  out = it->where;
  return true;
}

namespace {
int on_match(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
  auto* hits = static_cast<std::vector<uint32_t>*>(ctx);
  if (hits->empty() || hits->back() != id) hits->push_back(id);
  return 0;
}
}  // namespace

bool hs_matcher::scan(int32_t db, std::string_view value, hs_scratch* scratch,
                      std::vector<uint32_t>& hits) const noexcept {
  const hs_error_t rc = hs_scan(dbs_[db].db, value.data(), static_cast<unsigned>(value.size()), 0,
                                scratch, on_match, &hits);
  if (rc != HS_SUCCESS) return false;
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  return true;
}

hs_scratch* hs_matcher::alloc_scratch() const {
  hs_scratch_t* s = nullptr;
  for (const auto& d : dbs_) {
    if (hs_alloc_scratch(d.db, &s) != HS_SUCCESS) throw std::runtime_error("Hyperscan: scratch allocation failed");
  }
  return s;
}

void hs_matcher::free_scratch(hs_scratch* s) { hs_free_scratch(s); }

}  // namespace ravelin::waf
