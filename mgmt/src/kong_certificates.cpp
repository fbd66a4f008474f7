// Certificates with their SNIs, and CA certificates (kong.md §1.6). PEM contents are checked
// only for shape here; parsing them is the TLS module's job when the snapshot is compiled.
#include "fields.h"
#include "kong_reader.h"
#include "net_parse.h"

namespace ravelin::mgmt {
namespace {

const std::vector<field<certificate>>& certificate_fields() {
  static const std::vector<field<certificate>> fields{
      id_field("id", &certificate::id),
      string_field("cert", &certificate::cert),
      string_field("key", &certificate::key),
      optional_string_field("cert_alt", &certificate::cert_alt),
      optional_string_field("key_alt", &certificate::key_alt),
      strings_field("tags", &certificate::tags),
      nested<certificate>("snis"),
  };
  return fields;
}

const std::vector<field<sni>>& sni_fields() {
  static const std::vector<field<sni>> fields{
      id_field("id", &sni::id),
      string_field("name", &sni::name),
      strings_field("tags", &sni::tags),
      {"certificate", [](yaml_reader& r, const YAML::Node& n, const std::string& p,
                         sni& o) { read_entity_ref(r, n, p, o.certificate); }},
  };
  return fields;
}

const std::vector<field<ca_certificate>>& ca_certificate_fields() {
  static const std::vector<field<ca_certificate>> fields{
      id_field("id", &ca_certificate::id),
      string_field("cert", &ca_certificate::cert),
      optional_string_field("cert_digest", &ca_certificate::cert_digest),
      strings_field("tags", &ca_certificate::tags),
  };
  return fields;
}

void require_pem(yaml_reader& r, const YAML::Node& n, const std::string& path,
                 const present_keys& seen, const char* key, const std::string& value,
                 std::string_view what) {
  if (!seen.has(key)) {
    r.error(n, path + ": missing required field \"" + key + "\" in " + std::string(what));
  } else if (!value.empty() && value.find("-----BEGIN ") == std::string::npos) {
    r.error(n[key], path + "." + key + ": not a PEM block (no \"-----BEGIN\" line)");
  }
}

}  // namespace

void read_certificate(kong_builder& b, const YAML::Node& n, const std::string& path) {
  yaml_reader& r = b.reader;
  certificate c;
  c.mark = mark_of(n);
  const present_keys seen = read_fields(r, n, path, "certificate", certificate_fields(), c);
  if (!is_map(n)) return;
  require_pem(r, n, path, seen, "cert", c.cert, "certificate");
  require_pem(r, n, path, seen, "key", c.key, "certificate");
  if (c.cert_alt.has_value() != c.key_alt.has_value()) {
    r.error(n, path + ": cert_alt and key_alt go together");
  }
  if (!c.id.empty()) b.unique("certificate id", c.id, mark_of(n["id"]), path + ".id");

  const size_t index = b.kong.certificates.size();
  const entity_ref self = parent_ref(c.id, "", index, c.mark);
  b.kong.certificates.push_back(std::move(c));
  // The shorthand accepts bare names as well as full sni entities.
  for_each_item(r, n["snis"], path + ".snis", [&](const YAML::Node& item, const std::string& p) {
    if (is_scalar(item)) {
      YAML::Node as_map(YAML::NodeType::Map);
      as_map["name"] = item;
      read_sni(b, as_map, p, &self);
      b.kong.snis.back().mark = mark_of(item);
    } else {
      read_sni(b, item, p, &self);
    }
  });
}

void read_sni(kong_builder& b, const YAML::Node& n, const std::string& path,
              const entity_ref* certificate) {
  yaml_reader& r = b.reader;
  sni s;
  s.mark = mark_of(n);
  const present_keys seen = read_fields(r, n, path, "sni", sni_fields(), s);
  if (!is_map(n)) return;
  if (!seen.has("name")) {
    r.error(n, path + ": missing required field \"name\" in sni");
  } else if (!s.name.empty() && route_host_problem(s.name)) {
    r.error(n["name"], path + ".name: \"" + s.name + "\" is not a host name or wildcard");
  } else if (!s.name.empty()) {
    b.unique("sni name", s.name, mark_of(n["name"]), path + ".name");
  }
  if (certificate) {
    if (seen.has("certificate")) {
      r.error(n["certificate"], path + ".certificate: implied by nesting; remove this key");
    }
    s.certificate = *certificate;
  } else if (!seen.has("certificate")) {
    r.error(n, path + ": missing required field \"certificate\" in sni");
  }
  const size_t index = b.kong.snis.size();
  b.kong.snis.push_back(std::move(s));
  b.want(ref_kind::certificate, path + ".certificate",
         [index](kong_config& k) -> entity_ref& { return k.snis[index].certificate; });
}

void read_ca_certificate(kong_builder& b, const YAML::Node& n, const std::string& path) {
  yaml_reader& r = b.reader;
  ca_certificate c;
  c.mark = mark_of(n);
  const present_keys seen = read_fields(r, n, path, "ca_certificate", ca_certificate_fields(), c);
  if (!is_map(n)) return;
  require_pem(r, n, path, seen, "cert", c.cert, "ca_certificate");
  if (!c.id.empty()) b.unique("ca_certificate id", c.id, mark_of(n["id"]), path + ".id");
  b.kong.ca_certificates.push_back(std::move(c));
}

}  // namespace ravelin::mgmt
