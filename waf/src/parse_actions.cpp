// Rule actions (reference manual "Actions") into typed form: metadata, flow (chain, skip,
// skipAfter), disruptive actions, transformations, setvar, ctl and initcol.
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "internal/config_text.h"
#include "internal/parse.h"

namespace ravelin::waf::detail {

namespace {
struct raw_action {
  std::string name, value;
  bool has_value = false;
  size_t offset = 0;  // where the action starts in the action list
};

// Splits on commas outside single quotes; `name:'value'` loses its quotes and `\'` unescapes.
std::vector<raw_action> split_actions(std::string_view s) {
  std::vector<raw_action> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
    if (i >= s.size()) break;
    raw_action a;
    a.offset = i;
    while (i < s.size() && s[i] != ':' && s[i] != ',') a.name.push_back(s[i++]);
    while (!a.name.empty() && a.name.back() == ' ') a.name.pop_back();
    if (i < s.size() && s[i] == ':') {
      a.has_value = true;
      ++i;
      while (i < s.size() && s[i] == ' ') ++i;
      if (i < s.size() && s[i] == '\'') {
        ++i;
        bool closed = false;
        while (i < s.size()) {
          if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\'') {
            a.value.push_back('\'');
            i += 2;
          } else if (s[i] == '\'') {
            ++i;
            closed = true;
            break;
          } else {
            a.value.push_back(s[i++]);
          }
        }
        if (!closed) throw std::runtime_error("unterminated quote in action '" + a.name + "'");
        while (i < s.size() && s[i] == ' ') ++i;
        if (i < s.size() && s[i] != ',') {
          throw std::runtime_error("expected ',' after quoted value of '" + a.name + "'");
        }
      } else {
        while (i < s.size() && s[i] != ',') a.value.push_back(s[i++]);
        while (!a.value.empty() && a.value.back() == ' ') a.value.pop_back();
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

int64_t parse_int(std::string_view s, const char* what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    throw std::runtime_error(std::string("bad ") + what + " '" + std::string(s) + "'");
  }
  return v;
}

int parse_phase(std::string_view v) {
  if (v == "request") return 2;
  if (v == "response") return 4;
  if (v == "logging") return 5;
  const int64_t p = parse_int(v, "phase");
  if (p < 1 || p > 5) throw std::runtime_error("phase must be 1..5, got " + std::string(v));
  return static_cast<int>(p);
}

int parse_severity(std::string_view v) {
  static constexpr std::array<std::string_view, 8> k_names{
      "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"};
  for (size_t i = 0; i < k_names.size(); ++i) {
    if (to_lower(v) == to_lower(k_names[i])) return static_cast<int>(i);
  }
  const int64_t n = parse_int(v, "severity");
  if (n < 0 || n > 7) throw std::runtime_error("severity must be 0..7");
  return static_cast<int>(n);
}

bool on_off(std::string_view v) {
  const std::string l = to_lower(v);
  if (l == "on") return true;
  if (l == "off") return false;
  throw std::runtime_error("expected On or Off, got '" + std::string(v) + "'");
}

std::vector<id_range> parse_id_ranges(std::string_view v) {
  std::vector<id_range> out;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == ',')) ++i;
    size_t j = i;
    while (j < v.size() && v[j] != ' ' && v[j] != ',') ++j;
    if (j == i) break;
    std::string_view item = v.substr(i, j - i);
    const size_t dash = item.find('-', 1);
    id_range r;
    if (dash == std::string_view::npos) {
      r.first = r.last = parse_int(item, "rule id");
    } else {
      r.first = parse_int(item.substr(0, dash), "rule id");
      r.last = parse_int(item.substr(dash + 1), "rule id");
    }
    out.push_back(r);
    i = j;
  }
  if (out.empty()) throw std::runtime_error("no rule id given");
  return out;
}

variable_id persistent_collection(std::string_view name) {
  auto id = variable_from_name(name);
  if (!id || (*id != variable_id::tx && *id != variable_id::ip && *id != variable_id::global &&
              *id != variable_id::session && *id != variable_id::user &&
              *id != variable_id::resource)) {
    throw std::runtime_error("setvar/initcol needs TX, IP, GLOBAL, SESSION, USER or RESOURCE, got '" +
                             std::string(name) + "'");
  }
  return *id;
}

