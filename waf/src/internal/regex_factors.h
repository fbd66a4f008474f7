// Required-literal extraction: for a PCRE pattern, a set of literals at least one of which
// occurs (ASCII case-insensitively) in every string the pattern matches. The speed path scans
// for these literals with Hyperscan's literal engines, which run at memory speed, and runs the
// full regex only where one was found. In the manner of RE2's prefilter and codesearch's
// trigram queries, reduced to "any of these literals".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ravelin::waf::detail {

// Lower-cased literals, or nothing when the pattern has no usable requirement (it can match
// an empty or arbitrary string, or uses constructs the extractor does not follow).
std::optional<std::vector<std::string>> required_literals(std::string_view pattern);

}  // namespace ravelin::waf::detail
