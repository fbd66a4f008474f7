// Parsers for the three parts of a SecRule: targets, operator, actions. Each throws
// std::runtime_error with a message a rule author can act on; the loader adds FILE:LINE.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/waf/rule_types.h"

namespace ravelin::waf::detail {

std::optional<variable_id> variable_from_name(std::string_view upper_or_lower_name);
std::string_view variable_name(variable_id id);  // canonical upper-case name

// `ARGS|!ARGS:foo|&TX:x|REQUEST_HEADERS:/^x-/` into targets and exclusions.
void parse_targets(std::string_view text, std::vector<variable_ref>& targets,
                   std::vector<variable_ref>& exclusions);
// One `VAR[:key]` (used by ctl:ruleRemoveTargetById and SecRuleUpdateTargetById).
variable_ref parse_one_target(std::string_view text);

// `@rx ...`, `!@pm a b`, or a bare regex. Relative data files resolve against `base_dir`.
rule_operator parse_operator(std::string_view text, const std::string& base_dir);

// `id:1,phase:2,t:none,msg:'x',...`.
rule_actions parse_actions(std::string_view text);

// `a %{tx.b} c` into parts; throws on an unknown collection or an unclosed `%{`.
macro_text parse_macro(std::string_view text);

std::string to_lower(std::string_view s);

}  // namespace ravelin::waf::detail
