// Upstreams with their health checks (kong.md §1.4) and targets (§1.5).
#include "fields.h"
#include "kong_names.h"
#include "kong_reader.h"
#include "net_parse.h"

namespace ravelin::mgmt {
namespace {

constexpr double k_max_seconds = 65535;

template <class T>
field<T> statuses_field(std::vector<uint16_t> T::*m) {
  return {"http_statuses", [m](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            if (!r.expect_list(n, p)) return;
            std::vector<uint16_t> codes;
            for (size_t i = 0; i < n.size(); ++i) {
              int64_t code = 0;
              if (!r.read_int(n[i], index_path(p, i), 100, 999, code)) return;
              codes.push_back(static_cast<uint16_t>(code));
            }
            o.*m = std::move(codes);
          }};
}

template <class T>
field<T> counter_field(std::string_view key, uint32_t T::*m) {
  return int_field(key, m, 0, 255);
}

const std::vector<field<active_healthy>> k_active_healthy{
    number_field("interval", &active_healthy::interval, 0, k_max_seconds),
    statuses_field(&active_healthy::http_statuses),
    counter_field("successes", &active_healthy::successes),
};
const std::vector<field<active_unhealthy>> k_active_unhealthy{
    number_field("interval", &active_unhealthy::interval, 0, k_max_seconds),
    statuses_field(&active_unhealthy::http_statuses),
    counter_field("tcp_failures", &active_unhealthy::tcp_failures),
    counter_field("timeouts", &active_unhealthy::timeouts),
    counter_field("http_failures", &active_unhealthy::http_failures),
};
const std::vector<field<active_healthcheck>> k_active{
    enum_field("type", &active_healthcheck::type, "health check type", k_healthcheck_type_names),
    number_field("timeout", &active_healthcheck::timeout, 0, k_max_seconds),
    int_field("concurrency", &active_healthcheck::concurrency, 1, INT32_MAX),
    string_field("http_path", &active_healthcheck::http_path),
    optional_string_field("https_sni", &active_healthcheck::https_sni),
    bool_field("https_verify_certificate", &active_healthcheck::https_verify_certificate),
    {"headers", [](yaml_reader& r, const YAML::Node& n, const std::string& p,
                   active_healthcheck& o) { read_header_map(r, n, p, o.headers); }},
    record_field("healthy", &active_healthcheck::healthy, "active.healthy", k_active_healthy),
    record_field("unhealthy", &active_healthcheck::unhealthy, "active.unhealthy",
                 k_active_unhealthy),
};
const std::vector<field<passive_healthy>> k_passive_healthy{
    statuses_field(&passive_healthy::http_statuses),
    counter_field("successes", &passive_healthy::successes),
};
const std::vector<field<passive_unhealthy>> k_passive_unhealthy{
    statuses_field(&passive_unhealthy::http_statuses),
    counter_field("tcp_failures", &passive_unhealthy::tcp_failures),
    counter_field("timeouts", &passive_unhealthy::timeouts),
    counter_field("http_failures", &passive_unhealthy::http_failures),
};
const std::vector<field<passive_healthcheck>> k_passive{
    enum_field("type", &passive_healthcheck::type, "health check type", k_healthcheck_type_names),
    record_field("healthy", &passive_healthcheck::healthy, "passive.healthy", k_passive_healthy),
    record_field("unhealthy", &passive_healthcheck::unhealthy, "passive.unhealthy",
                 k_passive_unhealthy),
};
const std::vector<field<healthchecks>> k_healthchecks{
    record_field("active", &healthchecks::active, "healthchecks.active", k_active),
    record_field("passive", &healthchecks::passive, "healthchecks.passive", k_passive),
    number_field("threshold", &healthchecks::threshold, 0, 100),
};

const std::vector<field<upstream>>& upstream_fields() {
  static const std::vector<field<upstream>> fields{
      id_field("id", &upstream::id),
      string_field("name", &upstream::name),
      strings_field("tags", &upstream::tags),
      enum_field("algorithm", &upstream::algorithm, "algorithm", k_algorithm_names),
      enum_field("hash_on", &upstream::hash_on, "hash_on", k_hash_on_names),
      enum_field("hash_fallback", &upstream::hash_fallback, "hash_fallback", k_hash_on_names),
      string_field("hash_on_header", &upstream::hash_on_header),
      string_field("hash_fallback_header", &upstream::hash_fallback_header),
      string_field("hash_on_cookie", &upstream::hash_on_cookie),
      string_field("hash_on_cookie_path", &upstream::hash_on_cookie_path),
      string_field("hash_on_query_arg", &upstream::hash_on_query_arg),
      string_field("hash_fallback_query_arg", &upstream::hash_fallback_query_arg),
      string_field("hash_on_uri_capture", &upstream::hash_on_uri_capture),
      string_field("hash_fallback_uri_capture", &upstream::hash_fallback_uri_capture),
      int_field("slots", &upstream::slots, 10, 65536),
      optional_string_field("host_header", &upstream::host_header),
      {"client_certificate", [](yaml_reader& r, const YAML::Node& n, const std::string& p,
                                upstream& o) { read_entity_ref(r, n, p, o.client_certificate); }},
      bool_field("use_srv_name", &upstream::use_srv_name),
      record_field("healthchecks", &upstream::healthchecks, "healthchecks", k_healthchecks),
      nested<upstream>("targets"),
  };
  return fields;
}

// The key that must accompany hash_on/hash_fallback of a given kind, or null.
const char* hash_input_key(hash_on_type h, bool fallback) {
  switch (h) {
    case hash_on_type::header:
      return fallback ? "hash_fallback_header" : "hash_on_header";
    case hash_on_type::cookie:
      return fallback ? nullptr : "hash_on_cookie";
    case hash_on_type::query_arg:
      return fallback ? "hash_fallback_query_arg" : "hash_on_query_arg";
    case hash_on_type::uri_capture:
      return fallback ? "hash_fallback_uri_capture" : "hash_on_uri_capture";
    default:
      return nullptr;
  }
}

void check_hashing(yaml_reader& r, const YAML::Node& n, const std::string& path,
                   const present_keys& seen, upstream& u) {
  for (bool fallback : {false, true}) {
    const hash_on_type h = fallback ? u.hash_fallback : u.hash_on;
    const char* key = fallback ? "hash_fallback" : "hash_on";
    const char* input = hash_input_key(h, fallback);
    if (input && !seen.has(input)) {
      r.error(n[key],
              path + "." + key + ": \"" + std::string(to_string(h)) + "\" needs \"" + input + "\"");
    }
  }
  if (u.hash_on == hash_on_type::cookie && u.hash_fallback != hash_on_type::none) {
    r.error(n["hash_fallback"], path + ".hash_fallback: must be \"none\" when hash_on is cookie");
  } else if (u.hash_on != hash_on_type::none && u.hash_on == u.hash_fallback &&
             (u.hash_on != hash_on_type::header || u.hash_on_header == u.hash_fallback_header)) {
    r.error(n["hash_fallback"], path + ".hash_fallback: must differ from hash_on");
  }
  // kong.md §1.4: hashing implies the consistent-hashing balancer.
  if (u.hash_on != hash_on_type::none) u.algorithm = lb_algorithm::consistent_hashing;
}

void check_upstream(yaml_reader& r, const YAML::Node& n, const std::string& path,
                    const present_keys& seen, upstream& u) {
  if (!seen.has("name")) {
    r.error(n, path + ": missing required field \"name\" in upstream");
  } else if (!u.name.empty() && (!is_hostname(u.name) || parse_ipv4(u.name))) {
    r.error(n["name"],
            path + ".name: \"" + u.name + "\" must be a host name (no IP address, no port)");
  }
  check_hashing(r, n, path, seen, u);
  if (u.host_header && !split_host_port(*u.host_header)) {
    r.error(n["host_header"], path + ".host_header: \"" + *u.host_header + "\" is not host[:port]");
  }
  const std::string& probe = u.healthchecks.active.http_path;
  if (probe.empty() || probe[0] != '/') {
    r.error(child(n, {"healthchecks", "active", "http_path"}),
            path + ".healthchecks.active.http_path: \"" + probe + "\" must start with \"/\"");
  }
}

const std::vector<field<target>>& target_fields() {
  static const std::vector<field<target>> fields{
      id_field("id", &target::id),
      string_field("target", &target::target),
      int_field("weight", &target::weight, 0, 65535),
      strings_field("tags", &target::tags),
      {"upstream", [](yaml_reader& r, const YAML::Node& n, const std::string& p,
                      target& o) { read_entity_ref(r, n, p, o.upstream); }},
  };
  return fields;
}

}  // namespace

void read_upstream(kong_builder& b, const YAML::Node& n, const std::string& path) {
  yaml_reader& r = b.reader;
  upstream u;
  u.mark = mark_of(n);
  const present_keys seen = read_fields(r, n, path, "upstream", upstream_fields(), u);
  if (!is_map(n)) return;
  check_upstream(r, n, path, seen, u);
  if (!u.name.empty()) b.unique("upstream name", u.name, mark_of(n["name"]), path + ".name");
  if (!u.id.empty()) b.unique("upstream id", u.id, mark_of(n["id"]), path + ".id");

  const size_t index = b.kong.upstreams.size();
  const entity_ref self = parent_ref(u.id, u.name, index, u.mark);
  b.kong.upstreams.push_back(std::move(u));
  b.want(ref_kind::certificate, path + ".client_certificate",
         [index](kong_config& k) -> entity_ref& { return k.upstreams[index].client_certificate; });
  for_each_item(
      r, n["targets"], path + ".targets",
      [&](const YAML::Node& item, const std::string& p) { read_target(b, item, p, &self); });
}

void read_target(kong_builder& b, const YAML::Node& n, const std::string& path,
                 const entity_ref* upstream) {
  yaml_reader& r = b.reader;
  target t;
  t.mark = mark_of(n);
  const present_keys seen = read_fields(r, n, path, "target", target_fields(), t);
  if (!is_map(n)) return;
  if (!seen.has("target")) {
    r.error(n, path + ": missing required field \"target\" in target");
  } else if (!t.target.empty()) {
    auto hp = split_host_port(t.target);
    if (!hp || (!is_hostname(hp->host) && !is_ipv6(hp->host))) {
      r.error(n["target"], path + ".target: \"" + t.target + "\" is not host[:port]");
    } else {
      t.host = hp->host;
      t.port = hp->port.value_or(8000);  // Kong's default target port
      const bool v6 = is_ipv6(t.host);
      t.target = (v6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port);
    }
  }
  if (upstream) {
    if (seen.has("upstream")) {
      r.error(n["upstream"], path +
                                 ".upstream: a nested target belongs to its enclosing "
                                 "upstream; remove this key");
    }
    t.upstream = *upstream;
  } else if (!seen.has("upstream")) {
    r.error(n, path + ": missing required field \"upstream\" in target");
  }
  const size_t index = b.kong.targets.size();
  b.kong.targets.push_back(std::move(t));
  b.want(ref_kind::upstream, path + ".upstream",
         [index](kong_config& k) -> entity_ref& { return k.targets[index].upstream; });
}

}  // namespace ravelin::mgmt
