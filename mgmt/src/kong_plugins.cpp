// Plugins (kong.md §1.6): scope references and the `config` tree, kept generic because each
// plugin validates its own schema when the snapshot is compiled.
#include <cmath>

#include "fields.h"
#include "kong_names.h"
#include "kong_reader.h"

namespace ravelin::mgmt {
namespace {

// YAML aliases share nodes, so a small file can describe an exponentially large tree; the
// budget stops the copy long before memory runs out.
constexpr size_t k_max_config_nodes = 100000;
constexpr int k_max_config_depth = 64;

struct tree_budget {
  size_t nodes = 0;
  bool exhausted = false;
};

config_node convert(yaml_reader& r, const YAML::Node& n, const std::string& path, int depth,
                    tree_budget& budget) {
  config_node out;
  out.mark = mark_of(n);
  if (budget.exhausted) return out;
  if (++budget.nodes > k_max_config_nodes || depth > k_max_config_depth) {
    budget.exhausted = true;
    r.error(n, path + ": plugin config is too large or too deeply nested");
    return out;
  }
  if (is_list(n)) {
    out.type = config_node::kind::list;
    for (size_t i = 0; i < n.size(); ++i)
      out.items.push_back(convert(r, n[i], path, depth + 1, budget));
  } else if (is_map(n)) {
    out.type = config_node::kind::map;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!is_scalar(it->first)) {
        r.error(it->first, path + ": keys must be strings, got " + describe(it->first));
        continue;
      }
      out.members.push_back({it->first.Scalar(), convert(r, it->second, path, depth + 1, budget)});
    }
  } else if (is_scalar(n)) {
    out.string = n.Scalar();
    switch (classify_scalar(n)) {
      case scalar_kind::null:
        break;
      case scalar_kind::boolean:
        out.type = config_node::kind::boolean;
        out.boolean = out.string[0] == 't' || out.string[0] == 'T';
        break;
      case scalar_kind::integer:
        out.type = config_node::kind::integer;
        if (!parse_yaml_int(out.string, out.integer)) {
          out.type = config_node::kind::number;  // too big for int64
          out.number = parse_yaml_number(out.string);
        } else {
          out.number = static_cast<double>(out.integer);
        }
        break;
      case scalar_kind::number:
        out.type = config_node::kind::number;
        out.number = parse_yaml_number(out.string);
        break;
      case scalar_kind::string:
        out.type = config_node::kind::string;
        break;
    }
  }
  return out;
}

template <entity_ref plugin::*M>
field<plugin> scope_field(std::string_view key) {
  return {key, [](yaml_reader& r, const YAML::Node& n, const std::string& p, plugin& o) {
            read_entity_ref(r, n, p, o.*M);
          }};
}

const std::vector<field<plugin>>& plugin_fields() {
  static const std::vector<field<plugin>> fields{
      id_field("id", &plugin::id),
      string_field("name", &plugin::name),
      string_field("instance_name", &plugin::instance_name),
      scope_field<&plugin::service>("service"),
      scope_field<&plugin::route>("route"),
      scope_field<&plugin::consumer>("consumer"),
      {"config",
       [](yaml_reader& r, const YAML::Node& n, const std::string& p, plugin& o) {
         if (is_null(n)) return;
         if (r.expect_map(n, p, "plugin settings")) o.config = read_config_tree(r, n, p);
       }},
      enum_list_field("protocols", &plugin::protocols, "protocol", k_protocol_names),
      bool_field("enabled", &plugin::enabled),
      strings_field("tags", &plugin::tags),
  };
  return fields;
}

// A nested plugin's parent, with a complaint if the file names it a second time.
void inherit(yaml_reader& r, const YAML::Node& n, const std::string& path, const present_keys& seen,
             const char* key, const entity_ref* parent, entity_ref& out) {
  if (!parent) return;
  if (seen.has(key)) {
    r.error(n[key], path + "." + key + ": implied by nesting; remove this key");
  }
  out = *parent;
}

}  // namespace

config_node read_config_tree(yaml_reader& r, const YAML::Node& n, const std::string& path) {
  tree_budget budget;
  return convert(r, n, path, 0, budget);
}

void read_plugin(kong_builder& b, const YAML::Node& n, const std::string& path,
                 plugin_parent parent) {
  yaml_reader& r = b.reader;
  plugin p;
  p.mark = mark_of(n);
  p.config.type = config_node::kind::map;
  p.config.mark = p.mark;
  const present_keys seen = read_fields(r, n, path, "plugin", plugin_fields(), p);
  if (!is_map(n)) return;
  if (!seen.has("name")) r.error(n, path + ": missing required field \"name\" in plugin");
  inherit(r, n, path, seen, "service", parent.service, p.service);
  inherit(r, n, path, seen, "route", parent.route, p.route);
  inherit(r, n, path, seen, "consumer", parent.consumer, p.consumer);
  if (!p.instance_name.empty()) {
    b.unique("plugin instance_name", p.instance_name, mark_of(n["instance_name"]),
             path + ".instance_name");
  }
  if (!p.id.empty()) b.unique("plugin id", p.id, mark_of(n["id"]), path + ".id");

  const size_t index = b.kong.plugins.size();
  b.kong.plugins.push_back(std::move(p));
  b.plugin_paths.push_back(path);
  b.want(ref_kind::service, path + ".service",
         [index](kong_config& k) -> entity_ref& { return k.plugins[index].service; });
  b.want(ref_kind::route, path + ".route",
         [index](kong_config& k) -> entity_ref& { return k.plugins[index].route; });
  b.want(ref_kind::consumer, path + ".consumer",
         [index](kong_config& k) -> entity_ref& { return k.plugins[index].consumer; });
}

}  // namespace ravelin::mgmt
