// Kong 3.x declarative entities as the loader leaves them: every field present with Kong's
// default filled in (docs: shared/reference/kong.md §1), nested entities flattened into the
// top-level vectors and every foreign reference resolved to an index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ravelin::mgmt {

// Where an entity or value was written, 1-based; 0/0 when it was not in the file.
// Kept so that later compile stages (plugin configs, router) can point at the file too.
struct source_mark {
  unsigned line = 0;
  unsigned column = 0;
};

// A foreign key as written (id, name or username) and what it resolved to.
struct entity_ref {
  std::string key;              // empty: no reference (e.g. a global plugin)
  std::optional<size_t> index;  // into the matching kong_config vector once resolved
  source_mark mark;
  bool empty() const { return key.empty() && !index; }
};

enum class protocol_type : uint8_t { http, https, grpc, grpcs, tcp, tls, udp, tls_passthrough };
enum class lb_algorithm : uint8_t { round_robin, consistent_hashing, least_connections, latency };
enum class hash_on_type : uint8_t {
  none,
  consumer,
  ip,
  header,
  cookie,
  path,
  query_arg,
  uri_capture
};
enum class healthcheck_type : uint8_t { tcp, http, https, grpc, grpcs };
enum class path_handling_type : uint8_t { v0, v1 };
enum class jwt_algorithm : uint8_t {
  hs256,
  hs384,
  hs512,
  rs256,
  rs384,
  rs512,
  es256,
  es384,
  es512,
  ps256,
  ps384,
  ps512,
  eddsa
};

// Spellings as they appear in Kong files ("round-robin", "HS256", ...).
std::string_view to_string(protocol_type p);
std::string_view to_string(lb_algorithm a);
std::string_view to_string(hash_on_type h);
std::string_view to_string(healthcheck_type t);
std::string_view to_string(path_handling_type p);
std::string_view to_string(jwt_algorithm a);

// A plugin's `config`, kept as the YAML tree: each plugin validates its own schema later.
struct config_member;
struct config_node {
  enum class kind : uint8_t { null, boolean, integer, number, string, list, map };
  kind type = kind::null;
  bool boolean = false;
  int64_t integer = 0;
  double number = 0;
  std::string string;
  std::vector<config_node> items;      // list elements
  std::vector<config_member> members;  // map entries, in file order
  source_mark mark;
  const config_node* find(std::string_view key) const;  // map lookup, null when absent
};
struct config_member {
  std::string key;
  config_node value;
};

struct service {
  std::string id;
  std::string name;  // unique when set
  std::vector<std::string> tags;
  protocol_type protocol = protocol_type::http;
  std::string host;  // required; a hostname, an IP or an upstream's name
  uint16_t port = 80;
  std::optional<std::string> path;   // only for http/https
  uint16_t retries = 5;              // 0..32767
  uint32_t connect_timeout = 60000;  // ms, 1..2^31-2
  uint32_t write_timeout = 60000;
  uint32_t read_timeout = 60000;
  std::optional<bool> tls_verify;  // null: the global proxy_ssl_verify decides
  std::optional<uint8_t> tls_verify_depth;
  std::vector<entity_ref> ca_certificates;  // ca_certificate ids
  entity_ref client_certificate;            // certificate for upstream mTLS
  bool enabled = true;
  source_mark mark;
};

struct route_header {
  std::string name;
  std::vector<std::string> values;  // any one matches
};

// A stream route's source or destination match.
struct route_endpoint {
  std::optional<std::string> ip;  // address or CIDR as written
  std::optional<uint16_t> port;
};

struct route {
  std::string id;
  std::string name;  // unique when set
  std::vector<std::string> tags;
  entity_ref service;
  std::vector<protocol_type> protocols{protocol_type::http, protocol_type::https};
  std::vector<std::string> methods;
  std::vector<std::string> hosts;  // "*.x.com", "x.*", optional ":port"
  std::vector<std::string> paths;  // "/prefix" or "~regex"
  std::vector<route_header> headers;
  std::vector<std::string> snis;
  std::vector<route_endpoint> sources;
  std::vector<route_endpoint> destinations;
  bool strip_path = true;
  bool preserve_host = false;
  int64_t regex_priority = 0;
  path_handling_type path_handling = path_handling_type::v0;
  uint16_t https_redirect_status_code = 426;
  bool request_buffering = true;
  bool response_buffering = true;
  source_mark mark;
};

// Upstream health checks; zero counts and intervals mean "off", as in Kong.
struct active_healthy {
  double interval = 0;  // s between probes of healthy targets
  std::vector<uint16_t> http_statuses{200, 302};
  uint32_t successes = 0;  // 0..255
};
struct active_unhealthy {
  double interval = 0;
  std::vector<uint16_t> http_statuses{429, 404, 500, 501, 502, 503, 504, 505};
  uint32_t tcp_failures = 0;
  uint32_t timeouts = 0;
  uint32_t http_failures = 0;
};
struct active_healthcheck {
  healthcheck_type type = healthcheck_type::http;
  double timeout = 1;  // s
  uint32_t concurrency = 10;
  std::string http_path = "/";
  std::optional<std::string> https_sni;
  bool https_verify_certificate = true;
  std::vector<route_header> headers;
  active_healthy healthy;
  active_unhealthy unhealthy;
};
struct passive_healthy {
  std::vector<uint16_t> http_statuses{200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
                                      300, 301, 302, 303, 304, 305, 306, 307, 308};
  uint32_t successes = 0;
};
struct passive_unhealthy {
  std::vector<uint16_t> http_statuses{429, 500, 503};
  uint32_t tcp_failures = 0;
  uint32_t timeouts = 0;
  uint32_t http_failures = 0;
};
struct passive_healthcheck {
  healthcheck_type type = healthcheck_type::http;
  passive_healthy healthy;
  passive_unhealthy unhealthy;
};
struct healthchecks {
  active_healthcheck active;
  passive_healthcheck passive;
  double threshold = 0;  // % of healthy weight below which the whole upstream is down
};

