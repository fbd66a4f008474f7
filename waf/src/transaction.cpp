// The transaction API: request (whole or streamed body) and response phases, and the reset
// between requests. Audit output is in audit.cpp.
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "internal/ascii.h"
#include "internal/body.h"
#include "internal/evaluate.h"
#include "internal/hs_matcher.h"
#include "internal/parse.h"
#include "ravelin/waf/engine.h"

namespace ravelin::waf {

void transaction::state::reset() {
  mem.reset();
  ++values_gen;
  stable_gen = values_gen;
  volatile_gen = values_gen;
  tvalues.clear();
  tcache.clear();
  hs_cache.clear();
  req = nullptr;
  resp = nullptr;
  body = {};
  body_length = 0;
  body_over_limit = false;
  scalar.fill({});
  has_scalar.fill(false);
  for (auto* v : {&args_get, &args_post, &headers, &cookies, &files, &files_names, &files_sizes,
                  &part_headers, &xml, &resp_headers, &matched_vars}) {
    v->clear();
  }
  for (auto* st : {&tx, &ip, &global, &session, &user, &resource}) st->clear();
  tx_from_image = nullptr;
  const auto& cfg = engine.rules().config;
  mode = cfg.rule_engine;
  request_body_access = cfg.request_body_access;
  response_body_access = cfg.response_body_access;
  body_phase_done = false;
  force_body_variable = false;
  allow_all = false;
  processor = body_processor::none;
  removed_ids.clear();
  removed_tags.clear();
  removed_targets.clear();
  matches.clear();
  result = {};
  highest_severity = 255;
}

detail::var_store* transaction::state::store(variable_id id) {
  switch (id) {
    case variable_id::tx: return &tx;
    case variable_id::ip: return &ip;
    case variable_id::global: return &global;
    case variable_id::session: return &session;
    case variable_id::user: return &user;
    case variable_id::resource: return &resource;
    default: return nullptr;
  }
}

transaction_scratch::transaction_scratch(const waf_engine& e) : engine(e) {
  if (const hs_matcher* hs = e.hs()) {
    hs_scratch = hs->alloc_scratch();
    byte_unions.resize(1024);
    set_unions.resize(e.byte_sets());
    tvalue_lists.resize(1024);
  }
}

transaction_scratch::~transaction_scratch() {
  if (hs_scratch) hs_matcher::free_scratch(hs_scratch);
}

void transaction_scratch::restart_generations() {
  std::fill(byte_unions.begin(), byte_unions.end(), detail::byte_union{});
  std::fill(set_unions.begin(), set_unions.end(), detail::set_union{});
  std::fill(tvalue_lists.begin(), tvalue_lists.end(), detail::tvalue_list{});
  values_gen = 1;
  ++restarts;
  owner = nullptr;
}

std::shared_ptr<transaction_scratch> make_transaction_scratch(const waf_engine& engine) {
  return std::make_shared<transaction_scratch>(engine);
}

transaction::state::state(const waf_engine& e, std::shared_ptr<transaction_scratch> w)
    : engine(e),
      work(std::move(w)),
      scratch(work->scratch),
      op_res(work->op_res),
      buf_a(work->buf_a),
      buf_b(work->buf_b),
      tx_image(work->tx_image),
      tx_image_of(work->tx_image_of),
      tx_image_first(work->tx_image_first),
      tcache(work->tcache),
      hs_cache(work->hs_cache),
      memo(work->memo),
      operator_memo(work->operator_memo),
      hs_hits(work->hs_hits),
      hs_joined(work->hs_joined),
      hs_scratch(work->hs_scratch),
      values_gen(work->values_gen),
      byte_unions(work->byte_unions),
      set_unions(work->set_unions),
      tvalues(work->tvalues),
      tvalue_lists(work->tvalue_lists),
      dup_slots(work->dup_slots),
      no_match_seen(work->no_match_seen) {
  if (const hs_matcher* hs = e.hs()) {
    hs_db_gen.assign(hs->databases(), 0);
    hs_db_seen.assign(hs->databases(), 0);
    hs_db_empty.assign(hs->databases(), 0);
    hs_any_hit.resize(hs->databases());
    for (size_t d = 0; d < hs->databases(); ++d) {
      hs_any_hit[d].assign((hs->patterns_in(static_cast<int32_t>(d)) + 63) / 64, 0);
    }
  }
}

void transaction::state::take_over() {
  if (work->owner != nullptr && work->owner != this) work->owner->left_at = values_gen;
  if (values_gen > k_gen_restart) work->restart_generations();
  const bool resumes = restarts_seen == work->restarts && left_at != 0;
  restarts_seen = work->restarts;
  work->owner = this;
  tcache.clear();
  hs_cache.clear();
  tvalues.clear();
  // New generations for everything: no list, union or cache entry (another transaction's,
  // or this one's, now overwritten) passes for current. Older scalar generations would be
  // meaningless, and after a restart misleading.
  scalar_gen.fill(0);
  const uint32_t was = left_at;
  stable_gen = volatile_gen = ++values_gen;
  left_at = 0;
  // A prescan that was current when this transaction last held the scratch still is: its
  // values have not changed since. It carries over (the per-value hits went with tvalues
  // and are scanned again on demand).
  for (size_t db = 0; db < hs_db_seen.size(); ++db) {
    if (resumes && hs_db_seen[db] == was) {
      hs_db_seen[db] = hs_db_gen[db] = values_gen;
    } else {
      hs_db_seen[db] = hs_db_gen[db] = 0;
    }
  }
}

transaction::transaction(const waf_engine& engine, std::shared_ptr<transaction_scratch> shared) {
  if (shared && &shared->engine != &engine) {
    throw std::invalid_argument("transaction_scratch belongs to another engine");
  }
  if (!shared) shared = make_transaction_scratch(engine);
  s_ = std::make_unique<state>(engine, std::move(shared));
  // Segmented bodies are joined here: room for SecRequestBodyInMemoryLimit up front, growth
  // (once per lcore) up to SecRequestBodyLimit beyond it.
  const auto& cfg = engine.rules().config;
  s_->body_buf.reserve(static_cast<size_t>(
      std::max<int64_t>(0, std::min(cfg.request_body_in_memory_limit, cfg.request_body_limit))));
}

transaction::~transaction() {
  if (s_->work->owner == s_.get()) s_->work->owner = nullptr;  // nobody to tell left_at
}

verdict transaction::process_request(const http_request& req, std::string_view unique_id) {
  process_request_headers(req, unique_id);
  if (!req.body.empty()) append_request_body(req.body);
  return process_request_body();
}

verdict transaction::process_request_headers(const http_request& req, std::string_view unique_id) {
  state& s = *s_;
  s.claim();
  s.reset();
  ++s.counters.requests;
  s.req = &req;
  s.unique_id = s.mem.copy(unique_id);
  detail::set_request_variables(s, req);
  if (s.mode == engine_mode::off) return s.result;
  detail::run_phase(s, 1);
  return s.result;
}

void transaction::copy_body_segments(bool on) { s_->copy_body = on; }

verdict transaction::append_request_body(std::string_view segment) {
  state& s = *s_;
  if (!s.req || s.result.interrupted() || s.allow_all || s.mode == engine_mode::off)
    return s.result;
  detail::append_body(s, segment);
  return s.result;
}

namespace {
// What the body processor can change: the collections it fills and the scalars it sets.
// Lists, byte unions and prescans built in phase 1 stay valid for whatever did not change (a
// GET's body sets REQUEST_BODY_LENGTH and the error flags, nothing that ARGS is made of).
struct body_snapshot {
  std::array<size_t, 6> sizes;
  std::array<std::string_view, k_variable_count> scalar;
  std::array<bool, k_variable_count> has_scalar;

