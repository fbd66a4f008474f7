// Second pass over a read config: foreign keys become indexes, and the uniqueness rules that
// need resolved references (one plugin per name and scope, one target per address) are checked.
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "kong_reader.h"

namespace ravelin::mgmt {
namespace {

// Id and endpoint-key lookup for one entity kind; the first definition wins, later ones were
// already reported as duplicates.
class key_index {
 public:
  void add(const std::string& key, size_t i) {
    if (!key.empty()) keys_.emplace(key, i);
  }
  std::optional<size_t> find(const std::string& key) const {
    auto it = keys_.find(key);
    if (it == keys_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::unordered_map<std::string, size_t> keys_;
};

template <class T, class F>
key_index index_of(const std::vector<T>& entities, F name_of) {
  key_index out;
  for (size_t i = 0; i < entities.size(); ++i) {
    out.add(entities[i].id, i);
    out.add(name_of(entities[i]), i);
  }
  return out;
}

const char* kind_name(ref_kind k) {
  switch (k) {
    case ref_kind::service:
      return "service";
    case ref_kind::route:
      return "route";
    case ref_kind::upstream:
      return "upstream";
    case ref_kind::consumer:
      return "consumer";
    case ref_kind::certificate:
      return "certificate";
    case ref_kind::ca_certificate:
      return "ca_certificate";
  }
  return "entity";
}

bool by_id_only(ref_kind k) { return k == ref_kind::certificate || k == ref_kind::ca_certificate; }

long scope_slot(const entity_ref& r) { return r.index ? static_cast<long>(*r.index) : -1; }

void check_plugin_scopes(kong_builder& b) {
  std::map<std::tuple<std::string, long, long, long>, size_t> seen;
  for (size_t i = 0; i < b.kong.plugins.size(); ++i) {
    const plugin& p = b.kong.plugins[i];
    if (p.name.empty()) continue;
    auto key =
        std::make_tuple(p.name, scope_slot(p.service), scope_slot(p.route), scope_slot(p.consumer));
    auto [it, inserted] = seen.emplace(key, i);
    if (inserted) continue;
    b.reader.error(p.mark, b.plugin_paths[i] + ": plugin \"" + p.name +
                               "\" is already configured for this scope (first at line " +
                               std::to_string(b.kong.plugins[it->second].mark.line) + ")");
  }
}

void check_targets(kong_builder& b) {
  std::map<std::pair<size_t, std::string>, source_mark> seen;
  for (const target& t : b.kong.targets) {
    if (!t.upstream.index || t.host.empty()) continue;
    auto [it, inserted] = seen.emplace(std::make_pair(*t.upstream.index, t.target), t.mark);
    if (inserted) continue;
    b.reader.error(t.mark, "target \"" + t.target + "\" appears twice in upstream \"" +
                               b.kong.upstreams[*t.upstream.index].name + "\" (first at line " +
                               std::to_string(it->second.line) + ")");
  }
}

}  // namespace

void resolve_references(kong_builder& b) {
  kong_config& k = b.kong;
  const auto by_name = [](const auto& e) -> const std::string& { return e.name; };
  const auto no_name = [](const auto&) { return std::string(); };
  const key_index services = index_of(k.services, by_name);
  const key_index routes = index_of(k.routes, by_name);
  const key_index upstreams = index_of(k.upstreams, by_name);
  const key_index consumers =
      index_of(k.consumers, [](const consumer& c) -> const std::string& { return c.username; });
  const key_index certificates = index_of(k.certificates, no_name);
  const key_index ca_certificates = index_of(k.ca_certificates, no_name);

  for (const pending_ref& p : b.refs) {
    entity_ref& ref = p.locate(k);
    const key_index* index = nullptr;
    switch (p.target) {
      case ref_kind::service:
        index = &services;
        break;
      case ref_kind::route:
        index = &routes;
        break;
      case ref_kind::upstream:
        index = &upstreams;
        break;
      case ref_kind::consumer:
        index = &consumers;
        break;
      case ref_kind::certificate:
        index = &certificates;
        break;
      case ref_kind::ca_certificate:
        index = &ca_certificates;
        break;
    }
    if (auto found = index->find(ref.key)) {
      ref.index = found;
      continue;
    }
    const std::string how = by_id_only(p.target) ? " with id \"" : " named \"";
    b.reader.error(ref.mark, p.path + ": no " + kind_name(p.target) + how + ref.key + "\"");
  }

  for (const sni& s : k.snis) {
    if (s.certificate.index) k.certificates[*s.certificate.index].snis.push_back(s.name);
  }
  check_plugin_scopes(b);
  check_targets(b);
}

}  // namespace ravelin::mgmt
