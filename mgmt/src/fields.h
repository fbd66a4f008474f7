// Field tables: each entity lists its keys once with how to read them, and one loop reads a
// YAML map through the table. Unknown keys (with a suggestion), duplicate keys and wrong types
// are reported uniformly at every level.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "yaml_reader.h"

namespace ravelin::mgmt {

template <class T>
struct field {
  std::string_view key;
  // Null: the key is known but read by the caller (nested entities).
  std::function<void(yaml_reader&, const YAML::Node&, const std::string&, T&)> read;
};

// The keys a map had, for required-field and conflict checks.
struct present_keys {
  std::vector<std::string> keys;
  bool has(std::string_view k) const {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  }
};

// Reads `map` into `out` through `fields`. `what` names the record in messages ("route").
template <class T>
present_keys read_fields(yaml_reader& r, const YAML::Node& map, const std::string& path,
                         std::string_view what, const std::vector<field<T>>& fields, T& out) {
  present_keys seen;
  if (!r.expect_map(map, path, what)) return seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    const std::string prefix = path.empty() ? "" : path + ": ";
    if (!is_scalar(key_node)) {
      r.error(key_node, prefix + "keys must be strings, got " + describe(key_node));
      continue;
    }
    const std::string& key = key_node.Scalar();
    if (seen.has(key)) {
      r.error(key_node, prefix + "duplicate key \"" + key + "\"");
      continue;
    }
    seen.keys.push_back(key);
    auto f =
        std::find_if(fields.begin(), fields.end(), [&](const field<T>& f) { return f.key == key; });
    if (f == fields.end()) {
      std::vector<std::string_view> names;
      for (const auto& candidate : fields) names.push_back(candidate.key);
      std::string message = prefix + "unknown key \"" + key + "\" in " + std::string(what);
      if (auto close = closest_word(key, names); !close.empty()) {
        message += " (did you mean \"" + std::string(close) + "\"?)";
      }
      r.error(key_node, message);
      continue;
    }
    if (f->read) f->read(r, value, key_path(path, key), out);
  }
  return seen;
}

template <class T>
field<T> nested(std::string_view key) {
  return {key, nullptr};
}

template <class T>
field<T> string_field(std::string_view key, std::string T::*m) {
  return {key, [m](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            r.read_string(n, p, o.*m);
          }};
}

template <class T>
field<T> optional_string_field(std::string_view key, std::optional<std::string> T::*m) {
  return {key, [m](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            std::string s;
            if (is_null(n)) {
              (o.*m).reset();
            } else if (r.read_string(n, p, s)) {
              o.*m = std::move(s);
            }
          }};
}

template <class T, class I>
field<T> int_field(std::string_view key, I T::*m, int64_t lo, int64_t hi) {
  return {key, [m, lo, hi](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            int64_t v = 0;
            if (r.read_int(n, p, lo, hi, v)) o.*m = static_cast<I>(v);
          }};
}

template <class T, class I>
field<T> optional_int_field(std::string_view key, std::optional<I> T::*m, int64_t lo, int64_t hi) {
  return {key, [m, lo, hi](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            int64_t v = 0;
            if (is_null(n)) {
              (o.*m).reset();
            } else if (r.read_int(n, p, lo, hi, v)) {
              o.*m = static_cast<I>(v);
            }
          }};
}

template <class T>
field<T> number_field(std::string_view key, double T::*m, double lo, double hi) {
  return {key, [m, lo, hi](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            r.read_number(n, p, lo, hi, o.*m);
          }};
}

template <class T>
field<T> bool_field(std::string_view key, bool T::*m) {
  return {key, [m](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            r.read_bool(n, p, o.*m);
          }};
}

template <class T>
field<T> optional_bool_field(std::string_view key, std::optional<bool> T::*m) {
  return {key, [m](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            bool b = false;
            if (is_null(n)) {
              (o.*m).reset();
            } else if (r.read_bool(n, p, b)) {
              o.*m = b;
            }
          }};
}

template <class T>
field<T> strings_field(std::string_view key, std::vector<std::string> T::*m) {
  return {key, [m](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            r.read_string_list(n, p, o.*m);
          }};
}

// An enum written as one of `names`, which is indexed by the enum's value.
template <class T, class E>
field<T> enum_field(std::string_view key, E T::*m, std::string_view what,
                    std::span<const std::string_view> names) {
  return {key, [m, what, names](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            size_t i = 0;
            if (r.read_choice(n, p, what, names, i)) o.*m = static_cast<E>(i);
          }};
}

template <class T, class E>
field<T> enum_list_field(std::string_view key, std::vector<E> T::*m, std::string_view what,
                         std::span<const std::string_view> names) {
  return {key, [m, what, names](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            if (!r.expect_list(n, p)) return;
            std::vector<E> values;
            for (size_t i = 0; i < n.size(); ++i) {
              size_t v = 0;
              if (!r.read_choice(n[i], index_path(p, i), what, names, v)) return;
              if (std::find(values.begin(), values.end(), static_cast<E>(v)) == values.end()) {
                values.push_back(static_cast<E>(v));
              }
            }
            o.*m = std::move(values);
          }};
}

// A nested record (healthchecks.active, ...) read through its own table.
template <class T, class U>
field<T> record_field(std::string_view key, U T::*m, std::string_view what,
                      const std::vector<field<U>>& sub) {
  return {key, [m, what, &sub](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            if (!is_null(n)) read_fields(r, n, p, what, sub, o.*m);
          }};
}

// Entity ids are UUIDs in Kong; anything else would not survive a round trip to decK.
bool is_uuid(std::string_view s);

template <class T>
field<T> id_field(std::string_view key, std::string T::*m) {
  return {key, [m](yaml_reader& r, const YAML::Node& n, const std::string& p, T& o) {
            std::string s;
            if (!r.read_string(n, p, s)) return;
            if (!is_uuid(s)) {
              r.error(n, p + ": \"" + s + "\" is not a UUID");
              return;
            }
            o.*m = std::move(s);
          }};
}

}  // namespace ravelin::mgmt
