// Directive dispatch (reference manual "Configuration Directives"): rules and markers, engine
// settings, and the removal/update directives (recorded here, applied at finish()).
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "internal/loader_state.h"
#include "internal/parse.h"

namespace ravelin::waf {

using detail::arg_token;
using detail::syntax_error;
using detail::to_lower;

namespace {
void want_args(const std::vector<arg_token>& a, size_t lo, size_t hi, const std::string& name) {
  const size_t n = a.size() - 1;
  if (n < lo || n > hi) {
    const std::string want = lo == hi ? std::to_string(lo) : std::to_string(lo) + ".." + std::to_string(hi);
    throw syntax_error(a[0].offset, name + " takes " + want + " argument(s), got " + std::to_string(n));
  }
}

bool on_off(const arg_token& t, const std::string& name) {
  const std::string l = to_lower(t.text);
  if (l == "on") return true;
  if (l == "off") return false;
  throw syntax_error(t.offset, name + " expects On or Off, got '" + t.text + "'");
}

int64_t number(const arg_token& t, const std::string& name) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
  if (ec != std::errc() || p != t.text.data() + t.text.size() || v < 0) {
    throw syntax_error(t.offset, name + " expects a number, got '" + t.text + "'");
  }
  return v;
}

std::vector<id_range> id_list(const std::vector<arg_token>& a, size_t from, size_t to) {
  std::string joined;
  for (size_t i = from; i < to; ++i) joined += a[i].text + " ";
  try {
    return detail::parse_actions("ctl:ruleRemoveById=" + joined).ctls.at(0).ids;
  } catch (const std::exception& e) {
    throw syntax_error(a[from].offset, e.what());
  }
}

// Settings with no effect on verdicts (logging destinations, temp dirs, ...): accepted so
// stock configurations load, and recorded nowhere.
bool ignored_directive(const std::string& l) {
  static const char* const k_ignored[] = {
      "secauditengine", "secauditlog", "secauditlog2", "secauditlogparts", "secauditlogtype",
      "secauditlogstoragedir", "secauditlogrelevantstatus", "secauditlogformat",
      "secauditlogdirmode", "secauditlogfilemode", "secdebuglog", "secdebugloglevel",
      "sectmpdir", "secdatadir", "secuploaddir", "secuploadkeepfiles", "secuploadfilemode",
      "secuploadfilelimit", "secunicodemapfile", "secserversignature", "secstatusengine",
      "sectmpsaveuploadedfiles", "secxmlexternalentity", "sechttpblkey", "secgeolookupdb",
      "secconnengine", "secwebappid", "secsensorid", "sechashengine", "sechashkey",
      "sechashparam", "sechashmethodrx", "sechashmethodpm", "secrequestbodyjsondepthlimit",
      "secresponsebodymimetypesclear", "secunicodecodepage", "secremoterulesfailaction",
      "seccookiev0separator", "secpcrematchlimitrecursion"};
  for (const char* n : k_ignored) {
    if (l == n) return true;
  }
  return false;
}
}  // namespace

