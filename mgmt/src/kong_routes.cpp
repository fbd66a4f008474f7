// Routes (kong.md §1.3): match fields and the checks Kong's route schema makes on them.
#include <cctype>

#include "fields.h"
#include "kong_names.h"
#include "kong_reader.h"
#include "net_parse.h"

namespace ravelin::mgmt {
namespace {

const std::vector<field<route_endpoint>>& endpoint_fields() {
  static const std::vector<field<route_endpoint>> fields{
      optional_string_field("ip", &route_endpoint::ip),
      optional_int_field("port", &route_endpoint::port, 0, 65535),
  };
  return fields;
}

std::function<void(yaml_reader&, const YAML::Node&, const std::string&, route&)> endpoints(
    std::vector<route_endpoint> route::*m) {
  return [m](yaml_reader& r, const YAML::Node& n, const std::string& p, route& o) {
    if (!r.expect_list(n, p)) return;
    for (size_t i = 0; i < n.size(); ++i) {
      route_endpoint e;
      const std::string ep = index_path(p, i);
      read_fields(r, n[i], ep, "route endpoint", endpoint_fields(), e);
      if (e.ip && !parse_ipv4(*e.ip) && !parse_ipv4_cidr(*e.ip) && !is_ipv6(*e.ip)) {
        r.error(n[i]["ip"], ep + ".ip: \"" + *e.ip + "\" is not an IP address or CIDR");
      }
      (o.*m).push_back(e);
    }
  };
}

const std::vector<field<route>>& route_fields() {
  static const std::vector<field<route>> fields{
      id_field("id", &route::id),
      string_field("name", &route::name),
      strings_field("tags", &route::tags),
      {"service", [](yaml_reader& r, const YAML::Node& n, const std::string& p,
                     route& o) { read_entity_ref(r, n, p, o.service); }},
      enum_list_field("protocols", &route::protocols, "protocol", k_protocol_names),
      strings_field("methods", &route::methods),
      strings_field("hosts", &route::hosts),
      strings_field("paths", &route::paths),
      {"headers", [](yaml_reader& r, const YAML::Node& n, const std::string& p,
                     route& o) { read_header_map(r, n, p, o.headers); }},
      strings_field("snis", &route::snis),
      {"sources", endpoints(&route::sources)},
      {"destinations", endpoints(&route::destinations)},
      bool_field("strip_path", &route::strip_path),
      bool_field("preserve_host", &route::preserve_host),
      int_field("regex_priority", &route::regex_priority, INT32_MIN, INT32_MAX),
      enum_field("path_handling", &route::path_handling, "path_handling", k_path_handling_names),
      {"https_redirect_status_code",
       [](yaml_reader& r, const YAML::Node& n, const std::string& p, route& o) {
         int64_t code = 0;
         if (!r.read_int(n, p, 100, 599, code)) return;
         if (code != 426 && code != 301 && code != 302 && code != 307 && code != 308) {
           r.error(n, p + ": " + std::to_string(code) + " is not one of 426, 301, 302, 307, 308");
           return;
         }
         o.https_redirect_status_code = static_cast<uint16_t>(code);
       }},
      bool_field("request_buffering", &route::request_buffering),
      bool_field("response_buffering", &route::response_buffering),
      nested<route>("plugins"),
  };
  return fields;
}

// Kong's mutually exclusive protocol families: {http,https} {tcp,tls,udp} {tls_passthrough}
// {grpc,grpcs}.
int protocol_family(protocol_type p) {
  switch (p) {
    case protocol_type::http:
    case protocol_type::https:
      return 0;
    case protocol_type::tcp:
    case protocol_type::tls:
    case protocol_type::udp:
      return 1;
    case protocol_type::tls_passthrough:
      return 2;
    case protocol_type::grpc:
    case protocol_type::grpcs:
      return 3;
  }
  return 0;
}

bool has(const std::vector<protocol_type>& ps, protocol_type p) {
  return std::find(ps.begin(), ps.end(), p) != ps.end();
}

// Kong 3.0 migration (route_path.lua): a 1.1/2.1 path with characters outside the
// unreserved set is a regex and gets the "~" prefix 3.0 requires.
void migrate_paths(const std::string& format_version, route& rt) {
  if (format_version == "3.0") return;
  for (auto& p : rt.paths) {
    const bool regex = !p.empty() && p[0] != '~' && std::any_of(p.begin(), p.end(), [](char c) {
      return !std::isalnum(static_cast<unsigned char>(c)) &&
             std::string_view("-._~/%").find(c) == std::string_view::npos;
    });
    if (regex) p = "~" + p;
  }
}

void check_matchers(yaml_reader& r, const YAML::Node& n, const std::string& path, const route& rt) {
  for (size_t i = 0; i < rt.methods.size(); ++i) {
    const std::string& m = rt.methods[i];
    if (m.empty() ||
        !std::all_of(m.begin(), m.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      r.error(n["methods"][i], index_path(path + ".methods", i) + ": \"" + m +
                                   "\" is not an upper-case HTTP method");
    }
  }
  for (size_t i = 0; i < rt.hosts.size(); ++i) {
    if (auto problem = route_host_problem(rt.hosts[i])) {
      r.error(n["hosts"][i],
              index_path(path + ".hosts", i) + ": \"" + rt.hosts[i] + "\" " + *problem);
    }
  }
  for (size_t i = 0; i < rt.paths.size(); ++i) {
    const std::string& p = rt.paths[i];
    const std::string where = index_path(path + ".paths", i);
    if (p.empty() || (p[0] != '/' && p[0] != '~')) {
      r.error(n["paths"][i],
              where + ": \"" + p + "\" must start with \"/\" (prefix) or \"~\" (regex)");
    } else if (p[0] == '/' && p.find("//") != std::string::npos) {
      r.error(n["paths"][i], where + ": \"" + p + "\" has an empty segment");
    }
  }
  for (const auto& h : rt.headers) {
    if (h.name.size() == 4 && std::equal(h.name.begin(), h.name.end(), "host", [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      r.error(n["headers"],
              path + ".headers: match the Host header with \"hosts\", not \"headers\"");
    }
  }
}

void check_route(yaml_reader& r, const YAML::Node& n, const std::string& path, const route& rt) {
  if (rt.protocols.empty()) {
    r.error(n["protocols"], path + ".protocols: must not be empty");
    return;
  }
  for (auto p : rt.protocols) {
    if (protocol_family(p) != protocol_family(rt.protocols.front())) {
      r.error(n["protocols"], path + ".protocols: \"" +
                                  std::string(to_string(rt.protocols.front())) + "\" and \"" +
                                  std::string(to_string(p)) + "\" cannot be mixed in one route");
      return;
    }
  }
  check_matchers(r, n, path, rt);
  const bool tls_sni =
      has(rt.protocols, protocol_type::https) || has(rt.protocols, protocol_type::grpcs) ||
      has(rt.protocols, protocol_type::tls) || has(rt.protocols, protocol_type::tls_passthrough);
  if (!rt.snis.empty() && !tls_sni) {
    r.error(n["snis"], path + ".snis: only valid with https, grpcs, tls or tls_passthrough");
  }
  const int family = protocol_family(rt.protocols.front());
  if ((!rt.sources.empty() || !rt.destinations.empty()) && family != 1) {
    r.error(n, path + ": sources and destinations are only valid with tcp, tls or udp");
  }
  const bool http_match = !rt.methods.empty() || !rt.hosts.empty() || !rt.headers.empty() ||
                          !rt.paths.empty() || (tls_sni && !rt.snis.empty());
  if ((family == 0 || family == 3) && !http_match) {
    std::string protocols;
    for (auto p : rt.protocols)
      protocols += (protocols.empty() ? "" : "/") + std::string(to_string(p));
    r.error(n, path + ": a route for " + protocols +
                   " needs at least one of methods, hosts, headers, paths" +
                   (tls_sni ? ", snis" : ""));
  } else if (family == 1 && rt.sources.empty() && rt.destinations.empty() && rt.snis.empty()) {
    r.error(n, path + ": a stream route needs at least one of sources, destinations, snis");
  } else if (family == 2 && rt.snis.empty()) {
    r.error(n, path + ": a tls_passthrough route needs snis");
  }
}

}  // namespace

void read_header_map(yaml_reader& r, const YAML::Node& n, const std::string& p,
                     std::vector<route_header>& out) {
  if (is_null(n) || !r.expect_map(n, p, "header name to list of values")) return;
  out.clear();
  for (auto it = n.begin(); it != n.end(); ++it) {
    route_header h;
    if (!r.read_string(it->first, p, h.name)) continue;
    if (r.read_string_list(it->second, key_path(p, h.name), h.values)) out.push_back(h);
  }
}

void read_route(kong_builder& b, const YAML::Node& n, const std::string& path,
                const entity_ref* service) {
  yaml_reader& r = b.reader;
  route rt;
  rt.mark = mark_of(n);
  const present_keys seen = read_fields(r, n, path, "route", route_fields(), rt);
  if (!is_map(n)) return;
  if (service) {
    if (seen.has("service")) {
      r.error(n["service"], path +
                                ".service: a nested route belongs to its enclosing service; "
                                "remove this key");
    }
    rt.service = *service;
  }
  migrate_paths(b.kong.format_version, rt);
  check_route(r, n, path, rt);
  if (!rt.name.empty()) b.unique("route name", rt.name, mark_of(n["name"]), path + ".name");
  if (!rt.id.empty()) b.unique("route id", rt.id, mark_of(n["id"]), path + ".id");

  const size_t index = b.kong.routes.size();
  const entity_ref self = parent_ref(rt.id, rt.name, index, rt.mark);
  b.kong.routes.push_back(std::move(rt));
  b.want(ref_kind::service, path + ".service",
         [index](kong_config& k) -> entity_ref& { return k.routes[index].service; });
  for_each_item(r, n["plugins"], path + ".plugins",
                [&](const YAML::Node& item, const std::string& p) {
                  read_plugin(b, item, p, plugin_parent{.route = &self});
                });
}

}  // namespace ravelin::mgmt
