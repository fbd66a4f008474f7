// The waf plugin's schema: fields checked at their YAML positions, the SecLang it compiles
// (preamble, Include lines, exclusions) and rule-file errors reported with their FILE:LINE.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config_test_util.h"
#include "ravelin/waf/rule_types.h"

namespace ravelin::mgmt {
namespace {

using testing::all_errors;
using testing::has_error;
using testing::load;

std::string temp_rules(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(config_waf, fields_are_checked_where_they_are_written) {
  auto r = load(R"(_format_version: "3.0"
plugins:
  - name: waf
    config:
      mode: watch
      paranoia_level: 5
      anomaly_threshold: 0
      rules: []
      exclusions: {rule_ids: [abc], targets: [{rule_id: 942100}]}
      colour: blue
)");
  EXPECT_TRUE(has_error(r, 5, 13, "expected block or detect"));
  EXPECT_TRUE(
      has_error(r, 6, 23, "plugins[0].config.paranoia_level: expected an integer from 1 to 4"));
  EXPECT_TRUE(has_error(r, 7, 26, "anomaly_threshold"));
  EXPECT_TRUE(has_error(r, 8, 14, "at least one rule file is needed"));
  EXPECT_TRUE(has_error(r, 9, 31, "rule_ids: expected an integer"));
  EXPECT_TRUE(has_error(r, 9, 47, "expected {rule_id: N, target: VARIABLE}"));
  EXPECT_TRUE(has_error(r, 10, 15, "unknown field"));
  EXPECT_EQ(r.snapshot, nullptr);
}

TEST(config_waf, rule_file_errors_carry_their_own_file_and_line) {
  const std::string rules = temp_rules(
      "bad.conf", "SecRule ARGS \"@rx a\" \"id:1,phase:2,pass\"\nSecRule ARGS \"@rx b\"\n");
  auto r = load("_format_version: \"3.0\"\nplugins:\n  - name: waf\n    config:\n      rules: [" +
                rules + "]\n");
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(all_errors(r).find(rules + ":2:"), std::string::npos) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 5u) << "reported at the plugin's config";
}

TEST(config_waf, scopes_settings_and_exclusions_compile) {
  const std::string rules =
      temp_rules("ok.conf",
                 "SecRule ARGS \"@rx attack\" \"id:10,phase:2,deny,status:403,tag:'x'\"\n"
                 "SecRule ARGS \"@rx other\" \"id:11,phase:2,deny,status:403,tag:'y'\"\n"
                 "SecRule ARGS \"@rx third\" \"id:12,phase:2,deny,status:403\"\n");
  auto r = load(R"(_format_version: "3.0"
services:
  - name: s
    url: http://198.18.2.10:80
    routes: [{name: r, paths: [/]}]
plugins:
  - name: waf
    route: r
    config:
      mode: detect
      paranoia_level: 3
      anomaly_threshold: 9
      rules: [)" +
                rules + R"(]
      exclusions: {rule_ids: [10], tags: [y], targets: [{rule_id: 12, target: "ARGS:q"}]}
      audit_log: /tmp/a.log
)");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  ASSERT_EQ(r.snapshot->waf.size(), 1u);
  const waf_plugin_config& w = r.snapshot->waf[0];
  EXPECT_FALSE(w.block);
  EXPECT_EQ(w.audit_log, "/tmp/a.log");
  EXPECT_EQ(*r.snapshot->kong.plugins[w.plugin_index].route.index, 0u);
  ASSERT_NE(w.compiled, nullptr);
  EXPECT_EQ(w.compiled->config.rule_engine, waf::engine_mode::detection_only);
  EXPECT_TRUE(w.compiled->config.request_body_access);
  bool has10 = false, has11 = false, has12 = false;
  for (const auto& rule : w.compiled->rules) {
    const int64_t id = rule.head().id;
    has10 |= id == 10;
    has11 |= id == 11;
    has12 |= id == 12;
  }
  EXPECT_FALSE(has10) << "removed by id";
  EXPECT_FALSE(has11) << "removed by tag";
  EXPECT_TRUE(has12) << "only a target is excluded";
  const std::string pre = waf_preamble(w);
  EXPECT_NE(pre.find("setvar:tx.paranoia_level=3"), std::string::npos);
  EXPECT_NE(pre.find("setvar:tx.inbound_anomaly_score_threshold=9"), std::string::npos);
  EXPECT_NE(waf_postscript(w).find("SecRuleUpdateTargetById 12 \"!ARGS:q\""), std::string::npos);
}

TEST(config_waf, a_disabled_plugin_is_not_compiled) {
  auto r = load(R"(_format_version: "3.0"
plugins:
  - {name: waf, enabled: false, config: {rules: [/nonexistent/*.conf]}}
)");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_TRUE(r.snapshot->waf.empty());
}

}  // namespace
}  // namespace ravelin::mgmt
