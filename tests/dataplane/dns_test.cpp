// hosts(5) parsing and the snapshot resolver's order (dataplane/src/proxy/dns.h).
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "proxy/dns.h"

namespace ravelin::dataplane::proxy {
namespace {

constexpr uint32_t ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}

TEST(HostsFile, NamesAliasesCommentsAndCase) {
  const auto h = parse_hosts(
      "# comment line\n"
      "198.18.0.1\tOrigin.Test  alias.test # trailing comment\n"
      "  198.18.0.2 other.test\r\n"
      "198.18.0.9 origin.test\n"  // a second address, after the first
      "198.18.0.1 origin.test\n"  // a repeated one is not listed twice
      "::1 v6only.test\n"         // IPv6 entries are skipped: the dataplane is IPv4
      "300.1.1.1 bad.test\n"
      "198.18.0.3\n"  // an address without a name
      "#198.18.0.4 commented.test\n"
      "198.18.0.5 last.test");  // no final newline
  ASSERT_EQ(h.count("origin.test"), 1U);
  EXPECT_EQ(h.at("origin.test"), (std::vector<uint32_t>{ip(198, 18, 0, 1), ip(198, 18, 0, 9)}));
  EXPECT_EQ(h.at("alias.test"), std::vector<uint32_t>{ip(198, 18, 0, 1)});
  EXPECT_EQ(h.at("other.test"), std::vector<uint32_t>{ip(198, 18, 0, 2)});
  EXPECT_EQ(h.at("last.test"), std::vector<uint32_t>{ip(198, 18, 0, 5)});
  EXPECT_EQ(h.count("v6only.test"), 0U);
  EXPECT_EQ(h.count("bad.test"), 0U);
  EXPECT_EQ(h.count("commented.test"), 0U);
  EXPECT_EQ(h.size(), 4U);
}

TEST(HostsFile, EmptyAndBlankInputs) {
  EXPECT_TRUE(parse_hosts("").empty());
  EXPECT_TRUE(parse_hosts("\n\n   \n#\n").empty());
}

class Resolver : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "ravelin_dns_test_hosts";
    std::ofstream(path_) << "198.18.0.7 named.test\n";
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

TEST_F(Resolver, LiteralsThenTheHostsFile) {
  host_resolver r(path_, false);
  EXPECT_EQ(r.resolve("198.18.0.20"), std::vector<uint32_t>{ip(198, 18, 0, 20)});
  EXPECT_EQ(r.resolve("NAMED.test"), std::vector<uint32_t>{ip(198, 18, 0, 7)});
  EXPECT_TRUE(r.resolve("missing.test").empty());  // no system resolver asked
  EXPECT_EQ(r.lookups(), 0U);
}

TEST_F(Resolver, SystemResolverAnswersWhatTheFileLacks) {
  host_resolver r(path_, true);
  // "localhost" comes from the system's own hosts file through getaddrinfo.
  EXPECT_EQ(r.resolve("localhost"), std::vector<uint32_t>{ip(127, 0, 0, 1)});
  EXPECT_EQ(r.resolve("named.test"), std::vector<uint32_t>{ip(198, 18, 0, 7)});
  EXPECT_EQ(r.lookups(), 1U);
  r.resolve("localhost");  // answered from this resolver's cache
  EXPECT_EQ(r.lookups(), 1U);
}

TEST(ResolverWithoutFile, MissingFileMeansNoEntries) {
  host_resolver r("/nonexistent/ravelin/hosts", false);
  EXPECT_TRUE(r.resolve("named.test").empty());
}

}  // namespace
}  // namespace ravelin::dataplane::proxy
