// The SecLang loader: reads files (following Include globs), dispatches directives, assembles
// chains, and at finish() applies SecDefaultAction inheritance and the SecRuleRemove*/Update*
// directives, which in ModSecurity v3 hold regardless of where they appear.
#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "internal/config_text.h"
#include "internal/loader_state.h"
#include "internal/parse.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::waf {

using detail::arg_token;
using detail::to_lower;

std::string load_error::to_string() const {
  return file + ":" + std::to_string(line) + ": " + message;
}

namespace {
constexpr int k_max_include_depth = 16;

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> expand_glob(const std::string& pattern) {
  glob_t g{};
  std::vector<std::string> out;
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {  // glob(3) sorts its results
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  return out;
}
}  // namespace

rule_loader::rule_loader() : s_(std::make_unique<state>()) {}
rule_loader::~rule_loader() = default;

const std::vector<load_error>& rule_loader::errors() const { return s_->errors; }

void rule_loader::load_file(const std::string& path) {
  try {
    const std::string text = read_whole(path);
    s_->set.files.push_back(path);
    const std::string dir = std::filesystem::path(path).parent_path().string();
    s_->load_text(text, path, dir.empty() ? "." : dir, 0);
  } catch (const std::exception& e) {
    s_->errors.push_back({path, 0, e.what()});
  }
}

void rule_loader::load_text(std::string_view text, const std::string& name,
                            const std::string& base_dir) {
  s_->load_text(text, name, base_dir, 0);
}

void rule_loader::state::load_text(std::string_view text, const std::string& name,
                                   const std::string& dir, int depth) {
  for (const auto& d : detail::split_directives(text)) {
    try {
      directive(d, name, dir, depth);
    } catch (const detail::syntax_error& e) {
      errors.push_back({name, d.line_at(e.offset), e.what()});
    } catch (const std::exception& e) {
      errors.push_back({name, d.line_at(0), e.what()});
    }
  }
  if (open_chain && depth == 0) {
    errors.push_back({name, rules_line_of_open_chain, "chain not closed: the last rule has 'chain'"});
    open_chain = false;
  }
}

void rule_loader::state::include(const std::string& pattern, bool optional,
                                 const std::string& dir, int depth) {
  if (depth >= k_max_include_depth) throw std::runtime_error("Include nested too deeply (loop?)");
  std::filesystem::path p(pattern);
  if (!p.is_absolute()) p = std::filesystem::path(dir) / p;
  const bool wild = pattern.find_first_of("*?[") != std::string::npos;
  std::vector<std::string> files = wild ? expand_glob(p.string()) : std::vector{p.string()};
  if (files.empty() && !optional) throw std::runtime_error("Include matched no file: " + pattern);
  for (const auto& f : files) {
    std::string text;
    try {
      text = read_whole(f);
    } catch (const std::exception&) {
      if (optional) continue;
      throw;
    }
    set.files.push_back(f);
    const std::string sub = std::filesystem::path(f).parent_path().string();
    load_text(text, f, sub.empty() ? "." : sub, depth + 1);
  }
}

std::shared_ptr<const rule_set> rule_loader::finish() {
  if (s_->open_chain) {
    s_->errors.push_back({"", s_->rules_line_of_open_chain, "chain not closed"});
  }
  s_->apply_exceptions();
  s_->check_markers_and_ids();
  if (!s_->errors.empty()) return nullptr;
  return std::make_shared<const rule_set>(std::move(s_->set));
}

load_result load_rules_file(const std::string& path) {
  rule_loader l;
  l.load_file(path);
  load_result r;
  r.rules = l.finish();
  r.errors = l.errors();
  return r;
}

load_result load_rules_text(std::string_view text, const std::string& name,
                            const std::string& base_dir) {
  rule_loader l;
  l.load_text(text, name, base_dir);
  load_result r;
  r.rules = l.finish();
  r.errors = l.errors();
  return r;
}

}  // namespace ravelin::waf
