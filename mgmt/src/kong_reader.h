// Readers for the Kong part of a declarative file. They fill a kong_builder: the entities,
// the foreign keys still to resolve and the unique keys seen so far.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ravelin/mgmt/config.h"
#include "ravelin/mgmt/waf_plugin.h"
#include "yaml_reader.h"

namespace ravelin::mgmt {

enum class ref_kind : uint8_t { service, route, upstream, consumer, certificate, ca_certificate };

// A foreign key waiting for its target: `locate` finds the entity_ref once every entity is in.
struct pending_ref {
  ref_kind target;
  std::string path;
  std::function<entity_ref&(kong_config&)> locate;
};

struct kong_builder {
  explicit kong_builder(yaml_reader& r) : reader(r) {}

  yaml_reader& reader;
  kong_config kong;
  std::vector<pending_ref> refs;
  std::vector<std::string> plugin_paths;  // parallel to kong.plugins, for scope messages
  std::map<std::pair<std::string, std::string>, source_mark> unique_seen;

  // Queues a reference for resolution unless it is empty or already resolved (nesting).
  void want(ref_kind target, std::string path, std::function<entity_ref&(kong_config&)> locate);
  // Reports the second use of `value` in the `what` namespace ("service name", "keyauth key").
  void unique(const std::string& what, const std::string& value, source_mark at,
              const std::string& path);
};

// Parent references handed to nested entities; null where there is no parent.
struct plugin_parent {
  const entity_ref* service = nullptr;
  const entity_ref* route = nullptr;
  const entity_ref* consumer = nullptr;
};

enum class credential_kind : uint8_t { keyauth, basicauth, jwt, acl, hmacauth };

// A reference as written: "name", "uuid", or a map {id: ...} / {name: ...} / {username: ...}.
bool read_entity_ref(yaml_reader& r, const YAML::Node& n, const std::string& path, entity_ref& out);
entity_ref parent_ref(const std::string& id, const std::string& name, size_t index,
                      source_mark mark);
// Reads a `list` of entities with `one(node, path)`; a null list means none.
void for_each_item(yaml_reader& r, const YAML::Node& list, const std::string& path,
                   const std::function<void(const YAML::Node&, const std::string&)>& one);

void read_service(kong_builder& b, const YAML::Node& n, const std::string& path);
void read_route(kong_builder& b, const YAML::Node& n, const std::string& path,
                const entity_ref* service);
void read_upstream(kong_builder& b, const YAML::Node& n, const std::string& path);
void read_target(kong_builder& b, const YAML::Node& n, const std::string& path,
                 const entity_ref* upstream);
void read_consumer(kong_builder& b, const YAML::Node& n, const std::string& path);
void read_credential(kong_builder& b, credential_kind kind, const YAML::Node& n,
                     const std::string& path, const entity_ref* consumer);
void read_plugin(kong_builder& b, const YAML::Node& n, const std::string& path,
                 plugin_parent parent);
void read_certificate(kong_builder& b, const YAML::Node& n, const std::string& path);
void read_sni(kong_builder& b, const YAML::Node& n, const std::string& path,
              const entity_ref* certificate);
void read_ca_certificate(kong_builder& b, const YAML::Node& n, const std::string& path);
// Kong's `headers` shape: a map of header name to a list of values.
void read_header_map(yaml_reader& r, const YAML::Node& n, const std::string& path,
                     std::vector<route_header>& out);
config_node read_config_tree(yaml_reader& r, const YAML::Node& n, const std::string& path);

// Whole-document readers.
void read_kong(kong_builder& b, const YAML::Node& root);
void resolve_references(kong_builder& b);
void read_appliance(yaml_reader& r, const YAML::Node& n, appliance_config& out);
void read_services(yaml_reader& r, const YAML::Node& n, services_config& out);
void read_proxy(yaml_reader& r, const YAML::Node& n, const services_config& services,
                proxy_config& out);

// Validates every enabled `waf` plugin's config and compiles its rules (plugin_waf.cpp).
void read_waf_plugins(yaml_reader& r, const kong_builder& b, const std::string& config_file,
                      std::vector<waf_plugin_config>& out);

}  // namespace ravelin::mgmt
