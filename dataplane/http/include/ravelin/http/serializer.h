// Writes a request or response head for the next hop into a caller buffer: the parsed
// fields minus hop-by-hop ones (RFC 9110 §7.6.1) and any the caller names, plus the fields
// the caller adds. Always HTTP/1.1. No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "ravelin/http/http_types.h"

namespace ravelin::http {

struct head_edit {
  std::span<const std::string_view> remove;  // more field names to drop, case-insensitive
  std::span<const header_field> add;         // appended after the kept fields, validated
};

enum class write_status : uint8_t {
  ok,
  no_space,       // `out` is too small; its contents are unspecified
  invalid_field,  // an added field, the method, target or reason would corrupt the head
};

struct write_result {
  write_status status;
  std::size_t size;  // bytes written when ok
};

// RFC 9110 §7.6.1: Connection, the fields it names, Proxy-Connection, Keep-Alive, TE,
// Transfer-Encoding and Upgrade apply to one hop only. `fields` supplies the Connection lines.
bool is_hop_by_hop(std::string_view name, std::span<const header_field> fields);

[[nodiscard]] write_result write_request_head(std::span<char> out, std::string_view method,
                                              std::string_view target,
                                              std::span<const header_field> fields,
                                              const head_edit& edit);

[[nodiscard]] write_result write_response_head(std::span<char> out, uint16_t status,
                                               std::string_view reason,
                                               std::span<const header_field> fields,
                                               const head_edit& edit);

}  // namespace ravelin::http