setvar_action parse_setvar(std::string_view v) {
  setvar_action s;
  if (!v.empty() && v.front() == '!') {
    s.op = setvar_op::remove;
    v.remove_prefix(1);
  }
  const size_t dot = v.find('.');
  if (dot == std::string_view::npos) throw std::runtime_error("setvar needs COLLECTION.name");
  s.collection = persistent_collection(v.substr(0, dot));
  std::string_view rest = v.substr(dot + 1);
  const size_t eq = rest.find('=');
  std::string_view name = rest.substr(0, eq);
  if (name.empty()) throw std::runtime_error("setvar with an empty variable name");
  s.name = parse_macro(name);
  // Names are case-insensitive and stored lower-case: folding the literal text here lets
  // run_setvar use a name without macros as it is, rather than copy it per request.
  for (auto& part : s.name.parts) {
    if (!part.is_var) {
      for (char& c : part.literal) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (eq == std::string_view::npos) {
    s.value = parse_macro(s.op == setvar_op::remove ? "" : "1");
    return s;
  }
  if (s.op == setvar_op::remove) throw std::runtime_error("setvar:!name takes no value");
  std::string_view value = rest.substr(eq + 1);
  if (!value.empty() && (value.front() == '+' || value.front() == '-')) {
    s.op = value.front() == '+' ? setvar_op::add : setvar_op::sub;
    value.remove_prefix(1);
  }
  s.value = parse_macro(value);
  return s;
}

ctl_action parse_ctl(std::string_view v) {
  const size_t eq = v.find('=');
  if (eq == std::string_view::npos) throw std::runtime_error("ctl needs option=value");
  const std::string opt = to_lower(v.substr(0, eq));
  ctl_action c;
  c.value = std::string(v.substr(eq + 1));
  auto split_target = [&](ctl_kind kind, bool by_id) {
    c.kind = kind;
    const size_t semi = c.value.find(';');
    if (semi == std::string::npos) throw std::runtime_error("ctl:" + opt + " needs WHAT;TARGET");
    if (by_id) {
      c.ids = parse_id_ranges(c.value.substr(0, semi));
    } else {
      c.tag = c.value.substr(0, semi);
    }
    c.target = parse_one_target(c.value.substr(semi + 1));
  };
  if (opt == "ruleengine") {
    c.kind = ctl_kind::rule_engine;
    const std::string l = to_lower(c.value);
    if (l == "on") c.mode = engine_mode::on;
    else if (l == "off") c.mode = engine_mode::off;
    else if (l == "detectiononly") c.mode = engine_mode::detection_only;
    else throw std::runtime_error("ctl:ruleEngine needs On, Off or DetectionOnly");
  } else if (opt == "requestbodyaccess") {
    c.kind = ctl_kind::request_body_access;
    c.on = on_off(c.value);
  } else if (opt == "responsebodyaccess") {
    c.kind = ctl_kind::response_body_access;
    c.on = on_off(c.value);
  } else if (opt == "forcerequestbodyvariable") {
    c.kind = ctl_kind::force_request_body_variable;
    c.on = on_off(c.value);
  } else if (opt == "requestbodyprocessor") {
    c.kind = ctl_kind::request_body_processor;
    const std::string l = to_lower(c.value);
    if (l == "urlencoded") c.processor = body_processor::urlencoded;
    else if (l == "multipart") c.processor = body_processor::multipart;
    else if (l == "json") c.processor = body_processor::json;
    else if (l == "xml") c.processor = body_processor::xml;
    else throw std::runtime_error("unknown request body processor '" + c.value + "'");
  } else if (opt == "ruleremovebyid") {
    c.kind = ctl_kind::rule_remove_by_id;
    c.ids = parse_id_ranges(c.value);
  } else if (opt == "ruleremovebytag") {
    c.kind = ctl_kind::rule_remove_by_tag;
    c.tag = c.value;
  } else if (opt == "ruleremovetargetbyid") {
    split_target(ctl_kind::rule_remove_target_by_id, true);
  } else if (opt == "ruleremovetargetbytag") {
    split_target(ctl_kind::rule_remove_target_by_tag, false);
  } else if (opt == "auditengine") {
    c.kind = ctl_kind::audit_engine;
  } else if (opt == "auditlogparts") {
    c.kind = ctl_kind::audit_log_parts;
  } else if (opt == "debugloglevel") {
    c.kind = ctl_kind::debug_log_level;
  } else if (opt == "hashengine") {
    c.kind = ctl_kind::hash_engine;
  } else {
    throw std::runtime_error("unknown ctl option '" + std::string(v.substr(0, eq)) + "'");
  }
  return c;
}

void apply(rule_actions& r, const raw_action& a) {
  const std::string n = to_lower(a.name);
  auto need = [&]() -> const std::string& {
    if (!a.has_value) throw std::runtime_error("action '" + a.name + "' needs a value");
    return a.value;
  };
  auto none = [&]() {
    if (a.has_value) throw std::runtime_error("action '" + a.name + "' takes no value");
  };
  if (n == "id") {
    r.id = parse_int(need(), "rule id");
    if (r.id <= 0) throw std::runtime_error("rule id must be positive");
  } else if (n == "phase") r.phase = parse_phase(need());
  else if (n == "msg") r.msg = parse_macro(need());
  else if (n == "logdata") r.logdata = parse_macro(need());
  else if (n == "tag") r.tags.push_back(need());
  else if (n == "severity") r.severity = parse_severity(need());
  else if (n == "ver") r.ver = need();
  else if (n == "rev") r.rev = need();
  else if (n == "maturity") r.maturity = need();
  else if (n == "accuracy") r.accuracy = need();
  else if (n == "pass") { none(); r.disruptive = disruptive_action::pass; }
  else if (n == "block") { none(); r.disruptive = disruptive_action::block; }
  else if (n == "deny") { none(); r.disruptive = disruptive_action::deny; }
  else if (n == "drop") { none(); r.disruptive = disruptive_action::drop; }
  else if (n == "allow") r.disruptive = disruptive_action::allow;
  else if (n == "redirect") { r.disruptive = disruptive_action::redirect; r.redirect_url = need(); }
  else if (n == "proxy") { r.disruptive = disruptive_action::proxy; r.redirect_url = need(); }
  else if (n == "status") r.status = static_cast<int>(parse_int(need(), "status"));
  else if (n == "log") { none(); r.log = true; }
  else if (n == "nolog") { none(); r.log = false; }
  else if (n == "auditlog") { none(); r.auditlog = true; }
  else if (n == "noauditlog") { none(); r.auditlog = false; }
  else if (n == "capture") { none(); r.capture = true; }
  else if (n == "multimatch") { none(); r.multi_match = true; }
  else if (n == "chain") { none(); r.chain = true; }
  else if (n == "skipafter") r.skip_after = need();
  else if (n == "skip") r.skip = static_cast<int>(parse_int(need(), "skip count"));
  else if (n == "t") {
    const auto t = transform_from_name(need());
    if (!t) throw std::runtime_error("unknown transformation t:" + a.value);
    if (*t == transform_id::none) {
      r.transforms_reset = true;
      r.transforms.clear();
    } else {
      r.transforms.push_back(*t);
    }
  } else if (n == "setvar") r.setvars.push_back(parse_setvar(need()));
  else if (n == "ctl") r.ctls.push_back(parse_ctl(need()));
  else if (n == "initcol") {
    const std::string& v = need();
    const size_t eq = v.find('=');
    if (eq == std::string::npos) throw std::runtime_error("initcol needs COLLECTION=key");
    r.initcols.push_back({persistent_collection(v.substr(0, eq)), parse_macro(v.substr(eq + 1))});
  } else if (n == "expirevar" || n == "deprecatevar" || n == "setuid" || n == "setsid" ||
             n == "setrsc" || n == "setenv" || n == "sanitisearg" || n == "sanitisematched" ||
             n == "sanitisematchedbytes" || n == "sanitiserequestheader" ||
             n == "sanitiseresponseheader" || n == "xmlns" || n == "append" || n == "prepend" ||
             n == "auditlogparts") {
    // Accepted and kept out of the typed form: persistence expiry, sanitising of audit parts
    // and content injection have no effect on verdicts.
  } else if (n == "exec" || n == "pause") {
    throw std::runtime_error("action '" + a.name + "' is not supported (no external scripts)");
  } else {
    throw std::runtime_error("unknown action '" + a.name + "'");
  }
}
}  // namespace

rule_actions parse_actions(std::string_view text) {
  rule_actions r;
  for (const auto& a : split_actions(text)) {
    try {
      apply(r, a);
    } catch (const syntax_error& e) {
      throw;
    } catch (const std::exception& e) {
      throw syntax_error(a.offset, e.what());
    }
  }
  return r;
}

}  // namespace ravelin::waf::detail
