// Required-literal extraction: for a PCRE pattern, a set of literals at least one of which
// occurs (ASCII case-insensitively) in every string the pattern matches. The speed path scans
// for these literals with Hyperscan's literal engines, which run at memory speed, and runs the
// full regex only where one was found. In the manner of RE2's prefilter and codesearch's
// trigram queries, reduced to "any of these literals".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ravelin::waf::detail {

// Lower-cased literals, or nothing when the pattern has no usable requirement (it can match
// an empty or arbitrary string, or uses constructs the extractor does not follow).
std::optional<std::vector<std::string>> required_literals(std::string_view pattern);

// 256-bit set of lower-cased bytes.
using byte_set = std::array<uint64_t, 4>;

// Byte sets at least one of which a matching string contains every byte of (lower-cased),
// the bytes in any order and place; nothing when there is no such requirement. Weaker than
// literals per set, but it sees through `\s*` between letters and single-byte alternatives.
std::optional<std::vector<byte_set>> required_byte_sets(std::string_view pattern);

}  // namespace ravelin::waf::detail
