// Reading typed values out of a yaml-cpp tree while collecting every problem with its file
// position. Nothing here throws on bad input: a bad value is reported and the default kept.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/mgmt/config.h"

namespace ravelin::mgmt {

source_mark mark_of(const YAML::Node& node);

// yaml-cpp throws when a missing key's node (a "zombie") is asked its type; these do not.
inline bool is_null(const YAML::Node& n) { return !n.IsDefined() || n.IsNull(); }
inline bool is_scalar(const YAML::Node& n) { return n.IsDefined() && n.IsScalar(); }
inline bool is_map(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }
inline bool is_list(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }

// The node at `keys` under `n`, or the deepest one that exists, so that a message about a
// value that was never written still points close to where it belongs.
YAML::Node child(const YAML::Node& n, std::initializer_list<const char*> keys);

// "did you mean" for a misspelt word, or empty when nothing is close enough.
std::string_view closest_word(std::string_view typed, std::span<const std::string_view> words);

class yaml_reader {
 public:
  explicit yaml_reader(std::string file) : file_(std::move(file)) {}

  void error(source_mark at, std::string message);
  void error(const YAML::Node& at, std::string message) { error(mark_of(at), std::move(message)); }
  std::vector<diagnostic> take_errors();  // sorted in file order
  bool failed() const { return !errors_.empty(); }
  size_t error_count() const { return errors_.size(); }

  // Each returns false (after reporting) when the node is not of the wanted type or range.
  bool read_string(const YAML::Node& n, const std::string& path, std::string& out);
  bool read_int(const YAML::Node& n, const std::string& path, int64_t lo, int64_t hi, int64_t& out);
  bool read_number(const YAML::Node& n, const std::string& path, double lo, double hi, double& out);
  bool read_bool(const YAML::Node& n, const std::string& path, bool& out);
  bool read_string_list(const YAML::Node& n, const std::string& path,
                        std::vector<std::string>& out);
  bool expect_map(const YAML::Node& n, const std::string& path, std::string_view what);
  bool expect_list(const YAML::Node& n, const std::string& path);

  // Picks `value` out of `names` (the spellings), with a suggestion when it is misspelt.
  bool read_choice(const YAML::Node& n, const std::string& path, std::string_view what,
                   std::span<const std::string_view> names, size_t& out);

 private:
  std::string file_;
  std::vector<diagnostic> errors_;
};

// What a plain (unquoted) YAML scalar resolves to under the YAML 1.2 core schema; quoted
// scalars are always strings. Used both for type checks and for plugin config trees.
enum class scalar_kind : uint8_t { null, boolean, integer, number, string };
scalar_kind classify_scalar(const YAML::Node& n);
bool parse_yaml_int(std::string_view s, int64_t& out);  // decimal, 0x, 0o; false on overflow
double parse_yaml_number(std::string_view s);           // NaN when not a number
std::string describe(const YAML::Node& n);              // "a list", "integer 5", ...

std::string index_path(const std::string& path, size_t i);            // path + "[i]"
std::string key_path(const std::string& path, std::string_view key);  // path + ".key"

}  // namespace ravelin::mgmt