  explicit body_snapshot(const transaction::state& s)
      : sizes(sizes_of(s)), scalar(s.scalar), has_scalar(s.has_scalar) {}

  static std::array<size_t, 6> sizes_of(const transaction::state& s) {
    return {s.args_post.size(), s.files.size(), s.files_names.size(), s.files_sizes.size(),
            s.part_headers.size(), s.xml.size()};
  }

  void bump_changed(transaction::state& s) const {
    if (sizes_of(s) != sizes) {
      s.volatile_gen = ++s.values_gen;
      return;
    }
    uint32_t gen = 0;
    for (size_t v = 0; v < k_variable_count; ++v) {
      const std::string_view now = s.scalar[v];
      if (s.has_scalar[v] == has_scalar[v] && now.data() == scalar[v].data() && now.size() == scalar[v].size())
        continue;
      if (!gen) gen = ++s.values_gen;
      s.scalar_gen[v] = gen;
    }
  }
};
}  // namespace

verdict transaction::process_request_body() {
  state& s = *s_;
  s.claim();
  s.body_phase_done = true;
  if (!s.req || s.mode == engine_mode::off || s.result.interrupted() || s.allow_all)
    return s.result;
  const body_snapshot before(s);
  if (!detail::process_request_body(s)) return s.result;
  before.bump_changed(s);
  detail::run_phase(s, 2);
  return s.result;
}

verdict transaction::process_response(const http_response& resp) {
  state& s = *s_;
  // Phases run in order: the folded constant rules of phases 3 and 4 (fold.cpp) count on
  // phase 2 having run before them.
  if (!s.body_phase_done) process_request_body();
  s.claim();
  s.resp = &resp;
  std::string_view content_type, content_length;
  for (const auto& h : resp.headers) {
    s.resp_headers.push_back({h.name, h.value});
    if (ascii::iequals(h.name, "content-type")) content_type = h.value;
    if (ascii::iequals(h.name, "content-length")) content_length = h.value;
  }
  s.set_scalar(variable_id::response_status, detail::format_int(s.mem, resp.status));
  s.set_scalar(variable_id::response_protocol, resp.protocol);
  if (!content_type.empty()) s.set_scalar(variable_id::response_content_type, content_type);
  if (!content_length.empty()) s.set_scalar(variable_id::response_content_length, content_length);
  // Only the response's own variables are new: the request's lists, byte unions and
  // prescans stay valid for phases 3 and 4.
  const uint32_t head_gen = ++s.values_gen;
  for (const variable_id v : {variable_id::response_status, variable_id::response_protocol,
                              variable_id::response_content_type, variable_id::response_content_length,
                              variable_id::response_headers, variable_id::response_headers_names}) {
    s.scalar_gen[static_cast<size_t>(v)] = head_gen;
  }
  detail::run_phase(s, 3);
  if (s.response_body_access) {  // as phase 3 left it (ctl:responseBodyAccess)
    if (!inspect_response_body(resp)) return s.result;
    const uint32_t body_gen = ++s.values_gen;
    s.scalar_gen[static_cast<size_t>(variable_id::response_body)] = body_gen;
    s.scalar_gen[static_cast<size_t>(variable_id::response_content_length)] = body_gen;
  }
  detail::run_phase(s, 4);
  return s.result;
}

// v3's appendResponseBody: past SecResponseBodyLimit, OUTBOUND_DATA_ERROR is 1 and the body
// is either cut to the limit or, with Reject and the engine On, refused before phase 4.
bool transaction::inspect_response_body(const http_response& resp) {
  state& s = *s_;
  const auto& cfg = s.engine.rules().config;
  std::string_view body = resp.body;
  const auto limit = static_cast<size_t>(std::max<int64_t>(0, cfg.response_body_limit));
  if (resp.body_over_limit || body.size() > limit) {
    ++s.counters.response_body_limit_exceeded;
    s.set_scalar(variable_id::outbound_data_error, "1");
    s.scalar_gen[static_cast<size_t>(variable_id::outbound_data_error)] = ++s.values_gen;
    if (cfg.response_body_limit_reject && s.mode == engine_mode::on && !s.result.interrupted()) {
      s.result = {verdict_action::deny, 403, 0};
      return false;
    }
    body = body.substr(0, limit);
  }
  s.set_scalar(variable_id::response_body, body);
  if (!s.has_scalar[static_cast<size_t>(variable_id::response_content_length)]) {
    s.set_scalar(variable_id::response_content_length, detail::format_int(s.mem, static_cast<int64_t>(body.size())));
  }
  return true;
}

bool transaction::wants_response_body(std::string_view content_type) const {
  const state& s = *s_;
  if (!s.response_body_access) return false;
  // The media type without parameters (RFC 9110 §8.3.1), compared case-blind.
  const size_t semi = content_type.find(';');
  std::string_view type = content_type.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  const auto& listed = s.engine.rules().config.response_body_mime_types;
  if (listed.empty()) {  // the reference manual's default for SecResponseBodyMimeType
    return ascii::iequals(type, "text/plain") || ascii::iequals(type, "text/html");
  }
  return std::any_of(listed.begin(), listed.end(),
                     [&](const std::string& m) { return ascii::iequals(type, m); });
}

int64_t transaction::response_body_limit() const { return s_->engine.rules().config.response_body_limit; }
bool transaction::response_body_limit_rejects() const {
  return s_->engine.rules().config.response_body_limit_reject;
}

void transaction::process_logging() {
  state& s = *s_;
  s.claim();
  const bool was_allowed = s.allow_all;
  s.allow_all = false;  // phase 5 always runs (reference manual, "phase")
  const verdict kept = s.result;
  s.result = {};
  detail::run_phase(s, 5);
  s.result = kept;
  s.allow_all = was_allowed;
}

std::span<const match_record> transaction::matches() const { return s_->matches; }

std::string_view transaction::tx(std::string_view name) const {
  const std::string_view* v = s_->tx.get(name);
  return v ? *v : std::string_view();
}

const waf_counters& transaction::counters() const { return s_->counters; }
engine_mode transaction::mode() const { return s_->mode; }

}  // namespace ravelin::waf
