// Services (kong.md §1.2) with the `url` shorthand, and the routes nested under them.
#include "fields.h"
#include "kong_names.h"
#include "kong_reader.h"
#include "net_parse.h"

namespace ravelin::mgmt {
namespace {

constexpr int64_t k_max_timeout_ms = 2147483646;  // Kong: 1 .. 2^31-2

const std::vector<field<service>>& service_fields() {
  static const std::vector<field<service>> fields{
      id_field("id", &service::id),
      string_field("name", &service::name),
      strings_field("tags", &service::tags),
      enum_field("protocol", &service::protocol, "protocol", k_protocol_names),
      string_field("host", &service::host),
      int_field("port", &service::port, 0, 65535),
      optional_string_field("path", &service::path),
      int_field("retries", &service::retries, 0, 32767),
      int_field("connect_timeout", &service::connect_timeout, 1, k_max_timeout_ms),
      int_field("write_timeout", &service::write_timeout, 1, k_max_timeout_ms),
      int_field("read_timeout", &service::read_timeout, 1, k_max_timeout_ms),
      optional_bool_field("tls_verify", &service::tls_verify),
      optional_int_field("tls_verify_depth", &service::tls_verify_depth, 0, 64),
      {"ca_certificates",
       [](yaml_reader& r, const YAML::Node& n, const std::string& p, service& s) {
         if (!r.expect_list(n, p)) return;
         for (size_t i = 0; i < n.size(); ++i) {
           entity_ref ref;
           if (read_entity_ref(r, n[i], index_path(p, i), ref)) s.ca_certificates.push_back(ref);
         }
       }},
      {"client_certificate", [](yaml_reader& r, const YAML::Node& n, const std::string& p,
                                service& s) { read_entity_ref(r, n, p, s.client_certificate); }},
      bool_field("enabled", &service::enabled),
      nested<service>("url"),
      nested<service>("routes"),
      nested<service>("plugins"),
  };
  return fields;
}

bool path_allowed(protocol_type p) { return p == protocol_type::http || p == protocol_type::https; }
bool tls_upstream(protocol_type p) { return p == protocol_type::https || p == protocol_type::tls; }

// Applies `url: scheme://host:port/path` onto the service's split fields.
void apply_url(yaml_reader& r, const YAML::Node& n, const std::string& path,
               const present_keys& seen, service& s) {
  const YAML::Node url = n["url"];
  std::string text;
  if (!r.read_string(url, path + ".url", text)) return;
  for (const char* split : {"protocol", "host", "port", "path"}) {
    if (seen.has(split)) {
      r.error(url, path + ".url: cannot be combined with \"" + split +
                       "\"; use either url or protocol/host/port/path");
      return;
    }
  }
  std::string problem;
  auto parsed = parse_url(text, problem);
  if (!parsed) {
    r.error(url, path + ".url: \"" + text + "\" " + problem);
    return;
  }
  const auto* p = std::find(k_protocol_names.begin(), k_protocol_names.end(), parsed->scheme);
  if (p == k_protocol_names.end()) {
    r.error(url, path + ".url: \"" + parsed->scheme + "\" is not a valid protocol");
    return;
  }
  s.protocol = static_cast<protocol_type>(p - k_protocol_names.begin());
  s.host = parsed->host;
  s.port = parsed->port;
  s.path = parsed->path;
}

void check_service(yaml_reader& r, const YAML::Node& n, const std::string& path,
                   const present_keys& seen, const service& s) {
  if (!seen.has("host") && !seen.has("url")) {
    r.error(n, path + ": missing required field \"host\" (or \"url\") in service");
  } else if (seen.has("host") && !s.host.empty() && !is_hostname(s.host) && !is_ipv6(s.host)) {
    r.error(n["host"], path + ".host: \"" + s.host + "\" is not a host name or IP address");
  }
  if (s.path) {
    const YAML::Node at = seen.has("path") ? n["path"] : n["url"];
    if (!path_allowed(s.protocol)) {
      r.error(at, path + ".path: only http and https services have a path (protocol is " +
                      std::string(to_string(s.protocol)) + ")");
    } else if (s.path->empty() || s.path->front() != '/') {
      r.error(at, path + ".path: \"" + *s.path + "\" must start with \"/\"");
    }
  }
  if (!tls_upstream(s.protocol)) {
    for (const char* key :
         {"tls_verify", "tls_verify_depth", "ca_certificates", "client_certificate"}) {
      if (seen.has(key) && !is_null(n[key])) {
        r.error(n[key], path + "." + key + ": only valid for https and tls services");
      }
    }
  }
}

}  // namespace

void read_service(kong_builder& b, const YAML::Node& n, const std::string& path) {
  yaml_reader& r = b.reader;
  service s;
  s.mark = mark_of(n);
  const present_keys seen = read_fields(r, n, path, "service", service_fields(), s);
  if (!is_map(n)) return;
  if (seen.has("url")) apply_url(r, n, path, seen, s);
  check_service(r, n, path, seen, s);
  if (!s.name.empty()) b.unique("service name", s.name, mark_of(n["name"]), path + ".name");
  if (!s.id.empty()) b.unique("service id", s.id, mark_of(n["id"]), path + ".id");

  const size_t index = b.kong.services.size();
  const entity_ref self = parent_ref(s.id, s.name, index, s.mark);
  b.kong.services.push_back(std::move(s));
  b.want(ref_kind::certificate, path + ".client_certificate",
         [index](kong_config& k) -> entity_ref& { return k.services[index].client_certificate; });
  for (size_t i = 0; i < b.kong.services[index].ca_certificates.size(); ++i) {
    b.want(
        ref_kind::ca_certificate, index_path(path + ".ca_certificates", i),
        [index, i](kong_config& k) -> entity_ref& { return k.services[index].ca_certificates[i]; });
  }
  for_each_item(
      r, n["routes"], path + ".routes",
      [&](const YAML::Node& item, const std::string& p) { read_route(b, item, p, &self); });
  for_each_item(r, n["plugins"], path + ".plugins",
                [&](const YAML::Node& item, const std::string& p) {
                  read_plugin(b, item, p, plugin_parent{.service = &self});
                });
}

}  // namespace ravelin::mgmt
