// What the loader keeps between directives: the rule set so far, the open chain, the
// SecDefaultAction per phase and the removal/update directives applied at finish().
#pragma once

#include <array>
#include <string>
#include <vector>

#include "internal/config_text.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::waf {

struct rule_loader::state {
  rule_set set;
  std::vector<load_error> errors;
  bool open_chain = false;
  int rules_line_of_open_chain = 0;
  std::array<rule_actions, 6> defaults{};  // SecDefaultAction per phase (index 1..5)
  std::array<bool, 6> has_default{};

  struct remove_spec {
    enum kind_t { by_id, by_tag, by_msg } kind;
    std::vector<id_range> ids;
    std::string text;
  };
  struct update_target_spec {
    enum kind_t { by_id, by_tag, by_msg } kind;
    std::vector<id_range> ids;
    std::string text;
    std::vector<variable_ref> targets, exclusions;
    std::string file;
    int line;
  };
  struct update_action_spec {
    int64_t id;
    rule_actions actions;
    std::string file;
    int line;
  };
  std::vector<remove_spec> removals;
  std::vector<update_target_spec> target_updates;
  std::vector<update_action_spec> action_updates;

  void load_text(std::string_view text, const std::string& name, const std::string& dir, int depth);
  void include(const std::string& pattern, bool optional, const std::string& dir, int depth);
  void directive(const detail::directive_text& d, const std::string& file, const std::string& dir,
                 int depth);
  void add_rule(rule_link link, rule_kind kind, const std::string& file, int line);
  void close_rule(rule& r);
  void apply_exceptions();
  void check_markers_and_ids();
};

}  // namespace ravelin::waf
