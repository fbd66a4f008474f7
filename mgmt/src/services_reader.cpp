// `ravelin.services`: the built-in TCP test services and forwarders. Every listening port
// must be unique across them, since they all bind on the same addresses.
#include <map>

#include "fields.h"
#include "kong_reader.h"
#include "net_parse.h"

namespace ravelin::mgmt {
namespace {

struct simple_service {
  std::optional<uint16_t> port;
};

const std::vector<field<simple_service>>& simple_fields() {
  static const std::vector<field<simple_service>> fields{
      optional_int_field("port", &simple_service::port, 1, 65535),
  };
  return fields;
}

// "a.b.c.d:port" with a port; host names are not resolved by the appliance.
bool read_target(yaml_reader& r, const YAML::Node& n, const std::string& path,
                 forward_config& out) {
  std::string text;
  if (!r.read_string(n, path, text)) return false;
  const auto hp = split_host_port(text);
  const auto address = hp ? parse_ipv4(hp->host) : std::nullopt;
  if (!address || !hp->port || *hp->port == 0) {
    r.error(n, path + ": \"" + text + "\" is not an IPv4 address with a port (a.b.c.d:port)");
    return false;
  }
  out.to_address = *address;
  out.to_port = *hp->port;
  return true;
}

const std::vector<field<forward_config>>& forward_fields() {
  static const std::vector<field<forward_config>> fields{
      int_field("listen", &forward_config::listen, 1, 65535),
      {"to", [](yaml_reader& r, const YAML::Node& n, const std::string& p, forward_config& o) {
         read_target(r, n, p, o);
       }},
  };
  return fields;
}

// Remembers which service took each port so a clash names both.
class port_claims {
 public:
  explicit port_claims(yaml_reader& r) : r_(r) {}
  void claim(const YAML::Node& n, const std::string& path, uint16_t port) {
    auto [it, fresh] = owners_.emplace(port, path);
    if (!fresh) {
      r_.error(n, path + ": port " + std::to_string(port) + " is already used by " + it->second);
    }
  }

 private:
  yaml_reader& r_;
  std::map<uint16_t, std::string> owners_;
};

void read_simple(yaml_reader& r, const YAML::Node& map, const char* name,
                 std::optional<uint16_t>& out, port_claims& claims) {
  const YAML::Node n = map[name];
  if (!n.IsDefined() || is_null(n)) return;
  const std::string path = std::string("ravelin.services.") + name;
  simple_service s;
  const present_keys seen = read_fields(r, n, path, "service", simple_fields(), s);
  if (!is_map(n)) return;
  if (!seen.has("port")) {
    r.error(n, path + ": missing required field \"port\"");
    return;
  }
  if (s.port) {
    claims.claim(n["port"], path + ".port", *s.port);
    out = s.port;
  }
}

const std::vector<field<services_config>>& services_fields() {
  static const std::vector<field<services_config>> fields{
      nested<services_config>("echo"), nested<services_config>("discard"),
      nested<services_config>("chargen"), nested<services_config>("forward")};
  return fields;
}

}  // namespace

void read_services(yaml_reader& r, const YAML::Node& n, services_config& out) {
  if (is_null(n)) return;
  read_fields(r, n, "ravelin.services", "services", services_fields(), out);
  if (!is_map(n)) return;
  port_claims claims(r);
  read_simple(r, n, "echo", out.echo, claims);
  read_simple(r, n, "discard", out.discard, claims);
  read_simple(r, n, "chargen", out.chargen, claims);
  for_each_item(r, n["forward"], "ravelin.services.forward",
                [&](const YAML::Node& item, const std::string& path) {
                  forward_config f;
                  const present_keys seen =
                      read_fields(r, item, path, "forwarder", forward_fields(), f);
                  if (!is_map(item)) return;
                  for (const char* key : {"listen", "to"}) {
                    if (!seen.has(key)) {
                      r.error(item, path + ": missing required field \"" + key + "\" in forwarder");
                    }
                  }
                  if (seen.has("listen") && f.listen != 0) {
                    claims.claim(item["listen"], path + ".listen", f.listen);
                  }
                  if (f.listen != 0 && f.to_port != 0) out.forward.push_back(f);
                });
}

}  // namespace ravelin::mgmt
