// A transaction's internal state: request collections, TX and friends, caches and scratch.
// Everything here is reused across requests (cleared, never freed).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "internal/arena.h"
#include "internal/transform_memo.h"
#include "ravelin/waf/engine.h"
#include "ravelin/waf/regex.h"

struct hs_scratch;  // Hyperscan's, per lcore

namespace ravelin::waf {

namespace detail {
struct kv {
  std::string_view key, value;
};

// Transformed values, keyed by (source bytes, chain id). Source bytes never move during a
// transaction (they are in the request or the arena), so their address identifies them.
class transform_cache {
 public:
  transform_cache() { slots_.resize(1024); }
  const std::string_view* get(const char* p, size_t n, int32_t chain) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash(p, n, chain) & mask;; i = (i + 1) & mask) {
      const slot& s = slots_[i];
      if (s.gen != gen_) return nullptr;
      if (s.p == p && s.n == n && s.chain == chain) return &s.out;
    }
  }
  void put(const char* p, size_t n, int32_t chain, std::string_view out) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    insert({p, static_cast<uint32_t>(n), chain, gen_, out});
    ++used_;
  }
  void clear() {
    if (++gen_ == 0) {  // lazily invalidates every slot; on wrapping, eagerly
      for (auto& s : slots_) s.gen = 0;
      gen_ = 1;
    }
    used_ = 0;
  }

 private:
  struct slot {  // 40 bytes: keeps more of the table in cache
    const char* p = nullptr;
    uint32_t n = 0;
    int32_t chain = 0;
    uint32_t gen = 0;
    std::string_view out;
  };
  static size_t hash(const char* p, size_t n, int32_t chain) {
    uint64_t h = reinterpret_cast<uintptr_t>(p) * 0x9e3779b97f4a7c15ULL;
    h ^= (n + 0x632be59bd9b4e019ULL) * 0xbf58476d1ce4e5b9ULL;
    h ^= static_cast<uint64_t>(chain) * 0x94d049bb133111ebULL;
    return static_cast<size_t>(h ^ (h >> 29));
  }
  void insert(const slot& s) {
    const size_t mask = slots_.size() - 1;
    size_t i = hash(s.p, s.n, s.chain) & mask;
    while (slots_[i].gen == gen_) i = (i + 1) & mask;
    slots_[i] = s;
  }
  void grow() {
    std::vector<slot> old;
    old.swap(slots_);
    slots_.resize(old.size() * 2);
    for (const auto& s : old) {
      if (s.gen == gen_) insert(s);
    }
  }
  std::vector<slot> slots_;
  uint32_t gen_ = 1;
  size_t used_ = 0;
};

// The byte union of a link's whole target set (waf_engine::hs_place::byte_set), valid while
// seen is the transaction's values_gen; !ok: some target had no union (no gate).
struct set_union {
  uint32_t seen = 0;
  bool ok = false;
  std::array<uint64_t, 4> bytes{};
};

// The lower-cased bytes of every value of one variable after one transformation chain
// (operator_eval.cpp's byte gates), valid while gen is the variable's current generation.
struct byte_union {
  uint32_t key = 0;  // variable << 20 | chain, + 1 (0 = unused)
  uint32_t gen = 0;
  std::array<uint64_t, 4> bytes{};
};

// One member of a cacheable collection after one transformation chain, with what the speed
// path asks of every value (its bytes, its database hits) filled in on first use. Rules that
// inspect the same collection through the same chain share these, so the per-(rule, value)
// work is a gate check rather than a transformation, a byte scan and a hash lookup.
struct tvalue {
  std::string_view key, value;  // value: after the chain
  std::array<uint64_t, 4> bytes{};  // lower-cased bytes present, when has_bytes
  const uint32_t* hits = nullptr;   // sorted pattern ids of database hits_db, when hits_db >= 0
  uint32_t hit_count = 0;
  int32_t hits_db = -1;
  uint32_t classes = 0;   // byte_classes of value, when it is short enough to test identity
  int32_t same_as = -1;   // index of the untransformed entry when the chain left value alone
  int32_t dup = -1;       // position in its list of the first member with the same raw bytes
  int32_t twin = -1;      // that member's index in tvalues: its transformation, bytes and hits
  bool has_bytes = false;
  bool scan_failed = false;  // Hyperscan said no: every operator runs
};

