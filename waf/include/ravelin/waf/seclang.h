// Loading SecLang configuration (ModSecurity's rule language) into a rule_set. Files are read
// in order, `Include` globs expand in sorted order, and every problem is reported as
// `FILE:LINE: message`. Loading may allocate and throw internally; the API returns errors.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/waf/rule_types.h"

namespace ravelin::waf {

struct load_error {
  std::string file;
  int line = 0;
  std::string message;
  std::string to_string() const;  // "FILE:LINE: message"
};

class rule_loader {
 public:
  rule_loader();
  ~rule_loader();
  rule_loader(const rule_loader&) = delete;
  rule_loader& operator=(const rule_loader&) = delete;

  // Each call appends to the same rule set, as consecutive Include lines would.
  void load_file(const std::string& path);
  // `name` is used in error messages and `base_dir` resolves relative Include/@pmFromFile.
  void load_text(std::string_view text, const std::string& name, const std::string& base_dir = ".");

  const std::vector<load_error>& errors() const;
  // Applies SecRuleRemove*/SecRuleUpdate* and SecDefaultAction inheritance, checks skipAfter
  // markers and id uniqueness, and hands the rule set over. Null when there were errors.
  std::shared_ptr<const rule_set> finish();

 private:
  struct state;
  std::unique_ptr<state> s_;
};

// Convenience: one file (and what it includes).
struct load_result {
  std::shared_ptr<const rule_set> rules;
  std::vector<load_error> errors;
};
load_result load_rules_file(const std::string& path);
load_result load_rules_text(std::string_view text, const std::string& name = "<text>",
                            const std::string& base_dir = ".");

}  // namespace ravelin::waf
