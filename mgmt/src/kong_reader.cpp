// The top level of a Kong declarative file (kong.md §1.1) and the builder's bookkeeping.
#include "kong_reader.h"

#include <array>
#include <cctype>

#include "fields.h"

namespace ravelin::mgmt {
namespace {

constexpr std::array<std::string_view, 3> k_format_versions{"1.1", "2.1", "3.0"};

// Kong keys this appliance does not implement; named so the message can say so.
constexpr std::array<std::string_view, 5> k_unsupported{"vaults", "keys", "key_sets",
                                                        "oauth2_credentials", "_workspace"};

using list_reader = void (*)(kong_builder&, const YAML::Node&, const std::string&);

struct top_level_key {
  std::string_view key;
  list_reader read;  // null: handled elsewhere or free text
};

const std::array<top_level_key, 19> k_top_level{{
    {"_format_version", nullptr},
    {"_transform", nullptr},
    {"_comment", nullptr},
    {"_info", nullptr},
    {"ravelin", nullptr},
    {"services", read_service},
    {"routes", [](kong_builder& b, const YAML::Node& n,
                  const std::string& p) { read_route(b, n, p, nullptr); }},
    {"upstreams", read_upstream},
    {"targets", [](kong_builder& b, const YAML::Node& n,
                   const std::string& p) { read_target(b, n, p, nullptr); }},
    {"consumers", read_consumer},
    {"plugins",
     [](kong_builder& b, const YAML::Node& n, const std::string& p) { read_plugin(b, n, p, {}); }},
    {"certificates", read_certificate},
    {"snis", [](kong_builder& b, const YAML::Node& n,
                const std::string& p) { read_sni(b, n, p, nullptr); }},
    {"ca_certificates", read_ca_certificate},
    {"keyauth_credentials",
     [](kong_builder& b, const YAML::Node& n, const std::string& p) {
       read_credential(b, credential_kind::keyauth, n, p, nullptr);
     }},
    {"basicauth_credentials",
     [](kong_builder& b, const YAML::Node& n, const std::string& p) {
       read_credential(b, credential_kind::basicauth, n, p, nullptr);
     }},
    {"jwt_secrets",
     [](kong_builder& b, const YAML::Node& n, const std::string& p) {
       read_credential(b, credential_kind::jwt, n, p, nullptr);
     }},
    {"acls", [](kong_builder& b, const YAML::Node& n,
                const std::string& p) { read_credential(b, credential_kind::acl, n, p, nullptr); }},
    {"hmacauth_credentials",
     [](kong_builder& b, const YAML::Node& n, const std::string& p) {
       read_credential(b, credential_kind::hmacauth, n, p, nullptr);
     }},
}};

void read_format_version(kong_builder& b, const YAML::Node& root) {
  yaml_reader& r = b.reader;
  const YAML::Node v = root["_format_version"];
  if (!v.IsDefined()) {
    r.error(root, "missing _format_version; add _format_version: \"3.0\" at the top");
    return;
  }
  if (!is_scalar(v) || classify_scalar(v) != scalar_kind::string) {
    r.error(v, "_format_version: must be a string such as \"3.0\" (quoted), got " + describe(v));
    return;
  }
  size_t i = 0;
  if (r.read_choice(v, "_format_version", "format version", k_format_versions, i)) {
    b.kong.format_version = v.Scalar();
  }
}

}  // namespace

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

void kong_builder::want(ref_kind target, std::string path,
                        std::function<entity_ref&(kong_config&)> locate) {
  const entity_ref& ref = locate(kong);
  if (ref.key.empty() || ref.index) return;
  refs.push_back({target, std::move(path), std::move(locate)});
}

void kong_builder::unique(const std::string& what, const std::string& value, source_mark at,
                          const std::string& path) {
  auto [it, inserted] = unique_seen.emplace(std::make_pair(what, value), at);
  if (inserted) return;
  reader.error(at, path + ": duplicate " + what + " \"" + value + "\" (first defined at line " +
                       std::to_string(it->second.line) + ")");
}

bool read_entity_ref(yaml_reader& r, const YAML::Node& n, const std::string& path,
                     entity_ref& out) {
  out.mark = mark_of(n);
  if (is_null(n)) return false;
  if (is_map(n) && n.size() == 1) {
    const YAML::Node key = n.begin()->first;
    const std::string k = is_scalar(key) ? key.Scalar() : "";
    if (k == "id" || k == "name" || k == "username") {
      return r.read_string(n.begin()->second, key_path(path, k), out.key);
    }
  }
  if (is_scalar(n) && classify_scalar(n) == scalar_kind::string) {
    out.key = n.Scalar();
    return true;
  }
  r.error(n, path + ": expected a name or id (or {id: ...} / {name: ...}), got " + describe(n));
  return false;
}

entity_ref parent_ref(const std::string& id, const std::string& name, size_t index,
                      source_mark mark) {
  return entity_ref{id.empty() ? name : id, index, mark};
}

void for_each_item(yaml_reader& r, const YAML::Node& list, const std::string& path,
                   const std::function<void(const YAML::Node&, const std::string&)>& one) {
  if (!list.IsDefined() || !r.expect_list(list, path)) return;
  for (size_t i = 0; i < list.size(); ++i) one(list[i], index_path(path, i));
}

void read_kong(kong_builder& b, const YAML::Node& root) {
  yaml_reader& r = b.reader;
  if (is_null(root)) {
    r.error(source_mark{1, 1}, "the file is empty; a config starts with _format_version: \"3.0\"");
    return;
  }
  if (!r.expect_map(root, "", "the top level of a declarative config")) return;
  read_format_version(b, root);
  std::vector<std::string_view> names;
  for (const auto& k : k_top_level) names.push_back(k.key);
  present_keys seen;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const YAML::Node key_node = it->first;
    if (!is_scalar(key_node)) {
      r.error(key_node, "top-level keys must be strings, got " + describe(key_node));
      continue;
    }
    const std::string& key = key_node.Scalar();
    if (seen.has(key)) {
      r.error(key_node, "duplicate key \"" + key + "\"");
      continue;
    }
    seen.keys.push_back(key);
    if (std::find(k_unsupported.begin(), k_unsupported.end(), key) != k_unsupported.end()) {
      r.error(key_node, "\"" + key + "\" is not supported by ravelin");
      continue;
    }
    const auto* entry = std::find_if(k_top_level.begin(), k_top_level.end(),
                                     [&](const top_level_key& k) { return k.key == key; });
    if (entry == k_top_level.end()) {
      std::string message = "unknown top-level key \"" + key + "\"";
      if (auto close = closest_word(key, names); !close.empty()) {
        message += " (did you mean \"" + std::string(close) + "\"?)";
      }
      r.error(key_node, message);
      continue;
    }
    if (key == "_transform") r.read_bool(it->second, key, b.kong.transform);
    if (key == "_comment" && !is_null(it->second)) {
      std::string ignored;
      r.read_string(it->second, key, ignored);
    }
    if (entry->read) {
      const list_reader read = entry->read;
      for_each_item(r, it->second, key,
                    [&](const YAML::Node& item, const std::string& p) { read(b, item, p); });
    }
  }
}

}  // namespace ravelin::mgmt
