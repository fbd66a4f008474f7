// Operator dispatch (reference manual, "Operators"). The Hyperscan path only ever says "no"
// early: a value whose database scan did not report this link cannot match it; every "maybe"
// is confirmed by the same code the reference path runs.
#include "internal/operator_eval.h"

#include <algorithm>
#include <cstring>

#include "internal/collections.h"
#include "internal/hs_matcher.h"
#include "internal/operator_eval.h"
#include "ravelin/waf/matchers.h"

namespace ravelin::waf::detail {

namespace {
constexpr size_t k_dyn_regex_cache = 32;

const regex* dynamic_regex(transaction::state& s, std::string_view pattern) {
  for (const auto& [p, re] : s.dyn_regex) {
    if (p == pattern) return re.get();
  }
  if (s.dyn_regex.size() >= k_dyn_regex_cache) s.dyn_regex.clear();
  try {
    s.dyn_regex.emplace_back(std::string(pattern), std::make_unique<regex>(pattern));
  } catch (const std::exception&) {
    return nullptr;  // an expanded pattern that does not compile matches nothing
  }
  return s.dyn_regex.back().second.get();
}

}  // namespace

namespace {
// Start slot for a (variable, chain) key. The key's variable sits in its high bits: the
// product's high half mixes all of them (the low bits of key * odd depend on the chain only,
// which piled every variable of a chain into one probe run).
size_t table_slot(uint32_t key, size_t mask) {
  return static_cast<size_t>((uint64_t{key} * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}

// Points each member of s.tvalues[first, first + count) at the first earlier member with the
// same bytes (JSON arrays repeat values), so a link's walk can skip what it already rejected.
// True when there is any such member.
bool mark_duplicates(transaction::state& s, uint32_t first, uint32_t count) {
  if (count < 2) return false;
  bool any = false;
  size_t cap = 16;
  while (cap < 2 * size_t{count}) cap <<= 1;
  constexpr uint32_t k_free = UINT32_MAX;
  s.dup_slots.assign(cap, k_free);
  for (uint32_t k = 0; k < count; ++k) {
    tvalue& e = s.tvalues[first + k];
    for (size_t p = hash_bytes(e.value) & (cap - 1);; p = (p + 1) & (cap - 1)) {
      const uint32_t at = s.dup_slots[p];
      if (at == k_free) {
        s.dup_slots[p] = k;
        break;
      }
      if (s.tvalues[first + at].value == e.value) {
        e.dup = static_cast<int32_t>(at);
        e.twin = static_cast<int32_t>(first + at);
        any = true;
        break;
      }
    }
  }
  return any;
}
}  // namespace

// Lists hold a member per (value, chain): a body of many thousand values would make them
// the transaction's largest memory. Past this many members the rules walk the collections
// themselves, as they did before lists existed.
constexpr size_t k_max_tvalues = 32768;

namespace {
// The generation a (variable, chain) entry of this transaction must carry to be current: the
// request line, URI, headers, cookies and query arguments never change after phase 1, so their
// lists, byte unions and scans serve phase 2 too; everything else is redone when values arrive.
uint32_t gen_of(const transaction::state& s, variable_id group) {
  if (hs_matcher::stable_group(group)) return s.stable_gen;
  return std::max(s.volatile_gen, s.scalar_gen[static_cast<size_t>(group)]);
}

// Whether the chain changes none of the list's values (`breakers`: node.breakers, or
// node.case_blind where case does not count): then the chain's list is the list itself (same
// members, bytes and scans), not a copy.
bool leaves_all_alone(const tvalue_list& raw, const waf_engine::chain_node& node, uint32_t breakers) {
  return !node.opaque && raw.short_values && !(raw.classes & breakers);
}

// The same for one untransformed member.
bool leaves_alone(const tvalue& r, const waf_engine::chain_node& node, uint32_t breakers) {
  return !node.opaque && r.value.size() <= k_direct_identity_max && !(r.classes & breakers);
}

// Whether a table slot holds a current entry of another key (else it is free to take: left by
// an earlier transaction, or this key's own stale entry).
bool taken(const transaction::state& s, uint32_t slot_gen, uint32_t slot_key, uint32_t key) {
  return slot_gen >= s.stable_gen && slot_key != key;
}
}  // namespace

namespace {
// tvalue_list_of past its home slot: probes on, and builds the list when it is not current.
[[gnu::noinline]] tvalue_list* find_or_build_list(transaction::state& s, variable_id group, int32_t chain) {
  const uint32_t key = ((static_cast<uint32_t>(group) << 20) | static_cast<uint32_t>(chain)) + 1;
  const uint32_t gen = gen_of(s, group);
  const size_t mask = s.tvalue_lists.size() - 1;
  const tvalue_list* raw = nullptr;  // the untransformed members, for a chain's list
  size_t i = table_slot(key, mask);
  for (size_t probes = 0; probes <= mask; ++probes, i = (i + 1) & mask) {
    tvalue_list& l = s.tvalue_lists[i];
    if (l.gen == gen && l.key == key) return &l;
    if (taken(s, l.gen, l.key, key)) continue;
    if (chain != 0 && !raw) {
      raw = tvalue_list_of(s, group, 0);
      if (!raw) return nullptr;
      if (taken(s, l.gen, l.key, key)) continue;  // the raw list took this slot
    }
    size_t count = 0;
    if (raw) {
      count = raw->count;
    } else {
      for_each_member(s, group, [&](std::string_view, std::string_view) { ++count; });
    }
    if (s.tvalues.size() + count > k_max_tvalues) return nullptr;
    l.key = key;
    l.gen = gen;
    l.first = static_cast<uint32_t>(s.tvalues.size());
    l.short_values = true;
    l.classes = 0;
    l.has_joined = false;
    if (!raw) {
      for_each_member(s, group, [&](std::string_view k, std::string_view v) {
        tvalue e;
        e.key = k;
        e.value = v;
        if (v.size() <= k_direct_identity_max) e.classes = byte_classes(v);
        else l.short_values = false;
        l.classes |= e.classes;
        s.tvalues.push_back(e);
      });
      l.has_dups = mark_duplicates(s, l.first, static_cast<uint32_t>(s.tvalues.size()) - l.first);
    } else {
      // transformed()'s identity test, with the byte classes worked out once per value
      // rather than once per chain; a value the chain leaves alone shares its bytes too.
      const auto& node = s.engine.chains()[chain];
      l.has_dups = raw->has_dups;
      if (leaves_all_alone(*raw, node, node.breakers)) {  // the usual case for short benign values
        l.first = raw->first;
        l.count = raw->count;
        return &l;
      }
      s.tvalues.reserve(s.tvalues.size() + raw->count);
      for (uint32_t k = 0; k < raw->count; ++k) {
        const tvalue& r = s.tvalues[raw->first + k];
        tvalue e;
        e.key = r.key;
        e.dup = r.dup;  // equal bytes stay equal through the chain
        if (r.dup >= 0) {  // a repeated value (JSON arrays): its twin's result, not a new run
          const tvalue& t = s.tvalues[l.first + r.dup];
          e.value = t.value;
          e.classes = t.classes;
          e.same_as = t.same_as;
          e.twin = static_cast<int32_t>(l.first + r.dup);
        } else if (leaves_alone(r, node, node.breakers)) {
          e.value = r.value;
          e.classes = r.classes;
          e.same_as = static_cast<int32_t>(raw->first + k);
        } else {
          e.value = transformed(s, r.value, chain, r.classes);
        }
        s.tvalues.push_back(e);
      }
    }
    l.count = static_cast<uint32_t>(s.tvalues.size()) - l.first;
    return &l;
  }
  return nullptr;  // table full: callers take the slow path
}
}  // namespace

// Called a few hundred times per request, nearly always for a list that is current in its
// home slot: that look is kept apart from the builder, whose register saves and spills cost
// more than the look itself.
tvalue_list* tvalue_list_of(transaction::state& s, variable_id group, int32_t chain) {
  const uint32_t key = ((static_cast<uint32_t>(group) << 20) | static_cast<uint32_t>(chain)) + 1;
  tvalue_list& home = s.tvalue_lists[table_slot(key, s.tvalue_lists.size() - 1)];
  if (home.gen == gen_of(s, group) && home.key == key) return &home;
  return find_or_build_list(s, group, chain);
}

namespace {
// The pattern ids database `db` reports for `value` (scanned once per transaction).
std::string_view hits_for(transaction::state& s, const hs_matcher& hs, int32_t db, std::string_view value,
                          bool& ok) {
  ok = true;
  std::string_view hits;
  const hs_matcher::slot where{db, 0, false};
  if (const std::string_view* cached = s.hs_cache.get(value.data(), value.size(), where.db)) {
    hits = *cached;
  } else {
    s.hs_hits.clear();
    ++s.counters.hs_scans;
    if (!hs.scan(where.db, value, s.hs_scratch, s.hs_hits)) {
      ok = false;
      return {};
    }
    const size_t bytes = s.hs_hits.size() * sizeof(uint32_t);
    char* p = bytes ? s.mem.alloc(bytes, alignof(uint32_t)) : nullptr;
    if (bytes) std::memcpy(p, s.hs_hits.data(), bytes);
    hits = std::string_view(p, bytes);
    s.hs_cache.put(value.data(), value.size(), where.db, hits);
  }
  return hits;
}

// Hyperscan prefilter: false when the value certainly does not match the link's pattern.
bool hs_may_match(transaction::state& s, const hs_matcher& hs, const waf_engine::hs_place& where,
                  std::string_view value) {
  if (where.db < 0) return true;
  if (value.empty()) return !hs.literal_only(where.db);
  bool ok = true;
  const std::string_view hits = hits_for(s, hs, where.db, value, ok);
  if (!ok) return true;
  const auto* ids = reinterpret_cast<const uint32_t*>(hits.data());
  const bool hit = std::binary_search(ids, ids + hits.size() / sizeof(uint32_t), where.id);
  if (hit) ++s.counters.hs_confirms;
  return hit;
}

// The lower-cased bytes present in `value`, computed once per value and transaction (values
// never move while the transaction lives, so the address names them).
hs_matcher::byte_mask present_bytes(transaction::state& s, std::string_view value) {
  constexpr int32_t k_bytes_key = -1;  // no transformation chain has this id
  if (value.size() <= 64) {            // cheaper to compute than to look up
    hs_matcher::byte_mask m;
    hs_matcher::bytes_of(value, m);
    return m;
  }
  if (const std::string_view* hit = s.tcache.get(value.data(), value.size(), k_bytes_key)) {
    return *reinterpret_cast<const hs_matcher::byte_mask*>(hit->data());
  }
  char* p = s.mem.alloc(sizeof(hs_matcher::byte_mask) + alignof(hs_matcher::byte_mask));
  p += (alignof(hs_matcher::byte_mask) -
        reinterpret_cast<uintptr_t>(p) % alignof(hs_matcher::byte_mask)) %
       alignof(hs_matcher::byte_mask);
  auto* m = reinterpret_cast<hs_matcher::byte_mask*>(p);
  hs_matcher::bytes_of(value, *m);
  s.tcache.put(value.data(), value.size(), k_bytes_key, std::string_view(p, sizeof(*m)));
  return *m;
}

const hs_matcher::byte_mask& entry_bytes(transaction::state& s, tvalue& e) {
  if (!e.has_bytes) {
    if (e.twin >= 0) e.bytes = entry_bytes(s, s.tvalues[e.twin]);
    else if (e.same_as >= 0) e.bytes = entry_bytes(s, s.tvalues[e.same_as]);
    else hs_matcher::bytes_of(e.value, e.bytes);
    e.has_bytes = true;
  }
  return e.bytes;
}

// The database's hits for the entry (scanned at most once per value and transaction). False
// when the scan failed.
bool entry_hits(transaction::state& s, const hs_matcher& hs, int32_t db, tvalue& e) {
  if (e.hits_db != db) {
    bool ok = true;
    const std::string_view h = hits_for(s, hs, db, e.value, ok);
    e.hits = reinterpret_cast<const uint32_t*>(h.data());
    e.hit_count = static_cast<uint32_t>(h.size() / sizeof(uint32_t));
    e.scan_failed = !ok;
    e.hits_db = db;
  }
  return !e.scan_failed;
}

// The union of the bytes of every value of `group` after `chain` (once per generation).
const hs_matcher::byte_mask* group_bytes(transaction::state& s, variable_id group, int32_t chain) {
  const uint32_t key = ((static_cast<uint32_t>(group) << 20) | static_cast<uint32_t>(chain)) + 1;
  const uint32_t gen = gen_of(s, group);
  const size_t mask = s.byte_unions.size() - 1;
  size_t i = table_slot(key, mask);
  for (size_t probes = 0; probes <= mask; ++probes, i = (i + 1) & mask) {
    byte_union& u = s.byte_unions[i];
    if (u.gen == gen && u.key == key) return &u.bytes;
    if (taken(s, u.gen, u.key, key)) continue;
    const tvalue_list* l = tvalue_list_of(s, group, chain);
    if (!l) return nullptr;
    u.key = key;
    u.gen = gen;
    u.bytes = {};
    for (uint32_t k = 0; k < l->count; ++k) {
      const hs_matcher::byte_mask& b = entry_bytes(s, s.tvalues[l->first + k]);
      for (int w = 0; w < 4; ++w) u.bytes[w] |= b[w];
    }
    return &u.bytes;
  }
  return nullptr;  // table full: no gate
}

// The distinct non-empty members of an untransformed list, each followed by '\n' (once per
// generation; joined prescans of every chain that leaves the whole list alone share it).
std::string_view raw_joined(transaction::state& s, tvalue_list& raw) {
  if (raw.has_joined) return raw.joined;
  size_t bytes = 0;
  for (uint32_t k = 0; k < raw.count; ++k) {
    const tvalue& r = s.tvalues[raw.first + k];
    if (r.dup < 0 && !r.value.empty()) bytes += r.value.size() + 1;
  }
  char* p = bytes ? s.mem.alloc(bytes, 1) : nullptr;
  char* w = p;
  for (uint32_t k = 0; k < raw.count; ++k) {
    const tvalue& r = s.tvalues[raw.first + k];
    if (r.dup >= 0 || r.value.empty()) continue;
    std::memcpy(w, r.value.data(), r.value.size());
    w += r.value.size();
    *w++ = '\n';
  }
  raw.joined = std::string_view(p, bytes);
  raw.has_joined = true;
  return raw.joined;
}

void mark_hits(std::vector<uint64_t>& any, const uint32_t* ids, size_t n) {
  for (size_t i = 0; i < n; ++i) any[ids[i] / 64] |= uint64_t{1} << (ids[i] % 64);
}

// The generation a database's prescan must have seen of one of its variables. For a joined
// prescan, a scalar that became "" (a GET's REQUEST_BODY) adds nothing to scan, and hits left
// from its old bytes are only extra "maybe"s.
uint32_t prescan_gen_of(const transaction::state& s, const hs_matcher& hs, int32_t db, variable_id g) {
  const size_t v = static_cast<size_t>(g);
  const bool adds_nothing = hs.literal_only(db) && s.scalar_gen[v] > s.volatile_gen && s.scalar[v].empty();
  return adds_nothing ? s.volatile_gen : gen_of(s, g);
}

// A database of literals only: one scan over all its values laid end to end says which
// patterns any value may match. A literal straddling two values is a false "maybe", which only
// costs a per-value scan later; a literal inside one value is always found. Only variables
// newer than `since` are scanned.
void prescan_joined(transaction::state& s, const hs_matcher& hs, int32_t db, uint32_t since) {
  std::string& joined = s.hs_joined;
  joined.clear();
  const int32_t chain = hs.chain_of_db(db);
  const auto& node = s.engine.chains()[chain];
  for (const variable_id g : hs.groups_of(db)) {
    if (since != 0 && prescan_gen_of(s, hs, db, g) <= since) continue;
    // The untransformed list knows each short value's byte classes: most values skip
    // transformed() (and its own byte_classes pass) altogether. The literals are caseless, so
    // a value the chain would only change in case is scanned as it is.
    if (tvalue_list* raw = tvalue_list_of(s, g, 0)) {
      if (leaves_all_alone(*raw, node, node.case_blind)) {
        joined.append(raw_joined(s, *raw));
        continue;
      }
      for (uint32_t k = 0; k < raw->count; ++k) {
        const tvalue& r = s.tvalues[raw->first + k];
        if (r.dup >= 0) continue;  // its twin's bytes are in already
        const std::string_view tv =
            leaves_alone(r, node, node.case_blind) ? r.value : transformed(s, r.value, chain, r.classes);
        if (!tv.empty()) joined.append(tv).push_back('\n');
      }
      continue;
    }
    for_each_member(s, g, [&](std::string_view, std::string_view v) {
      const std::string_view tv = transformed(s, v, chain);
      if (!tv.empty()) joined.append(tv).push_back('\n');
    });
  }
  if (joined.empty()) return;
  s.hs_hits.clear();
  ++s.counters.hs_scans;
  if (!hs.scan(db, joined, s.hs_scratch, s.hs_hits)) {
    s.hs_db_empty[db] = 1;  // scan failed: never skip on this database's say-so
    return;
  }
  mark_hits(s.hs_any_hit[db], s.hs_hits.data(), s.hs_hits.size());
}

// Scans every value of the database's variables once (per collection generation) and records
// which patterns any of them may match. A later look in the same transaction scans only the
// variables that changed and adds their hits: hits left from values since replaced are only
// extra "maybe"s, which the exact check answers. Only when values_gen moved since the last
// look (hs_gate_open checks).
[[gnu::noinline]] void prescan(transaction::state& s, const hs_matcher& hs, int32_t db) {
  s.hs_db_seen[db] = s.values_gen;
  uint32_t gen = s.stable_gen;
  if (!hs.stable(db)) {
    for (const variable_id g : hs.groups_of(db)) gen = std::max(gen, prescan_gen_of(s, hs, db, g));
  }
  const uint32_t prev = s.hs_db_gen[db];
  if (prev == gen) return;
  s.hs_db_gen[db] = gen;
  const bool adding = prev >= s.stable_gen;  // looked at earlier in this transaction
  const uint32_t since = adding ? prev : 0;
  auto& any = s.hs_any_hit[db];
  if (!adding) {
    std::fill(any.begin(), any.end(), 0);
    s.hs_db_empty[db] = 0;
  }
  if (hs.literal_only(db)) {
    prescan_joined(s, hs, db, since);
    return;
  }
  const int32_t chain = hs.chain_of_db(db);
  for (const variable_id g : hs.groups_of(db)) {
    if (since != 0 && prescan_gen_of(s, hs, db, g) <= since) continue;
    const tvalue_list* l = tvalue_list_of(s, g, chain);
    if (!l) {
      s.hs_db_empty[db] = 1;  // no room to remember the values: no skips
      return;
    }
    for (uint32_t k = 0; k < l->count; ++k) {
      tvalue& e = s.tvalues[l->first + k];
      if (e.value.empty() || !entry_hits(s, hs, db, e)) {
        s.hs_db_empty[db] = 1;  // empty (patterns may match "") or the scan failed: no skips
        continue;
      }
      mark_hits(any, e.hits, e.hit_count);
    }
  }
}

bool evaluate(transaction::state& s, const rule_link& link, std::string_view v, op_result& res) {
  const rule_operator& op = link.op;
  const rule_context ctx{nullptr};
  const bool want_caps = link.actions.capture;
  auto param = [&] { return expand(s, op.param, ctx); };
  switch (op.id) {
    case operator_id::rx: {
      const regex* re = op.re ? op.re.get() : dynamic_regex(s, param());
      if (!re) return false;
      const int rc = re->match(v, s.scratch, want_caps ? &res.caps : nullptr);
      if (rc < 0) ++s.counters.pcre_errors;
      return rc == 1;
    }
    case operator_id::pm:
    case operator_id::pm_from_file: {
      std::string_view hit;
      if (!op.phrases->find(v, &hit)) return false;
      res.caps.group[0] = hit;
      res.caps.count = 1;
      return true;
    }
    case operator_id::begins_with: return v.starts_with(param());
    case operator_id::ends_with: return v.ends_with(param());
    case operator_id::contains:
    case operator_id::str_match: return v.find(param()) != std::string_view::npos;
    case operator_id::contains_word: return contains_word(v, param());
    case operator_id::streq: return v == param();
    case operator_id::within: return within(v, param());
    case operator_id::eq: return sec_atoi(v) == sec_atoi(param());
    case operator_id::ge: return sec_atoi(v) >= sec_atoi(param());
    case operator_id::gt: return sec_atoi(v) > sec_atoi(param());
    case operator_id::le: return sec_atoi(v) <= sec_atoi(param());
    case operator_id::lt: return sec_atoi(v) < sec_atoi(param());
    case operator_id::ip_match:
    case operator_id::ip_match_from_file: return op.ips->contains(v);
    case operator_id::validate_byte_range: return byte_range_violation(*op.byte_ok, v);
    case operator_id::validate_url_encoding: return invalid_url_encoding(v);
    case operator_id::validate_utf8_encoding: return invalid_utf8(v);
    case operator_id::detect_sqli: {
      sqli_fingerprint fp;
      if (!detect_sqli(v, &fp)) return false;
      res.caps.group[0] = s.mem.copy(fp.text);
      res.caps.count = 1;
      return true;
    }
    case operator_id::detect_xss: return detect_xss(v);
    case operator_id::unconditional_match: return true;
    default:
      // @rbl, @geoLookup, @verifyCC, @inspectFile, ...: no network, no databases, no files
      // here; they never match (CRS uses only @rbl/@geoLookup, both off by default).
      return false;
  }
}
// Operators worth remembering a "no match" of across transactions: each costs more on a
// value of k_remembered_min bytes or more than hashing and comparing it, and its answer
// depends on the value's bytes only (no macro in the parameter).
constexpr size_t k_remembered_min = 16;
bool remembered_kind(const rule_operator& op) {
  switch (op.id) {
    case operator_id::rx: return op.re != nullptr;
    case operator_id::pm:
    case operator_id::pm_from_file:
    case operator_id::detect_sqli:
    case operator_id::detect_xss: return true;
    default: return false;
  }
}

// evaluate() for the speed path. Header values repeat from request to request (a client's
// User-Agent, Accept, Referer), and CRS runs @detectSQLi, @detectXSS and PCRE2 confirmations
// on them: a "no match" an earlier transaction found for the same link and bytes answers
// again. A match is always evaluated (its captures feed setvar and the log).
bool evaluate_remembered(transaction::state& s, const rule_link& link, int32_t key,
                         std::string_view v, op_result& res) {
  if (key < 0 || v.size() < k_remembered_min || !transform_memo::eligible(v) ||
      !remembered_kind(link.op)) {
    ++s.counters.operators_run;
    return evaluate(s, link, v, res);
  }
  const uint64_t h = hash_bytes(v) | 1;
  std::string_view out;
  bool same = false;
  if (s.operator_memo.find(key, v, h, out, same)) {
    ++s.counters.operator_memo_hits;
    return false;
  }
  ++s.counters.operators_run;
  const uint64_t errors = s.counters.pcre_errors;
  const bool m = evaluate(s, link, v, res);
  if (!m && s.counters.pcre_errors == errors) s.operator_memo.put(key, v, h, v, true);
  return m;
}
}  // namespace

bool hs_gate_open(transaction::state& s, int32_t db, uint32_t id) {
  // Most looks find nothing changed since the last (prescan's work, out of line, would make
  // every look pay its register saves).
  if (s.hs_db_seen[db] != s.values_gen) prescan(s, *s.engine.hs(), db);
  if (s.hs_db_empty[db]) return true;
  return (s.hs_any_hit[db][id / 64] >> (id % 64)) & 1;
}

bool hs_link_may_match(transaction::state& s, const rule_link& link,
                       const waf_engine::hs_place& place) {
  if (!s.engine.hs() || link.op.negated || place.db < 0 || !place.covers_all) return true;
  return hs_gate_open(s, place.db, place.id);
}

bool link_bytes_may_match(transaction::state& s, const rule_link& link,
                          const waf_engine::hs_place& place, int32_t chain) {
  const hs_matcher* hs = s.engine.hs();
  if (!hs || place.byte_gate < 0 || place.byte_set < 0 || link.op.negated || link.actions.multi_match)
    return true;
  // Rules share target sets and chains: the union is worked out once per set and generation.
  set_union& u = s.set_unions[static_cast<size_t>(place.byte_set)];
  if (u.seen != s.values_gen) {
    u.seen = s.values_gen;
    u.ok = true;
    u.bytes = {};
    for (const auto& t : link.targets) {
      const hs_matcher::byte_mask* b = group_bytes(s, t.id, chain);
      if (!b) {
        u.ok = false;
        break;
      }
      for (int w = 0; w < 4; ++w) u.bytes[w] |= (*b)[w];
    }
  }
  return !u.ok || hs->byte_gate_passes(place.byte_gate, u.bytes);
}

bool run_operator(transaction::state& s, const rule_link& link, variable_id group,
                  std::string_view value, op_result& res, const waf_engine::hs_place* place) {
  res.caps.count = 0;
  bool m;
  const hs_matcher* hs = s.engine.hs();
  if (hs && place && hs_matcher::cacheable_group(group) &&
      ((place->byte_gate >= 0 &&
        !hs->byte_gate_passes(place->byte_gate, present_bytes(s, value))) ||
       !hs_may_match(s, *hs, *place, value))) {
    m = false;
  } else {
    m = evaluate_remembered(s, link, place ? place->link : -1, value, res);
  }
  return link.op.negated ? !m : m;
}

bool run_operator(transaction::state& s, const rule_link& link, tvalue& e, op_result& res,
                  const waf_engine::hs_place& place) {
  res.caps.count = 0;
  const hs_matcher& hs = *s.engine.hs();
  bool m = false;
  if (place.byte_gate >= 0 && !hs.byte_gate_passes(place.byte_gate, entry_bytes(s, e))) {
    // no value lacking every required literal's bytes can match
  } else if (place.db >= 0 && (e.value.empty() ? hs.literal_only(place.db)
                                               : entry_hits(s, hs, place.db, e) &&
                                                     !std::binary_search(e.hits, e.hits + e.hit_count, place.id))) {
    // the database did not report the pattern for this value
  } else {
    if (place.db >= 0 && !e.value.empty() && !e.scan_failed) ++s.counters.hs_confirms;
    m = evaluate_remembered(s, link, place.link, e.value, res);
  }
  return link.op.negated ? !m : m;
}

}  // namespace ravelin::waf::detail