struct upstream {
  std::string id;
  std::string name;  // required, unique; a hostname services use as their host
  std::vector<std::string> tags;
  lb_algorithm algorithm = lb_algorithm::round_robin;
  hash_on_type hash_on = hash_on_type::none;
  hash_on_type hash_fallback = hash_on_type::none;
  std::string hash_on_header;
  std::string hash_fallback_header;
  std::string hash_on_cookie;
  std::string hash_on_cookie_path = "/";
  std::string hash_on_query_arg;
  std::string hash_fallback_query_arg;
  std::string hash_on_uri_capture;
  std::string hash_fallback_uri_capture;
  uint32_t slots = 10000;  // 10..65536
  std::optional<std::string> host_header;
  entity_ref client_certificate;
  bool use_srv_name = false;
  struct healthchecks healthchecks;
  source_mark mark;
};

struct target {
  std::string id;
  entity_ref upstream;
  std::string target;  // "host:port" with the default port filled in
  std::string host;    // IPv6 without brackets
  uint16_t port = 8000;
  uint16_t weight = 100;  // 0 disables the target
  std::vector<std::string> tags;
  source_mark mark;
};

struct consumer {
  std::string id;
  std::string username;  // at least one of username and custom_id; each unique
  std::string custom_id;
  std::vector<std::string> tags;
  source_mark mark;
};

struct keyauth_credential {
  std::string id;
  entity_ref consumer;
  std::string key;  // unique
  std::optional<uint32_t> ttl;
  std::vector<std::string> tags;
  source_mark mark;
};

struct basicauth_credential {
  std::string id;
  entity_ref consumer;
  std::string username;  // unique
  std::string password;  // as written; hashing is the auth module's business
  std::vector<std::string> tags;
  source_mark mark;
};

struct jwt_secret {
  std::string id;
  entity_ref consumer;
  std::string key;  // unique, matched against the key claim (iss by default)
  std::string secret;
  std::optional<std::string> rsa_public_key;  // required for the asymmetric algorithms
  jwt_algorithm algorithm = jwt_algorithm::hs256;
  std::vector<std::string> tags;
  source_mark mark;
};

struct acl {
  std::string id;
  entity_ref consumer;
  std::string group;
  std::vector<std::string> tags;
  source_mark mark;
};

struct hmacauth_credential {
  std::string id;
  entity_ref consumer;
  std::string username;  // unique
  std::string secret;
  std::vector<std::string> tags;
  source_mark mark;
};

struct plugin {
  std::string id;
  std::string name;           // e.g. "key-auth"
  std::string instance_name;  // unique when set
  entity_ref service;         // all three empty: global plugin
  entity_ref route;
  entity_ref consumer;
  config_node config;  // a map (possibly empty)
  std::vector<protocol_type> protocols{protocol_type::grpc, protocol_type::grpcs,
                                       protocol_type::http, protocol_type::https};
  bool enabled = true;
  std::vector<std::string> tags;
  source_mark mark;
};

struct certificate {
  std::string id;
  std::string cert;  // PEM
  std::string key;   // PEM
  std::optional<std::string> cert_alt;
  std::optional<std::string> key_alt;
  std::vector<std::string> snis;  // names of every sni pointing here (nested or top-level)
  std::vector<std::string> tags;
  source_mark mark;
};

struct sni {
  std::string id;
  std::string name;  // unique; may be a wildcard
  entity_ref certificate;
  std::vector<std::string> tags;
  source_mark mark;
};

struct ca_certificate {
  std::string id;
  std::string cert;  // PEM
  std::optional<std::string> cert_digest;
  std::vector<std::string> tags;
  source_mark mark;
};

struct kong_config {
  std::string format_version;  // "1.1", "2.1" or "3.0"
  bool transform = true;
  std::vector<service> services;
  std::vector<route> routes;
  std::vector<upstream> upstreams;
  std::vector<target> targets;
  std::vector<consumer> consumers;
  std::vector<keyauth_credential> keyauth_credentials;
  std::vector<basicauth_credential> basicauth_credentials;
  std::vector<jwt_secret> jwt_secrets;
  std::vector<acl> acls;
  std::vector<hmacauth_credential> hmacauth_credentials;
  std::vector<plugin> plugins;
  std::vector<certificate> certificates;
  std::vector<sni> snis;
  std::vector<ca_certificate> ca_certificates;
};

}  // namespace ravelin::mgmt
