// The `waf` plugin's schema (issue P5) and its compilation into a SecLang rule set at load
// time: the plugin's fields become a short preamble of ModSecurity settings and CRS
// variables, its `rules` list becomes Include lines (globs in sorted order, as ModSecurity
// expands them), its exclusions a postscript of SecRuleRemove*/SecRuleUpdateTargetById.
#include <filesystem>

#include "kong_reader.h"
#include "ravelin/mgmt/waf_plugin.h"
#include "ravelin/waf/seclang.h"
#include "yaml_reader.h"

namespace ravelin::mgmt {
namespace {

using kind = config_node::kind;

struct tree_reader {
  yaml_reader& r;
  std::string path;

  bool integer(const config_node& n, const std::string& at, int64_t lo, int64_t hi, int64_t& out) {
    if (n.type != kind::integer || n.integer < lo || n.integer > hi) {
      r.error(n.mark, at + ": expected an integer from " + std::to_string(lo) + " to " +
                          std::to_string(hi));
      return false;
    }
    out = n.integer;
    return true;
  }
  bool text(const config_node& n, const std::string& at, std::string& out) {
    // Paths that look like numbers or booleans are still paths.
    if (n.type == kind::list || n.type == kind::map || n.type == kind::null || n.string.empty()) {
      r.error(n.mark, at + ": expected a non-empty string");
      return false;
    }
    out = n.string;
    return true;
  }
  bool list(const config_node& n, const std::string& at) {
    if (n.type == kind::list) return true;
    r.error(n.mark, at + ": expected a list");
    return false;
  }
};

void read_exclusions(tree_reader& t, const config_node& n, const std::string& at,
                     waf_plugin_config& c) {
  if (n.type != kind::map) {
    t.r.error(n.mark, at + ": expected a map with rule_ids, tags and targets");
    return;
  }
  for (const auto& m : n.members) {
    const std::string p = at + "." + m.key;
    if (m.key == "rule_ids" && t.list(m.value, p)) {
      for (const auto& i : m.value.items) {
        int64_t id = 0;
        if (t.integer(i, p, 1, 9999999, id)) c.exclude_ids.push_back(id);
      }
    } else if (m.key == "tags" && t.list(m.value, p)) {
      for (const auto& i : m.value.items) {
        std::string tag;
        if (t.text(i, p, tag)) c.exclude_tags.push_back(tag);
      }
    } else if (m.key == "targets" && t.list(m.value, p)) {
      for (const auto& i : m.value.items) {
        const config_node* id = i.type == kind::map ? i.find("rule_id") : nullptr;
        const config_node* target = i.type == kind::map ? i.find("target") : nullptr;
        if (id == nullptr || target == nullptr) {
          t.r.error(i.mark, p + ": expected {rule_id: N, target: VARIABLE}");
          continue;
        }
        waf_target_exclusion x;
        if (t.integer(*id, p + ".rule_id", 1, 9999999, x.rule_id) &&
            t.text(*target, p + ".target", x.target)) {
          c.exclude_targets.push_back(std::move(x));
        }
      }
    } else if (m.key != "rule_ids" && m.key != "tags" && m.key != "targets") {
      t.r.error(m.value.mark, p + ": unknown field (rule_ids, tags, targets)");
    }
  }
}

void read_fields(tree_reader& t, const config_node& cfg, waf_plugin_config& c) {
  for (const auto& m : cfg.members) {
    const std::string p = t.path + "." + m.key;
    const config_node& v = m.value;
    int64_t n = 0;
    if (m.key == "mode") {
      if (v.string != "block" && v.string != "detect") {
        t.r.error(v.mark, p + ": expected block or detect");
      }
      c.block = v.string != "detect";
    } else if (m.key == "paranoia_level") {
      if (t.integer(v, p, 1, 4, n)) c.paranoia_level = static_cast<int>(n);
    } else if (m.key == "anomaly_threshold") {
      if (t.integer(v, p, 1, 10000, n)) c.anomaly_threshold = static_cast<int>(n);
    } else if (m.key == "rules") {
      if (!t.list(v, p)) continue;
      c.rules.clear();
      for (const auto& i : v.items) {
        std::string f;
        if (t.text(i, p, f)) c.rules.push_back(f);
      }
      if (c.rules.empty()) t.r.error(v.mark, p + ": at least one rule file is needed");
    } else if (m.key == "exclusions") {
      read_exclusions(t, v, p, c);
    } else if (m.key == "audit_log") {
      t.text(v, p, c.audit_log);
    } else if (m.key == "audit_json_log") {
      t.text(v, p, c.audit_json_log);
    } else {
      t.r.error(v.mark, p + ": unknown field (mode, paranoia_level, anomaly_threshold, rules, "
                            "exclusions, audit_log, audit_json_log)");
    }
  }
}

// SecLang quoting for an Include path or a variable: the value goes between double quotes.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  return out + "\"";
}

void compile(yaml_reader& r, const config_node& at, const std::string& path,
             const std::string& config_dir, waf_plugin_config& c) {
  std::string text = waf_preamble(c);
  for (const auto& f : c.rules) {
    const std::filesystem::path p(f);
    text += "Include " + quoted(p.is_absolute() ? f : (config_dir + "/" + f)) + "\n";
  }
  text += waf_postscript(c);
  waf::rule_loader loader;
  loader.load_text(text, "<waf plugin " + path + ">", config_dir);
  c.compiled = loader.finish();
  for (const auto& e : loader.errors()) r.error(at.mark, path + ": " + e.to_string());
  if (c.compiled == nullptr && loader.errors().empty()) {
    r.error(at.mark, path + ": the rules could not be compiled");
  }
}

}  // namespace

