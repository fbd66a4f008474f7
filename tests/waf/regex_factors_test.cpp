// Required literals and required byte sets (regex_factors.h): small cases for what each must
// see through, and a soundness check on real data: whenever a CRS 3.3.4 regex matches a piece
// of a CRS regression request, the literals and byte sets extracted from it let that piece
// through. A requirement that wrongly rejected a match would make the speed path miss attacks.
#include "internal/regex_factors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "crs_rules.h"
#include "raw_http.h"
#include "ravelin/waf/regex.h"

namespace ravelin::waf::detail {
namespace {

std::vector<std::string> literals(std::string_view p) {
  auto r = required_literals(p);
  return r ? *r : std::vector<std::string>{};
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

byte_set bytes(std::string_view s) {
  byte_set b{};
  for (const unsigned char c : lower(s)) b[c >> 6] |= uint64_t{1} << (c & 63);
  return b;
}

bool contains_all(const byte_set& have, const byte_set& need) {
  for (int w = 0; w < 4; ++w) {
    if (need[w] & ~have[w]) return false;
  }
  return true;
}

// Whether some set of the requirement is inside s's bytes (the byte gate's test).
bool passes(const std::vector<byte_set>& sets, std::string_view s) {
  const byte_set have = bytes(s);
  return std::any_of(sets.begin(), sets.end(), [&](const byte_set& need) { return contains_all(have, need); });
}

TEST(required_literals, exact_runs_join_after_a_part_that_is_not_exact) {
  EXPECT_EQ(literals(R"(\s*?having)"), std::vector<std::string>{"having"});
  EXPECT_EQ(literals(R"((?i)\W+\d*?\s*?having\s*?[^\s\-])"), std::vector<std::string>{"having"});
  EXPECT_EQ(literals(R"(x\d*select\s+from)"), std::vector<std::string>{"select"});
  EXPECT_EQ(literals("a(b|c)d"), (std::vector<std::string>{"abd", "acd"}));
  EXPECT_FALSE(required_literals(R"(^\w*$)"));
  EXPECT_FALSE(required_literals("a|b*"));  // the second branch needs nothing
}

TEST(required_byte_sets, see_through_gaps_between_bytes) {
  const auto script = required_byte_sets(R"(S\s*?C\s*?R\s*?I\s*?P\s*?T\s*?:)");
  ASSERT_TRUE(script);
  EXPECT_TRUE(passes(*script, "s c r i p t:"));
  EXPECT_TRUE(passes(*script, "SCRIPT:"));
  EXPECT_FALSE(passes(*script, "script"));  // no ':'
  const auto alt = required_byte_sets(R"((?:;|\{|\|)\s*\w+)");
  ASSERT_TRUE(alt);
  EXPECT_TRUE(passes(*alt, "a;b"));
  EXPECT_TRUE(passes(*alt, "{x"));
  EXPECT_FALSE(passes(*alt, "json.items.array_9.sku"));
}

// \s is PCRE2's six ASCII whitespace bytes; a command needs one of them or a shell separator.
TEST(required_byte_sets, spell_out_whitespace) {
  const auto sets = required_byte_sets(R"(id(?:\s|;|&|[\s<>]))");
  ASSERT_TRUE(sets);
  for (const char* yes : {"id ", "id\t", "id\v", "id\r", "id;", "id&", "id<"}) EXPECT_TRUE(passes(*sets, yes)) << yes;
  EXPECT_FALSE(passes(*sets, "json.items.array_0.id"));
  EXPECT_EQ(required_literals(R"(a\sb)"), (std::vector<std::string>{"a"}));  // literals: unchanged
}

TEST(required_byte_sets, nothing_when_some_branch_needs_nothing) {
  EXPECT_FALSE(required_byte_sets(R"((?:^|=)\s*(?:x|\w*))"));
  EXPECT_FALSE(required_byte_sets(R"([^a]+)"));
  EXPECT_FALSE(required_byte_sets(R"(\w+)"));
  EXPECT_FALSE(required_byte_sets("a?"));
  EXPECT_FALSE(required_byte_sets("(a"));  // unbalanced: not followed, so nothing
}

// A URL-decoded request and the pieces a WAF inspects separately (lines, arguments), so that
// anchored regexes get to match too.
std::vector<std::string> pieces_of(const std::string& raw) {
  std::string d;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
      d.push_back(static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      d.push_back(raw[i] == '+' ? ' ' : raw[i]);
    }
  }
  std::vector<std::string> out{d};
  size_t start = 0;
  for (size_t i = 0; i <= d.size(); ++i) {
    if (i == d.size() || d[i] == '\n' || d[i] == '&' || d[i] == '=' || d[i] == '?' || d[i] == ' ') {
      if (i > start) out.push_back(d.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

TEST(regex_factors, crs_regexes_matching_crs_attacks_pass_their_requirements) {
  auto rs = test::load_crs();
  ASSERT_TRUE(rs);
  std::vector<std::vector<std::string>> subjects;
  for (const auto& c : test::read_crs_cases(RAVELIN_CRS_CASES)) subjects.push_back(pieces_of(c.raw));
  ASSERT_GT(subjects.size(), 1700u);
  regex_scratch scratch;
  size_t checked = 0, matches = 0;
  for (const auto& r : rs->rules) {
    for (const auto& link : r.links) {
      if (link.op.id != operator_id::rx || !link.op.re) continue;
      const std::string& pattern = link.op.re->pattern();
      const auto lits = required_literals(pattern);
      const auto sets = required_byte_sets(pattern);
      if (!lits && !sets) continue;
      ++checked;
      for (const auto& case_pieces : subjects) {
        for (const auto& s : case_pieces) {
          if (link.op.re->match(s, scratch) != 1) continue;
          ++matches;
          const std::string ls = lower(s);
          if (lits) {
            EXPECT_TRUE(std::any_of(lits->begin(), lits->end(),
                                    [&](const std::string& x) { return ls.find(x) != std::string::npos; }))
                << "rule " << r.id() << " literals reject a match: " << s.substr(0, 200);
          }
          if (sets) {
            EXPECT_TRUE(passes(*sets, s)) << "rule " << r.id() << " byte sets reject a match: " << s.substr(0, 200);
          }
        }
      }
    }
  }
  std::printf("%zu CRS regexes with requirements, %zu matches checked\n", checked, matches);
  EXPECT_GT(checked, 200u);
  EXPECT_GT(matches, 1000u);
}

}  // namespace
}  // namespace ravelin::waf::detail
