// The `waf` plugin's settings (issue P5): which SecLang files to load and how the plugin acts
// on their verdicts. Read from the plugin's `config` tree and compiled into a rule set when
// the snapshot is loaded, so a bad rule file is refused with its FILE:LINE like any other
// config error and the dataplane only builds the Hyperscan databases.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ravelin::waf {
struct rule_set;
}

namespace ravelin::mgmt {

struct waf_target_exclusion {
  int64_t rule_id = 0;
  std::string target;  // a SecLang variable, e.g. ARGS:password
};

struct waf_plugin_config {
  size_t plugin_index = 0;  // into kong_config::plugins
  // block: an interrupting rule or an inbound anomaly score at or above the threshold
  // answers 403. detect: the plugin blocks nothing itself; rules still act as the engine
  // mode they set says (SecRuleEngine, ctl:ruleEngine).
  bool block = true;
  int paranoia_level = 1;     // 1..4, CRS tx.paranoia_level (and executing level)
  int anomaly_threshold = 5;  // CRS tx.inbound_anomaly_score_threshold
  std::vector<std::string> rules{"/etc/modsecurity/crs/crs-setup.conf",
                                 "/usr/share/modsecurity-crs/rules/*.conf"};
  std::vector<int64_t> exclude_ids;
  std::vector<std::string> exclude_tags;
  std::vector<waf_target_exclusion> exclude_targets;
  std::string audit_log;       // ModSecurity error-log lines, one per matched rule; empty: off
  std::string audit_json_log;  // the same matches as JSON lines; empty: off
  std::shared_ptr<const waf::rule_set> compiled;  // set once the rules loaded cleanly
};

// The SecLang text the plugin puts before the `rules` files: ModSecurity's recommended
// settings, the engine mode and the CRS variables the plugin's fields set.
std::string waf_preamble(const waf_plugin_config& c);
// ... and after them: the exclusions.
std::string waf_postscript(const waf_plugin_config& c);

}  // namespace ravelin::mgmt