std::string waf_preamble(const waf_plugin_config& c) {
  // ModSecurity's recommended configuration (modsecurity.conf-recommended, v3) where it
  // changes verdicts, then the CRS variables, with ids from the range kept for local rules.
  std::string s = c.block ? "SecRuleEngine On\n" : "SecRuleEngine DetectionOnly\n";
  s += "SecRequestBodyAccess On\n"
       "SecRule REQUEST_HEADERS:Content-Type \"^(?:application(?:/soap\\+|/)|text/)xml\" "
       "\"id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML\"\n"
       "SecRule REQUEST_HEADERS:Content-Type \"^application/json\" "
       "\"id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n"
       "SecRequestBodyLimit 13107200\n"
       "SecRequestBodyNoFilesLimit 131072\n"
       "SecRequestBodyLimitAction Reject\n"
       "SecRule REQBODY_ERROR \"!@eq 0\" \"id:200002,phase:2,t:none,log,deny,status:400,"
       "msg:'Failed to parse request body.',logdata:'%{reqbody_error_msg}',severity:2\"\n"
       "SecPcreMatchLimit 1000\n"
       "SecPcreMatchLimitRecursion 1000\n";
  s += "SecAction \"id:99001,phase:1,pass,nolog,t:none,setvar:tx.paranoia_level=" +
       std::to_string(c.paranoia_level) + "\"\n";
  s += "SecAction \"id:99002,phase:1,pass,nolog,t:none,setvar:tx.inbound_anomaly_score_threshold=" +
       std::to_string(c.anomaly_threshold) + "\"\n";
  return s;
}

std::string waf_postscript(const waf_plugin_config& c) {
  std::string s;
  for (const int64_t id : c.exclude_ids) s += "SecRuleRemoveById " + std::to_string(id) + "\n";
  for (const auto& t : c.exclude_tags) s += "SecRuleRemoveByTag " + quoted(t) + "\n";
  for (const auto& x : c.exclude_targets) {
    s += "SecRuleUpdateTargetById " + std::to_string(x.rule_id) + " " + quoted("!" + x.target) +
         "\n";
  }
  return s;
}

void read_waf_plugins(yaml_reader& r, const kong_builder& b, const std::string& config_file,
                      std::vector<waf_plugin_config>& out) {
  const std::string dir = std::filesystem::path(config_file).parent_path().string();
  for (size_t i = 0; i < b.kong.plugins.size(); ++i) {
    const plugin& p = b.kong.plugins[i];
    if (p.name != "waf" || !p.enabled) continue;
    waf_plugin_config c;
    c.plugin_index = i;
    tree_reader t{r, b.plugin_paths[i] + ".config"};
    const size_t errors_before = r.error_count();
    read_fields(t, p.config, c);
    if (r.error_count() == errors_before) compile(r, p.config, t.path, dir.empty() ? "." : dir, c);
    out.push_back(std::move(c));
  }
}

}  // namespace ravelin::mgmt
