// The echo reply checked field by field (the golden tables compare whole frames; this says
// what in them matters), with checksums verified by the builder's own RFC 1071 code.
#include "echo_helpers.h"

namespace ravelin::test {
namespace {

bool checksum_verifies(const bytes& b, std::size_t off, std::size_t len) {
  return inet_checksum(b.data() + off, len) == 0;
}

TEST_F(stack_test, echo_reply_fields) {
  const echo e = echo_with([](echo& x) {
    x.ip.ttl = 3;
    x.ip.options = {1, 1, 1, 0};  // NOP NOP NOP EOL
    x.icmp.payload.assign(1000, 0x5a);
  });
  const bytes in = request(e);
  feed(in);
  const auto out = drain(0);
  ASSERT_EQ(out.size(), 1u);
  const bytes& r = out[0];
  ASSERT_EQ(r.size(), in.size() - 4) << "options removed";
  EXPECT_TRUE(std::equal(r.begin(), r.begin() + 6, in.begin() + 6)) << "dst MAC = requester";
  EXPECT_TRUE(std::equal(r.begin() + 6, r.begin() + 12, k_our_mac0.addr_bytes));
  EXPECT_EQ(r[14], 0x45);
  EXPECT_EQ(read16(r, 16), r.size() - 14);
  EXPECT_EQ(r[22], 64) << "TTL";
  EXPECT_EQ(read32(r, 26), k_our_ip0);
  EXPECT_EQ(read32(r, 30), k_peer_ip);
  EXPECT_TRUE(checksum_verifies(r, 14, 20)) << "IPv4 header checksum";
  EXPECT_EQ(r[34], 0) << "echo reply";
  EXPECT_EQ(read16(r, 38), e.icmp.id);
  EXPECT_EQ(read16(r, 40), e.icmp.seq);
  EXPECT_TRUE(std::equal(r.begin() + 42, r.end(), e.icmp.payload.begin())) << "data preserved";
  EXPECT_TRUE(checksum_verifies(r, 34, r.size() - 34)) << "ICMP checksum";
}

// Every identifier/sequence/type/code combination's incremental checksum must verify, in
// particular those where the RFC 1624 update lands on 0x0000 / 0xffff.
TEST_F(stack_test, echo_reply_checksum_edge_cases) {
  for (uint16_t id : {0x0000, 0x0001, 0xf7ff, 0xffff, 0x0800}) {
    for (uint8_t code : {0, 1, 0xff}) {
      echo e;
      e.icmp.id = id;
      e.icmp.seq = 0;
      e.icmp.code = code;
      e.icmp.payload.clear();
      feed(request(e));
      const auto out = drain(0);
      ASSERT_EQ(out.size(), 1u);
      EXPECT_TRUE(checksum_verifies(out[0], 34, out[0].size() - 34))
          << "id " << id << " code " << int{code};
    }
  }
}

}  // namespace
}  // namespace ravelin::test
