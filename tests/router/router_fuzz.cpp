// Fuzz target for the router: arbitrary requests against a fixed router with every kind of
// matcher, and (inputs starting with "R\n") routers built from arbitrary route lines.
// Request input: lines method, host, raw path with query, sni, scheme digit, local port, then
// "name: value" header lines. Route lines: "host|path|method|header-name=value".
#include <cassert>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ravelin/router/path.h"
#include "ravelin/router/router.h"

namespace {

using namespace ravelin;

struct field {
  std::string_view name;
  std::string_view value;
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos) return out;
    s.remove_prefix(i + 1);
  }
}

mgmt::route make_route(std::string name, std::vector<std::string> hosts,
                       std::vector<std::string> paths) {
  mgmt::route r;
  r.name = std::move(name);
  r.service.index = 0;
  r.hosts = std::move(hosts);
  r.paths = std::move(paths);
  return r;
}

mgmt::kong_config fixed_config() {
  mgmt::kong_config k;
  k.services.push_back(mgmt::service{.name = "s", .host = "origin.test", .path = "/base/"});
  k.routes.push_back(make_route("plain", {"api.test", "api.test:8443"}, {"/v1", "/v2/x"}));
  k.routes.push_back(make_route("wild", {"*.wild.test", "pre.*"}, {"~/(?<id>\\d+)/(.*)$"}));
  k.routes.push_back(make_route("root", {}, {"/"}));
  mgmt::route h = make_route("headers", {}, {"/h"});
  h.headers.push_back({"x-a", {"one", "~*^t(w|o)+$"}});
  h.methods = {"GET", "PURGE"};
  h.strip_path = false;
  h.preserve_host = true;
  k.routes.push_back(h);
  mgmt::route tls = make_route("tls", {"secure.test"}, {});
  tls.protocols = {mgmt::protocol_type::https};
  tls.snis = {"secure.test."};
  tls.https_redirect_status_code = 308;
  k.routes.push_back(tls);
  mgmt::route v1 = make_route("v1", {}, {"/old/"});
  v1.path_handling = mgmt::path_handling_type::v1;
  k.routes.push_back(v1);
  return k;
}

void check(const router::match_result& r, router::match_status st, std::string_view path) {
  if (st != router::match_status::matched) return;
  if (r.route == nullptr || r.upstream_target.empty()) std::abort();
  for (size_t i = 0; i < r.uri_captures.count; ++i) {
    const std::string_view g = r.uri_captures.group[i];
    if (g.data() != nullptr && (g.data() < path.data() || g.data() + g.size() > path.data() + path.size())) {
      std::abort();
    }
  }
}

void run_request(const router::router& rt, std::string_view text) {
  static router::match_scratch scratch;
  const auto lines = split(text, '\n');
  auto line = [&](size_t i) { return i < lines.size() ? lines[i] : std::string_view{}; };
  std::vector<field> fields;
  for (size_t i = 6; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    fields.push_back({lines[i].substr(0, colon),
                      colon == std::string_view::npos ? std::string_view{} : lines[i].substr(colon + 1)});
  }
  router::field_list_source<field> headers(fields);
  const std::string_view raw = line(2);
  const size_t q = raw.find('?');
  std::string normalized(raw.size(), '\0');
  const auto path = router::normalize_path(raw.substr(0, q), normalized);
  if (!path) std::abort();  // the output never exceeds the input
  router::match_input in;
  in.method = line(0);
  in.host = line(1);
  in.path = *path;
  in.query = q == std::string_view::npos ? std::string_view{} : raw.substr(q);
  in.sni = line(3);
  in.proto = static_cast<router::scheme>(line(4).empty() ? 0 : line(4)[0] & 3);
  in.port = static_cast<uint16_t>(std::atoi(std::string(line(5)).c_str()));
  in.headers = &headers;
  char target[256];
  router::match_result result;
  const auto st = rt.match(in, scratch, target, result);
  check(result, st, *path);
  char location[128];
  (void)router::https_location(in.host, raw, location);
}

// "R\n" then route lines, a blank line, then a request as above.
void run_built(std::string_view text) {
  const size_t split_at = text.find("\n\n");
  mgmt::kong_config k;
  k.services.push_back(mgmt::service{.name = "s", .host = "origin.test"});
  for (std::string_view l : split(text.substr(0, split_at), '\n')) {
    const auto parts = split(l, '|');
    mgmt::route r = make_route("r", {}, {});
    if (!parts[0].empty()) r.hosts.emplace_back(parts[0]);
    if (parts.size() > 1 && !parts[1].empty()) r.paths.emplace_back(parts[1]);
    if (parts.size() > 2 && !parts[2].empty()) r.methods.emplace_back(parts[2]);
    if (parts.size() > 3) {
      const size_t eq = parts[3].find('=');
      r.headers.push_back({std::string(parts[3].substr(0, eq)),
                           {std::string(eq == std::string_view::npos ? "" : parts[3].substr(eq + 1))}});
    }
    k.routes.push_back(std::move(r));
  }
  const router::build_result b = router::router::build(k);
  if (!b.ok() || split_at == std::string_view::npos) return;
  run_request(*b.router, text.substr(split_at + 2));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.starts_with("R\n")) {
    run_built(text.substr(2));
    return 0;
  }
  static const auto fixed = router::router::build(fixed_config()).router;
  run_request(*fixed, text);
  return 0;
}
