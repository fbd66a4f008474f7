// Macro expansion, setvar and lookups (reference manual: "Macro expansion", "setvar").
#include "internal/collections.h"

#include <cstring>

namespace ravelin::waf::detail {

std::string_view lookup(transaction::state& s, variable_id id, std::string_view key) {
  std::string_view out;
  bool found = false;
  if (var_store* st = s.store(id)) {
    const std::string_view* v = st->get(key);
    return v ? *v : std::string_view();
  }
  for_each_member(s, id, [&](std::string_view k, std::string_view v) {
    if (!found && (key.empty() || ieq(k, key))) {
      out = v;
      found = true;
    }
  });
  return out;
}

std::string_view display_name(transaction::state& s, variable_id id, std::string_view key) {
  const std::string_view base = variable_name(id);
  if (key.empty()) return base;
  char* p = s.mem.alloc(base.size() + 1 + key.size());
  std::copy(base.begin(), base.end(), p);
  p[base.size()] = ':';
  std::copy(key.begin(), key.end(), p + base.size() + 1);
  return {p, base.size() + 1 + key.size()};
}

namespace {
std::string_view rule_field(transaction::state& s, const rule_context& ctx, std::string_view key) {
  if (!ctx.r || ctx.r->links.empty()) return {};
  const rule_actions& h = ctx.r->head();
  if (key == "id") return format_int(s.mem, h.id);
  if (key == "msg" && h.msg) return expand(s, *h.msg, {nullptr});
  if (key == "logdata" && h.logdata) return expand(s, *h.logdata, {nullptr});
  if (key == "severity" && h.severity >= 0) return format_int(s.mem, h.severity);
  if (key == "ver") return h.ver;
  if (key == "rev") return h.rev;
  return {};
}
}  // namespace

std::string_view expand(transaction::state& s, const macro_text& m, const rule_context& ctx) {
  if (m.parts.empty()) return {};
  if (m.parts.size() == 1 && !m.parts[0].is_var) return m.parts[0].literal;
  // A lone %{tx.x}: its value already lives in the request or the arena for the whole
  // transaction, so it needs no copy (@within %{tx.restricted_headers} runs per header).
  if (m.parts.size() == 1 && m.parts[0].var != variable_id::rule)
    return lookup(s, m.parts[0].var, m.parts[0].key);
  // Expand piece by piece into the arena; pieces are views that stay valid meanwhile. A
  // trivial type, left uninitialised: zeroing 32 string_views cost more than most expansions.
  struct piece {
    const char* data;
    size_t size;
  };
  piece pieces[32];
  size_t n = 0, total = 0;
  for (const auto& p : m.parts) {
    if (n == 32) break;
    std::string_view v;
    if (!p.is_var) v = p.literal;
    else if (p.var == variable_id::rule) v = rule_field(s, ctx, p.key);
    else v = lookup(s, p.var, p.key);
    pieces[n++] = {v.data(), v.size()};
    total += v.size();
  }
  char* out = s.mem.alloc(total);
  size_t o = 0;
  for (size_t i = 0; i < n; ++i) {
    if (pieces[i].size) std::memcpy(out + o, pieces[i].data, pieces[i].size);
    o += pieces[i].size;
  }
  return {out, total};
}

namespace {
// Variable names are case-insensitive: stores keep them lower-case. The parser folded the
// literal text already, so only a name built from macros is copied and folded here.
std::string_view setvar_name(transaction::state& s, const macro_text& name, const rule_context& ctx) {
  if (name.parts.size() == 1 && !name.parts[0].is_var) return name.parts[0].literal;
  const std::string_view raw = expand(s, name, ctx);
  char* lower = s.mem.alloc(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    lower[i] = static_cast<char>(ascii_lower(static_cast<unsigned char>(raw[i])));
  }
  return {lower, raw.size()};
}
}  // namespace

void run_setvar(transaction::state& s, const setvar_action& a, const rule_context& ctx) {
  var_store* st = s.store(a.collection);
  if (!st) return;
  const std::string_view name = setvar_name(s, a.name, ctx);
  switch (a.op) {
    case setvar_op::remove: st->remove(name); return;
    case setvar_op::set: st->set(name, expand(s, a.value, ctx)); return;
    case setvar_op::add:
    case setvar_op::sub: {
      const std::string_view* cur = st->get(name);
      const int64_t base = cur ? sec_atoi(*cur) : 0;
      const int64_t delta = sec_atoi(expand(s, a.value, ctx));
      st->set(name, format_int(s.mem, a.op == setvar_op::add ? base + delta : base - delta));
      return;
    }
  }
}

}  // namespace ravelin::waf::detail
