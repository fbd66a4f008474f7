// The loader's boundary: file in, immutable snapshot or the full list of problems out.
// Everything below may throw (yaml-cpp does); nothing escapes from here.
#include "ravelin/mgmt/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kong_reader.h"
#include "yaml_reader.h"

namespace ravelin::mgmt {
namespace {

// Same bound as Kong's cluster_max_payload: a config bigger than this is a mistake.
constexpr size_t k_max_config_bytes = 16u << 20;

load_result failure(const std::string& file, source_mark at, std::string message) {
  load_result out;
  out.errors.push_back({file, at.line, at.column, std::move(message)});
  return out;
}

source_mark mark_of_exception(const YAML::Exception& e) {
  if (e.mark.is_null()) return {};
  return {static_cast<unsigned>(e.mark.line) + 1, static_cast<unsigned>(e.mark.column) + 1};
}

load_result load(std::string_view text, const std::string& file) {
  if (text.size() > k_max_config_bytes) {
    return failure(file, {},
                   "file is larger than " + std::to_string(k_max_config_bytes) + " bytes");
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return failure(file, mark_of_exception(e), "YAML syntax error: " + e.msg);
  }
  yaml_reader reader(file);
  kong_builder builder(reader);
  auto snapshot = std::make_shared<config>();
  snapshot->source = file;
  read_kong(builder, root);
  if (is_map(root) && root["ravelin"].IsDefined()) {
    read_appliance(reader, root["ravelin"], snapshot->appliance);
  }
  resolve_references(builder);
  if (!reader.failed()) read_waf_plugins(reader, builder, file, snapshot->waf);
  load_result out;
  out.errors = reader.take_errors();
  if (out.errors.empty()) {
    snapshot->kong = std::move(builder.kong);
    out.snapshot = std::move(snapshot);
  }
  return out;
}

}  // namespace

std::string diagnostic::to_string() const {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

load_result load_config_text(std::string_view text, const std::string& file_name) {
  try {
    return load(text, file_name);
  } catch (const std::exception& e) {
    return failure(file_name, {}, std::string("internal error while loading: ") + e.what());
  } catch (...) {
    return failure(file_name, {}, "internal error while loading");
  }
}

load_result load_config_file(const std::string& path) {
  try {
    if (std::filesystem::is_directory(path)) return failure(path, {}, "is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) return failure(path, {}, "cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return failure(path, {}, "cannot read the file");
    return load_config_text(text.str(), path);
  } catch (const std::exception& e) {
    return failure(path, {}, std::string("cannot read the file: ") + e.what());
  }
}

}  // namespace ravelin::mgmt
