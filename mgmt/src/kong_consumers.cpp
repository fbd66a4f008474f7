// Consumers and their credentials (kong.md §1.6, §1.7). Kong generates missing keys and
// secrets; a declarative file has no way to tell a client such a value, so they are required.
#include "fields.h"
#include "kong_names.h"
#include "kong_reader.h"

namespace ravelin::mgmt {
namespace {

template <class C>
field<C> consumer_field() {
  return {"consumer", [](yaml_reader& r, const YAML::Node& n, const std::string& p, C& o) {
            read_entity_ref(r, n, p, o.consumer);
          }};
}

// How one credential type is read: its table, where it lands, what must be present and
// which field is unique across all consumers.
template <class C>
struct credential_spec {
  std::string_view what;
  std::vector<field<C>> fields;
  std::vector<C> kong_config::*list;
  std::vector<std::string_view> required;
  std::string C::*unique_field = nullptr;
  std::string_view unique_key;
};

const credential_spec<keyauth_credential> k_keyauth{
    "keyauth credential",
    {id_field("id", &keyauth_credential::id), string_field("key", &keyauth_credential::key),
     optional_int_field("ttl", &keyauth_credential::ttl, 0, 100000000),
     strings_field("tags", &keyauth_credential::tags), consumer_field<keyauth_credential>()},
    &kong_config::keyauth_credentials,
    {"key"},
    &keyauth_credential::key,
    "key"};

const credential_spec<basicauth_credential> k_basicauth{
    "basicauth credential",
    {id_field("id", &basicauth_credential::id),
     string_field("username", &basicauth_credential::username),
     string_field("password", &basicauth_credential::password),
     strings_field("tags", &basicauth_credential::tags), consumer_field<basicauth_credential>()},
    &kong_config::basicauth_credentials,
    {"username", "password"},
    &basicauth_credential::username,
    "username"};

const credential_spec<jwt_secret> k_jwt{
    "jwt secret",
    {id_field("id", &jwt_secret::id), string_field("key", &jwt_secret::key),
     string_field("secret", &jwt_secret::secret),
     optional_string_field("rsa_public_key", &jwt_secret::rsa_public_key),
     enum_field("algorithm", &jwt_secret::algorithm, "jwt algorithm", k_jwt_algorithm_names),
     strings_field("tags", &jwt_secret::tags), consumer_field<jwt_secret>()},
    &kong_config::jwt_secrets,
    {"key"},
    &jwt_secret::key,
    "key"};

const credential_spec<acl> k_acl{"acl",
                                 {id_field("id", &acl::id), string_field("group", &acl::group),
                                  strings_field("tags", &acl::tags), consumer_field<acl>()},
                                 &kong_config::acls,
                                 {"group"}};

const credential_spec<hmacauth_credential> k_hmacauth{
    "hmacauth credential",
    {id_field("id", &hmacauth_credential::id),
     string_field("username", &hmacauth_credential::username),
     string_field("secret", &hmacauth_credential::secret),
     strings_field("tags", &hmacauth_credential::tags), consumer_field<hmacauth_credential>()},
    &kong_config::hmacauth_credentials,
    {"username", "secret"},
    &hmacauth_credential::username,
    "username"};

// HS* verify with the shared secret, everything else with a public key.
void check_jwt(yaml_reader& r, const YAML::Node& n, const std::string& path,
               const present_keys& seen, const jwt_secret& j) {
  const bool shared = j.algorithm == jwt_algorithm::hs256 || j.algorithm == jwt_algorithm::hs384 ||
                      j.algorithm == jwt_algorithm::hs512;
  if (shared && !seen.has("secret")) {
    r.error(n, path + ": missing required field \"secret\" in jwt secret (algorithm " +
                   std::string(to_string(j.algorithm)) + ")");
  } else if (!shared && !j.rsa_public_key) {
    r.error(n, path + ": missing required field \"rsa_public_key\" in jwt secret (algorithm " +
                   std::string(to_string(j.algorithm)) + ")");
  }
}

template <class C>
void read_one(kong_builder& b, const credential_spec<C>& spec, const YAML::Node& n,
              const std::string& path, const entity_ref* consumer) {
  yaml_reader& r = b.reader;
  C c;
  c.mark = mark_of(n);
  const present_keys seen = read_fields(r, n, path, spec.what, spec.fields, c);
  if (!is_map(n)) return;
  for (std::string_view key : spec.required) {
    if (!seen.has(key)) {
      r.error(n, path + ": missing required field \"" + std::string(key) + "\" in " +
                     std::string(spec.what));
    }
  }
  if constexpr (std::is_same_v<C, jwt_secret>) check_jwt(r, n, path, seen, c);
  if (spec.unique_field && !(c.*spec.unique_field).empty()) {
    const std::string key(spec.unique_key);
    b.unique(std::string(spec.what) + " " + key, c.*spec.unique_field, mark_of(n[key]),
             path + "." + key);
  }
  if (consumer) {
    if (seen.has("consumer")) {
      r.error(n["consumer"], path +
                                 ".consumer: a nested credential belongs to its enclosing "
                                 "consumer; remove this key");
    }
    c.consumer = *consumer;
  } else if (!seen.has("consumer")) {
    r.error(n, path + ": missing required field \"consumer\" in " + std::string(spec.what));
  }
  auto& list = b.kong.*spec.list;
  const size_t index = list.size();
  list.push_back(std::move(c));
  const auto member = spec.list;
  b.want(ref_kind::consumer, path + ".consumer",
         [index, member](kong_config& k) -> entity_ref& { return (k.*member)[index].consumer; });
}

const std::vector<field<consumer>>& consumer_fields() {
  static const std::vector<field<consumer>> fields{
      id_field("id", &consumer::id),
      string_field("username", &consumer::username),
      string_field("custom_id", &consumer::custom_id),
      strings_field("tags", &consumer::tags),
      nested<consumer>("keyauth_credentials"),
      nested<consumer>("basicauth_credentials"),
      nested<consumer>("jwt_secrets"),
      nested<consumer>("acls"),
      nested<consumer>("hmacauth_credentials"),
      nested<consumer>("plugins"),
  };
  return fields;
}

}  // namespace

void read_credential(kong_builder& b, credential_kind kind, const YAML::Node& n,
                     const std::string& path, const entity_ref* consumer) {
  switch (kind) {
    case credential_kind::keyauth:
      return read_one(b, k_keyauth, n, path, consumer);
    case credential_kind::basicauth:
      return read_one(b, k_basicauth, n, path, consumer);
    case credential_kind::jwt:
      return read_one(b, k_jwt, n, path, consumer);
    case credential_kind::acl:
      return read_one(b, k_acl, n, path, consumer);
    case credential_kind::hmacauth:
      return read_one(b, k_hmacauth, n, path, consumer);
  }
}

void read_consumer(kong_builder& b, const YAML::Node& n, const std::string& path) {
  yaml_reader& r = b.reader;
  consumer c;
  c.mark = mark_of(n);
  const present_keys seen = read_fields(r, n, path, "consumer", consumer_fields(), c);
  if (!is_map(n)) return;
  if (!seen.has("username") && !seen.has("custom_id")) {
    r.error(n, path + ": a consumer needs \"username\" or \"custom_id\"");
  }
  if (!c.username.empty()) {
    b.unique("consumer username", c.username, mark_of(n["username"]), path + ".username");
  }
  if (!c.custom_id.empty()) {
    b.unique("consumer custom_id", c.custom_id, mark_of(n["custom_id"]), path + ".custom_id");
  }
  if (!c.id.empty()) b.unique("consumer id", c.id, mark_of(n["id"]), path + ".id");

  const size_t index = b.kong.consumers.size();
  const entity_ref self = parent_ref(c.id, c.username, index, c.mark);
  b.kong.consumers.push_back(std::move(c));
  const std::pair<const char*, credential_kind> nested_lists[] = {
      {"keyauth_credentials", credential_kind::keyauth},
      {"basicauth_credentials", credential_kind::basicauth},
      {"jwt_secrets", credential_kind::jwt},
      {"acls", credential_kind::acl},
      {"hmacauth_credentials", credential_kind::hmacauth},
  };
  for (const auto& entry : nested_lists) {
    // Not a structured binding: clang 14 cannot capture those in a lambda.
    const credential_kind kind = entry.second;
    for_each_item(r, n[entry.first], path + "." + entry.first,
                  [&](const YAML::Node& item, const std::string& p) {
                    read_credential(b, kind, item, p, &self);
                  });
  }
  for_each_item(r, n["plugins"], path + ".plugins",
                [&](const YAML::Node& item, const std::string& p) {
                  read_plugin(b, item, p, plugin_parent{.consumer = &self});
                });
}

}  // namespace ravelin::mgmt
