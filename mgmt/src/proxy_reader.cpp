// `ravelin.proxy`: listeners (Kong's proxy_listen, one entry per port) and the limits the
// HTTP codec enforces. Listener ports must not clash with each other or with the built-in
// TCP services.
#include <set>

#include "fields.h"
#include "kong_reader.h"

namespace ravelin::mgmt {
namespace {

const std::vector<field<listen_config>>& listen_fields() {
  static const std::vector<field<listen_config>> fields{
      int_field("port", &listen_config::port, 1, 65535),
      bool_field("tls", &listen_config::tls),
      int_field("backlog", &listen_config::backlog, 1, 1 << 20),
  };
  return fields;
}

const std::vector<field<proxy_config>>& proxy_fields() {
  static const std::vector<field<proxy_config>> fields{
      nested<proxy_config>("listen"),
      int_field("max_request_line", &proxy_config::max_request_line, 256, 1 << 20),
      int_field("max_header_bytes", &proxy_config::max_header_bytes, 1024, 1 << 24),
      int_field("max_headers", &proxy_config::max_headers, 8, 10000),
      int_field("client_header_timeout_ms", &proxy_config::client_header_timeout_ms, 100,
                3600000),
      string_field("access_log", &proxy_config::access_log),
      int_field("waf_transactions", &proxy_config::waf_transactions, 1, 65536),
      int_field("waf_response_hold", &proxy_config::waf_response_hold, 0, 1 << 30),
      string_field("dns_hostsfile", &proxy_config::dns_hostsfile),
      bool_field("dns_system_resolver", &proxy_config::dns_system_resolver),
      int_field("dns_refresh_seconds", &proxy_config::dns_refresh_seconds, 1, 86400),
  };
  return fields;
}

std::set<uint16_t> service_ports(const services_config& s) {
  std::set<uint16_t> ports;
  for (const auto& p : {s.echo, s.discard, s.chargen}) {
    if (p) ports.insert(*p);
  }
  for (const auto& f : s.forward) ports.insert(f.listen);
  return ports;
}

}  // namespace

void read_proxy(yaml_reader& r, const YAML::Node& n, const services_config& services,
                proxy_config& out) {
  if (is_null(n)) return;
  const std::string path = "ravelin.proxy";
  read_fields(r, n, path, "proxy", proxy_fields(), out);
  if (!is_map(n) || !n["listen"].IsDefined()) return;
  out.listen.clear();
  std::set<uint16_t> taken = service_ports(services);
  std::set<uint16_t> mine;
  for_each_item(r, n["listen"], path + ".listen",
                [&](const YAML::Node& item, const std::string& p) {
                  listen_config l;
                  const present_keys seen = read_fields(r, item, p, "listener", listen_fields(), l);
                  if (!is_map(item)) return;
                  if (!seen.has("port")) {
                    r.error(item, p + ": missing required field \"port\" in listener");
                    return;
                  }
                  if (l.port == 0) return;
                  if (!mine.insert(l.port).second) {
                    r.error(item["port"], p + ".port: port " + std::to_string(l.port) +
                                              " is listed twice");
                  } else if (taken.count(l.port) != 0) {
                    r.error(item["port"], p + ".port: port " + std::to_string(l.port) +
                                              " is used by a ravelin.services entry");
                  }
                  out.listen.push_back(l);
                });
}

}  // namespace ravelin::mgmt