// Where the members of one (variable, chain) sit in transaction::state::tvalues, valid while
// gen is the variable's current generation.
struct tvalue_list {
  uint32_t key = 0;  // variable << 20 | chain, + 1 (0 = unused)
  uint32_t gen = 0;
  uint32_t first = 0, count = 0;
  bool has_dups = false;  // some member has a dup
  // Untransformed lists only: the byte classes of all members and whether each is short
  // enough for them to decide identity, so a chain can be judged for the whole list at once;
  // and the members laid end to end for joined prescans (built on first use).
  bool short_values = true;
  uint32_t classes = 0;
  bool has_joined = false;
  std::string_view joined;
};

struct target_removal {  // ctl:ruleRemoveTarget* for this transaction
  std::vector<id_range> ids;
  std::string_view tag;
  variable_ref target;
};
struct op_result {
  regex_captures caps;  // what `capture` copies to TX.0..TX.9
};

}  // namespace detail

// What a transaction builds to evaluate quickly and can always build again: transformed
// values, the list and union tables, Hyperscan's scratch and the work buffers (the prescans'
// results stay with each transaction). The proxy keeps a transaction per request in flight;
// with a set each, 64 in flight missed a 2 MB L2 some 620 times per GET (waf_bench,
// WAF_BENCH_LIVE=64, cachegrind): shared, the set stays in the CPU's cache. `owner` is the
// transaction that filled it; another one starts by invalidating it (state::claim).
class transaction_scratch {
 public:
  explicit transaction_scratch(const waf_engine& e);
  ~transaction_scratch();
  transaction_scratch(const transaction_scratch&) = delete;
  transaction_scratch& operator=(const transaction_scratch&) = delete;

  const waf_engine& engine;
  transaction::state* owner = nullptr;
  // The generation counter of every transaction sharing this (gen_of()), so that what one
  // built can never pass for another's; restarted before it wraps (state::claim).
  uint32_t values_gen = 1;
  uint32_t restarts = 0;  // of values_gen
  regex_scratch scratch;
  // The operator's captures, one for the transaction: run_operator resets its count, and a
  // fresh one per value cost a 168-byte clear (rep stos) that was a third of the link walk.
  detail::op_result op_res;
  std::string buf_a, buf_b;  // transformation work buffers
  detail::transform_cache tcache;
  detail::transform_memo memo;        // across transactions, unlike everything else here
  // Also across transactions: (link, value) pairs whose operator found no match, as slots of
  // "unchanged" results keyed by hs_place::link (operator_eval.cpp, evaluate_remembered).
  detail::transform_memo operator_memo;
  detail::transform_cache hs_cache;   // (transformed value, group<<20|chain) -> hit link ids
  std::vector<uint32_t> hs_hits;      // scan work buffer
  std::string hs_joined;              // a literal database's values end to end (prescan)
  ::hs_scratch* hs_scratch = nullptr;
  std::vector<detail::byte_union> byte_unions;    // fixed-size open-addressing table
  std::vector<detail::set_union> set_unions;      // by hs_place::byte_set
  std::vector<detail::tvalue> tvalues;            // members of every tvalue_list, this transaction
  std::vector<detail::tvalue_list> tvalue_lists;  // fixed-size open-addressing table
  std::vector<uint32_t> dup_slots;                // tvalue_list_of's work table
  std::vector<uint8_t> no_match_seen;             // per list position, for one link's walk
  detail::var_store::image tx_image;              // see transaction::state
  const void* tx_image_of = nullptr;
  std::vector<uint32_t> tx_image_first;           // see transaction::state

  // Forgets every generation-tagged entry and starts values_gen again.
  void restart_generations();
};

struct transaction::state {
  state(const waf_engine& e, std::shared_ptr<transaction_scratch> w);
  const waf_engine& engine;
  std::shared_ptr<transaction_scratch> work;
  detail::arena mem;
  // The shared part, under the names the evaluator has always used.
  regex_scratch& scratch;
  detail::op_result& op_res;
  waf_counters counters;
  std::string &buf_a, &buf_b;
  // Body processor work buffers (capacity kept between requests).
  std::string json_path, json_key, json_value, xml_text, xml_decoded;
  std::vector<std::string_view> xml_open;

