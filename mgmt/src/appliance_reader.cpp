// The `ravelin:` section: ports, lcores with their roles, stack bounds and extra EAL
// arguments. Its types live in config.h; the dataplane is the only reader.
#include <set>

#include "fields.h"
#include "kong_reader.h"
#include "net_parse.h"

namespace ravelin::mgmt {
namespace {

constexpr unsigned k_max_lcore = 127;
constexpr std::array<std::string_view, 3> k_role_names{"io", "tls", "auth"};
constexpr std::array<core_role, 3> k_roles{core_role::io, core_role::tls, core_role::auth};
constexpr std::array<std::string_view, 2> k_congestion_names{"cubic", "newreno"};

// Port fields whose syntax needs more than a type check are read by read_port itself.
const std::vector<field<port_config>>& port_fields() {
  static const std::vector<field<port_config>> fields{
      string_field("name", &port_config::name),
      string_field("device", &port_config::device),
      nested<port_config>("address"),
      nested<port_config>("gateway"),
      int_field("queues", &port_config::queues, 1, 64),
      int_field("rx_descriptors", &port_config::rx_descriptors, 64, 32768),
      int_field("tx_descriptors", &port_config::tx_descriptors, 64, 32768),
      int_field("mtu", &port_config::mtu, 68, 9600),
  };
  return fields;
}

const std::vector<field<core_config>>& core_fields() {
  static const std::vector<field<core_config>> fields{
      int_field("lcore", &core_config::lcore, 0, k_max_lcore),
      {"roles",
       [](yaml_reader& r, const YAML::Node& n, const std::string& p, core_config& o) {
         if (!r.expect_list(n, p)) return;
         for (size_t i = 0; i < n.size(); ++i) {
           size_t role = 0;
           if (r.read_choice(n[i], index_path(p, i), "core role", k_role_names, role)) {
             o.roles |= static_cast<uint8_t>(k_roles[role]);
           }
         }
       }},
  };
  return fields;
}

const std::vector<field<stack_config>>& stack_fields() {
  static const std::vector<field<stack_config>> fields{
      int_field("arp_cache_entries", &stack_config::arp_cache_entries, 16, 1 << 20),
      int_field("arp_reachable_ms", &stack_config::arp_reachable_ms, 1000, 86400000),
      int_field("arp_retry_ms", &stack_config::arp_retry_ms, 10, 60000),
      int_field("arp_max_retries", &stack_config::arp_max_retries, 0, 100),
      int_field("mbufs_per_port", &stack_config::mbufs_per_port, 1023, 1 << 22),
      int_field("tcp_max_connections", &stack_config::tcp_max_connections, 16, 1 << 24),
      int_field("tcp_max_half_open", &stack_config::tcp_max_half_open, 1, 1 << 24),
      int_field("tcp_listen_backlog", &stack_config::tcp_listen_backlog, 1, 1 << 20),
      int_field("tcp_send_buffer", &stack_config::tcp_send_buffer, 4096, 1 << 30),
      int_field("tcp_recv_buffer", &stack_config::tcp_recv_buffer, 4096, 1 << 30),
      bool_field("tcp_syn_cookies", &stack_config::tcp_syn_cookies),
      enum_field("tcp_congestion_control", &stack_config::tcp_congestion_control,
                 "congestion control", k_congestion_names),
  };
  return fields;
}

void read_port(yaml_reader& r, const YAML::Node& n, const std::string& path,
               std::set<std::string>& names, std::set<std::string>& devices,
               appliance_config& out) {
  port_config port;
  const present_keys seen = read_fields(r, n, path, "port", port_fields(), port);
  if (!is_map(n)) return;
  for (const char* key : {"name", "device", "address"}) {
    if (!seen.has(key)) r.error(n, path + ": missing required field \"" + key + "\" in port");
  }
  if (seen.has("name") && !names.insert(port.name).second) {
    r.error(n["name"], path + ".name: duplicate port name \"" + port.name + "\"");
  }
  if (seen.has("device") && port.device.empty()) {
    r.error(n["device"], path + ".device: must not be empty");
  } else if (seen.has("device") && !devices.insert(port.device).second) {
    r.error(n["device"], path + ".device: \"" + port.device + "\" is used by another port");
  }
  std::string text;
  bool have_address = false;
  if (seen.has("address") && r.read_string(n["address"], path + ".address", text)) {
    if (auto prefix = parse_ipv4_cidr(text)) {
      port.address = *prefix;
      have_address = true;
    } else {
      r.error(n["address"], path + ".address: \"" + text +
                                "\" is not an IPv4 CIDR (expected a.b.c.d/len, len 0..32)");
    }
  }
  if (seen.has("gateway") && r.read_string(n["gateway"], path + ".gateway", text)) {
    auto gateway = parse_ipv4(text);
    const uint32_t mask = port.address.length ? ~uint32_t{0} << (32 - port.address.length) : 0;
    if (!gateway) {
      r.error(n["gateway"], path + ".gateway: \"" + text + "\" is not an IPv4 address");
    } else if (have_address && (*gateway & mask) != (port.address.address & mask)) {
      r.error(n["gateway"], path + ".gateway: " + text + " is not inside the port's subnet " +
                                format_ipv4(port.address.address & mask) + "/" +
                                std::to_string(port.address.length));
    } else if (have_address && *gateway == port.address.address) {
      r.error(n["gateway"], path + ".gateway: " + text + " is the port's own address");
    } else {
      port.gateway = gateway;
    }
  }
  out.ports.push_back(std::move(port));
}

void read_cores(yaml_reader& r, const YAML::Node& list, appliance_config& out) {
  std::set<unsigned> lcores;
  for_each_item(r, list, "ravelin.cores", [&](const YAML::Node& n, const std::string& path) {
    core_config core;
    const present_keys seen = read_fields(r, n, path, "core", core_fields(), core);
    if (!is_map(n)) return;
    if (!seen.has("lcore")) r.error(n, path + ": missing required field \"lcore\" in core");
    if (!seen.has("roles")) {
      r.error(n, path + ": missing required field \"roles\" in core");
    } else if (core.roles == 0 && is_list(n["roles"]) && n["roles"].size() == 0) {
      r.error(n["roles"], path + ".roles: must name at least one of io, tls, auth");
    }
    if (seen.has("lcore") && !lcores.insert(core.lcore).second) {
      r.error(n["lcore"],
              path + ".lcore: lcore " + std::to_string(core.lcore) + " is listed twice");
    }
    out.cores.push_back(core);
  });
}

const std::vector<field<appliance_config>>& appliance_fields() {
  static const std::vector<field<appliance_config>> fields{
      strings_field("eal", &appliance_config::eal),
      nested<appliance_config>("ports"),
      nested<appliance_config>("cores"),
      {"stack",
       [](yaml_reader& r, const YAML::Node& n, const std::string& p, appliance_config& o) {
         if (!is_null(n)) read_fields(r, n, p, "stack", stack_fields(), o.stack);
       }},
      {"services", [](yaml_reader& r, const YAML::Node& n, const std::string&,
                      appliance_config& o) { read_services(r, n, o.services); }},
      // Read after the table: listener ports are checked against the services.
      nested<appliance_config>("proxy"),
  };
  return fields;
}

}  // namespace

void read_appliance(yaml_reader& r, const YAML::Node& n, appliance_config& out) {
  const std::string path = "ravelin";
  const present_keys seen = read_fields(r, n, path, "ravelin section", appliance_fields(), out);
  if (!is_map(n)) return;
  std::set<std::string> names;
  std::set<std::string> devices;
  for_each_item(r, n["ports"], "ravelin.ports", [&](const YAML::Node& item, const std::string& p) {
    read_port(r, item, p, names, devices, out);
  });
  read_cores(r, n["cores"], out);
  read_proxy(r, n["proxy"], out.services, out.proxy);
  const YAML::Node ports = n["ports"];
  if (is_null(ports) || (is_list(ports) && ports.size() == 0)) {
    r.error(ports.IsDefined() ? ports : n, "ravelin.ports: at least one port is needed");
  }
  const bool io = std::any_of(out.cores.begin(), out.cores.end(),
                              [](const core_config& c) { return c.has(core_role::io); });
  if (!io) {
    r.error(seen.has("cores") ? n["cores"] : n,
            "ravelin.cores: at least one core needs the io role");
  }
}

}  // namespace ravelin::mgmt