void rule_loader::state::directive(const detail::directive_text& d, const std::string& file,
                                   const std::string& dir, int depth) {
  const auto a = detail::split_args(d.text);
  if (a.empty()) return;
  const std::string name = a[0].text;
  const std::string l = to_lower(name);
  const int line = d.line_at(0);
  auto actions_at = [&](size_t i) {
    try {
      return detail::parse_actions(a[i].text);
    } catch (const syntax_error& e) {  // offset into the token: point at the action's own line
      throw syntax_error(a[i].offset + (a[i].quoted ? 1 : 0) + e.offset, e.what());
    } catch (const std::exception& e) {
      throw syntax_error(a[i].offset, e.what());
    }
  };
  if (open_chain && l != "secrule") {
    open_chain = false;
    throw syntax_error(0, "a chained rule must be followed by SecRule, got " + name);
  }
  if (l == "include" || l == "includeoptional") {
    want_args(a, 1, 1, name);
    include(a[1].text, l == "includeoptional", dir, depth);
  } else if (l == "secrule") {
    want_args(a, 2, 3, name);
    rule_link link;
    try {
      detail::parse_targets(a[1].text, link.targets, link.exclusions);
    } catch (const std::exception& e) {
      throw syntax_error(a[1].offset, e.what());
    }
    try {
      link.op = detail::parse_operator(a[2].text, dir);
    } catch (const std::exception& e) {
      throw syntax_error(a[2].offset, e.what());
    }
    if (a.size() > 3) link.actions = actions_at(3);
    add_rule(std::move(link), rule_kind::rule, file, line);
  } else if (l == "secaction") {
    want_args(a, 1, 1, name);
    rule_link link;
    link.op.id = operator_id::unconditional_match;
    link.actions = actions_at(1);
    add_rule(std::move(link), rule_kind::action, file, line);
  } else if (l == "secmarker") {
    want_args(a, 1, 1, name);
    rule m;
    m.kind = rule_kind::marker;
    m.marker = a[1].text;
    m.file = file;
    m.line = line;
    set.rules.push_back(std::move(m));
  } else if (l == "secdefaultaction") {
    want_args(a, 1, 1, name);
    rule_actions act = actions_at(1);
    if (act.phase == 0) throw syntax_error(a[1].offset, "SecDefaultAction needs a phase");
    if (act.disruptive == disruptive_action::none) {
      throw syntax_error(a[1].offset, "SecDefaultAction needs a disruptive action (e.g. pass)");
    }
    if (act.id != 0 || act.chain || !act.skip_after.empty()) {
      throw syntax_error(a[1].offset, "SecDefaultAction cannot hold id, chain or skipAfter");
    }
    const int ph = act.phase;
    defaults[ph] = std::move(act);
    has_default[ph] = true;
  } else if (l == "seccomponentsignature") {
    want_args(a, 1, 1, name);
    set.config.component_signatures.push_back(a[1].text);
  } else if (l == "secruleengine") {
    want_args(a, 1, 1, name);
    const std::string v = to_lower(a[1].text);
    if (v == "on") set.config.rule_engine = engine_mode::on;
    else if (v == "off") set.config.rule_engine = engine_mode::off;
    else if (v == "detectiononly") set.config.rule_engine = engine_mode::detection_only;
    else throw syntax_error(a[1].offset, "SecRuleEngine expects On, Off or DetectionOnly");
  } else if (l == "secrequestbodyaccess") {
    want_args(a, 1, 1, name);
    set.config.request_body_access = on_off(a[1], name);
  } else if (l == "secresponsebodyaccess") {
    want_args(a, 1, 1, name);
    set.config.response_body_access = on_off(a[1], name);
  } else if (l == "secrequestbodylimit") {
    want_args(a, 1, 1, name);
    set.config.request_body_limit = number(a[1], name);
  } else if (l == "secrequestbodynofileslimit") {
    want_args(a, 1, 1, name);
    set.config.request_body_no_files_limit = number(a[1], name);
  } else if (l == "secrequestbodyinmemorylimit") {
    want_args(a, 1, 1, name);
    set.config.request_body_in_memory_limit = number(a[1], name);
  } else if (l == "secresponsebodylimit") {
    want_args(a, 1, 1, name);
    set.config.response_body_limit = number(a[1], name);
  } else if (l == "secrequestbodylimitaction" || l == "secresponsebodylimitaction") {
    want_args(a, 1, 1, name);
    const std::string v = to_lower(a[1].text);
    if (v != "reject" && v != "processpartial") {
      throw syntax_error(a[1].offset, name + " expects Reject or ProcessPartial");
    }
    (l == "secrequestbodylimitaction" ? set.config.request_body_limit_reject
                                      : set.config.response_body_limit_reject) = v == "reject";
  } else if (l == "secresponsebodymimetype") {
    want_args(a, 1, 64, name);
    for (size_t i = 1; i < a.size(); ++i) set.config.response_body_mime_types.push_back(a[i].text);
  } else if (l == "secpcrematchlimit") {
    want_args(a, 1, 1, name);
    set.config.pcre_match_limit = number(a[1], name);
  } else if (l == "secargumentslimit") {
    want_args(a, 1, 1, name);
    set.config.arguments_limit = number(a[1], name);
  } else if (l == "seccollectiontimeout") {
    want_args(a, 1, 1, name);
    set.config.collection_timeout = number(a[1], name);
  } else if (l == "secargumentseparator") {
    want_args(a, 1, 1, name);
    if (a[1].text.size() != 1) throw syntax_error(a[1].offset, name + " expects one character");
    set.config.argument_separator = a[1].text[0];
  } else if (l == "seccookieformat") {
    want_args(a, 1, 1, name);
    if (a[1].text != "0" && a[1].text != "1") throw syntax_error(a[1].offset, name + " expects 0 or 1");
  } else if (l == "secruleremovebyid") {
    want_args(a, 1, 256, name);
    removals.push_back({remove_spec::by_id, id_list(a, 1, a.size()), {}});
  } else if (l == "secruleremovebytag" || l == "secruleremovebymsg") {
    want_args(a, 1, 1, name);
    removals.push_back({l == "secruleremovebytag" ? remove_spec::by_tag : remove_spec::by_msg, {},
                        a[1].text});
  } else if (l == "secruleupdatetargetbyid" || l == "secruleupdatetargetbytag" ||
             l == "secruleupdatetargetbymsg") {
    want_args(a, 2, 3, name);
    if (a.size() == 4) throw syntax_error(a[3].offset, name + ": replacing targets is not supported");
    update_target_spec u;
    u.kind = l == "secruleupdatetargetbyid"    ? update_target_spec::by_id
             : l == "secruleupdatetargetbytag" ? update_target_spec::by_tag
                                               : update_target_spec::by_msg;
    if (u.kind == update_target_spec::by_id) u.ids = id_list(a, 1, 2);
    else u.text = a[1].text;
    try {
      detail::parse_targets(a[2].text, u.targets, u.exclusions);
    } catch (const std::exception& e) {
      throw syntax_error(a[2].offset, e.what());
    }
    u.file = file;
    u.line = line;
    target_updates.push_back(std::move(u));
  } else if (l == "secruleupdateactionbyid") {
    want_args(a, 2, 2, name);
    const auto ids = id_list(a, 1, 2);
    rule_actions act = actions_at(2);
    if (act.id != 0 || act.phase != 0) {
      throw syntax_error(a[2].offset, "SecRuleUpdateActionById cannot change id or phase");
    }
    action_updates.push_back({ids[0].first, std::move(act), file, line});
  } else if (!ignored_directive(l)) {
    throw syntax_error(0, "unknown directive " + name);
  }
}

}  // namespace ravelin::waf
