// to_string for Kong's enumerations and the plugin config tree lookup.
#include "kong_names.h"

#include "ravelin/mgmt/kong_entities.h"

namespace ravelin::mgmt {

std::string_view to_string(protocol_type p) { return k_protocol_names.at(static_cast<size_t>(p)); }
std::string_view to_string(lb_algorithm a) { return k_algorithm_names.at(static_cast<size_t>(a)); }
std::string_view to_string(hash_on_type h) { return k_hash_on_names.at(static_cast<size_t>(h)); }
std::string_view to_string(healthcheck_type t) {
  return k_healthcheck_type_names.at(static_cast<size_t>(t));
}
std::string_view to_string(path_handling_type p) {
  return k_path_handling_names.at(static_cast<size_t>(p));
}
std::string_view to_string(jwt_algorithm a) {
  return k_jwt_algorithm_names.at(static_cast<size_t>(a));
}

const config_node* config_node::find(std::string_view key) const {
  for (const auto& m : members) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

}  // namespace ravelin::mgmt