  // request
  const http_request* req = nullptr;
  // The request body as appended so far: a borrowed segment while there is one, else the
  // joined copy in body_buf (capacity kept between requests).
  std::string_view body;
  std::string body_buf;
  int64_t body_length = 0;  // bytes offered, including any past the limit
  bool body_over_limit = false;
  bool copy_body = false;  // copy_body_segments(): never borrow a segment
  const http_response* resp = nullptr;
  std::string_view unique_id;
  std::array<std::string_view, k_variable_count> scalar{};
  std::array<bool, k_variable_count> has_scalar{};
  std::vector<detail::kv> args_get, args_post, headers, cookies, files, files_names, files_sizes,
      part_headers, xml, resp_headers, matched_vars;
  detail::var_store tx, ip, global, session, user, resource;
  // TX as the fold run `tx_image_of` leaves it when replayed onto an empty TX (evaluate.cpp,
  // replay_fold): CRS' initialisation, the same for every request, so in the shared part.
  detail::var_store::image& tx_image;
  const void*& tx_image_of;
  // Per TX selector bit: the first image entry the selector accepts, else the image's size.
  // While TX starts as the image, a selector's walk starts there: CRS' selectors
  // (/^HEADER_NAME_/, /WEB_ATTACK/...) accept none of its hundred-odd set-up keys.
  // `tx_from_image`: the tx_image_of of the image TX started as, null for none. A transaction
  // in flight on a shared scratch goes back to full walks if another saves an image of
  // another run (one run's image is the same every time it is saved).
  std::vector<uint32_t>& tx_image_first;
  const void* tx_from_image = nullptr;

  // engine state for this transaction
  engine_mode mode = engine_mode::on;
  bool request_body_access = false, force_body_variable = false, allow_all = false;
  bool response_body_access = false;  // SecResponseBodyAccess, as ctl:responseBodyAccess left it
  bool body_phase_done = false;       // process_request_body was called
  body_processor processor = body_processor::none;
  std::vector<id_range> removed_ids;
  std::vector<std::string_view> removed_tags;
  std::vector<detail::target_removal> removed_targets;
  std::vector<const variable_ref*> removed_target_refs;  // those that apply to the current rule
  std::vector<match_record> matches;
  verdict result;
  detail::transform_cache &tcache, &hs_cache;
  detail::transform_memo& memo;
  detail::transform_memo& operator_memo;
  std::vector<uint32_t>& hs_hits;
  std::string& hs_joined;
  ::hs_scratch*& hs_scratch;
  // Generations (gen_of()): values_gen counts every change; stable_gen is its value when phase
  // 1 began; volatile_gen when the collections the body feeds last gained values; scalar_gen
  // when one scalar variable alone last changed (the body processor's REQUEST_BODY_LENGTH,
  // REQBODY_ERROR, ... must not invalidate what was built from ARGS).
  uint32_t& values_gen;
  uint32_t stable_gen = 1;
  uint32_t volatile_gen = 1;
  std::array<uint32_t, k_variable_count> scalar_gen{};
  // The prescans' results are the transaction's own (small, and still true of its values
  // when it takes the scratch back: take_over).
  std::vector<uint32_t> hs_db_gen;              // generation each db was prescanned at
  std::vector<uint32_t> hs_db_seen;             // values_gen when that was last checked
  std::vector<uint8_t> hs_db_empty;             // a prescanned value was empty (never skip)
  std::vector<std::vector<uint64_t>> hs_any_hit;  // per db: patterns reported for any value
  uint32_t left_at = 0;   // values_gen when another transaction took the scratch from this one
  uint32_t restarts_seen = 0;  // work->restarts when this one last held the scratch
  std::vector<detail::byte_union>& byte_unions;
  std::vector<detail::set_union>& set_unions;
  std::vector<detail::tvalue>& tvalues;
  std::vector<detail::tvalue_list>& tvalue_lists;
  std::vector<uint32_t>& dup_slots;
  std::vector<uint8_t>& no_match_seen;
  std::vector<std::pair<std::string, std::unique_ptr<regex>>> dyn_regex;  // @rx with %{...}
  int highest_severity = 255;

  void reset();
  void set_scalar(variable_id v, std::string_view val) {
    scalar[static_cast<size_t>(v)] = val;
    has_scalar[static_cast<size_t>(v)] = true;
  }
  // Makes the shared scratch this transaction's before it evaluates: when another one used
  // it last, everything in it is stale, and new generations make every list and union be
  // built again (take_over; the prescans still current carry over).
  void claim() {
    if (work->owner != this || values_gen > k_gen_restart) take_over();
  }
  // Far below the wrap: one transaction's call adds only a few generations.
  static constexpr uint32_t k_gen_restart = 0xf0000000u;
  void take_over();
  detail::var_store* store(variable_id id);
};

}  // namespace ravelin::waf
