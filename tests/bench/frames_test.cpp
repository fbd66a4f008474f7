// The packet blaster's frames (bench/loadgen/frames.h): sizes, checksums, the in-place SYN
// rewrite against a fresh build, and the classification of answers, good and forged.
#include "frames.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace ravelin::bench::frames {
namespace {

constexpr uint32_t k_us = 0xC6120A0A;    // 198.18.10.10
constexpr uint32_t k_peer = 0xC6120A01;  // 198.18.10.1

endpoints ours() {
  endpoints ep;
  ep.src_mac = {0x02, 0, 0, 0, 0, 0x02};
  ep.dst_mac = {0x02, 0, 0, 0, 0, 0x01};
  ep.src_ip = k_us;
  ep.dst_ip = k_peer;
  return ep;
}

endpoints theirs() {
  endpoints ep = ours();
  std::swap(ep.src_mac, ep.dst_mac);
  std::swap(ep.src_ip, ep.dst_ip);
  return ep;
}

bool ip_checksum_ok(const std::vector<uint8_t>& f) {
  return fold(sum16({f.data() + k_eth_len, k_ipv4_len})) == 0xffff;
}

// What an RFC 792 responder sends back: addresses swapped, type 0, checksum adjusted.
std::vector<uint8_t> reply_to(std::vector<uint8_t> f) {
  for (int i = 0; i < 6; ++i) std::swap(f[i], f[6 + i]);
  for (int i = 0; i < 4; ++i) std::swap(f[26 + i], f[30 + i]);
  uint8_t* icmp = f.data() + k_eth_len + k_ipv4_len;
  icmp[0] = 0;
  icmp[2] = icmp[3] = 0;
  const uint32_t len = ((f[16] << 8) | f[17]) - k_ipv4_len;
  const uint16_t c = static_cast<uint16_t>(~fold(sum16({icmp, len})));
  icmp[2] = static_cast<uint8_t>(c >> 8);
  icmp[3] = static_cast<uint8_t>(c);
  return f;
}

TEST(frames, sizes_count_the_fcs) {
  EXPECT_EQ(buffer_len(64), 60u);
  EXPECT_EQ(buffer_len(1518), 1514u);
  EXPECT_EQ(buffer_len(63), 0u);
  EXPECT_EQ(buffer_len(1519), 0u);
}

TEST(frames, echo_requests_of_every_rfc2544_size_verify) {
  for (uint32_t size : {64u, 128u, 256u, 512u, 1024u, 1280u, 1518u}) {
    std::vector<uint8_t> f(2048);
    const uint32_t len = build_echo_request(f, ours(), 7, 42, size);
    ASSERT_EQ(len, size - 4) << size;
    f.resize(len);
    EXPECT_TRUE(ip_checksum_ok(f)) << size;
    EXPECT_EQ(fold(sum16({f.data() + 34, len - 34})), 0xffff) << size;
    // A reflector's copy of the request is not an answer; a responder's reply is.
    EXPECT_EQ(classify(f, ours(), 7, 64, true), verdict::other);
    uint16_t seq = 0;
    EXPECT_EQ(classify(reply_to(f), ours(), 7, 64, true, &seq), verdict::echo_reply) << size;
    EXPECT_EQ(seq, 42);
  }
  std::vector<uint8_t> small(40);
  EXPECT_EQ(build_echo_request(small, ours(), 7, 1, 64), 0u);
}

TEST(frames, forged_echo_replies_are_mismatches) {
  std::vector<uint8_t> f(1514);
  f.resize(build_echo_request(f, ours(), 7, 3, 1518));
  const auto good = reply_to(f);
  EXPECT_EQ(classify(good, ours(), 8, 64, false), verdict::mismatch);  // not our id
  EXPECT_EQ(classify(good, ours(), 7, 3, false), verdict::mismatch);   // seq never sent
  auto corrupt = good;
  corrupt[700] ^= 1;  // checksum no longer verifies
  EXPECT_EQ(classify(corrupt, ours(), 7, 64, false), verdict::mismatch);
  // Another request's payload under this sequence number, its checksum made valid: only
  // the payload check tells.
  std::vector<uint8_t> other(1514);
  other.resize(build_echo_request(other, ours(), 7, 4, 1518));
  other[41] = 3;  // seq 4 -> 3, then answered (reply_to recomputes the checksum)
  const auto relabelled = reply_to(other);
  EXPECT_EQ(classify(relabelled, ours(), 7, 64, false), verdict::echo_reply);
  EXPECT_EQ(classify(relabelled, ours(), 7, 64, true), verdict::mismatch);
}

TEST(frames, syn_rewrite_equals_a_fresh_build) {
  std::vector<uint8_t> a(64), b(64);
  ASSERT_EQ(build_syn(a, ours(), 0xC6130001, 1111, 80), k_min_buffer);
  a.resize(k_min_buffer);
  for (uint64_t n = 0; n < 1000; ++n) {
    uint32_t ip = 0;
    uint16_t port = 0;
    flood_source(n, ip, port);
    rewrite_syn_source(a, ip, port);
    b.assign(64, 0);
    b.resize(build_syn(b, ours(), ip, port, 80));
    ASSERT_EQ(a, b) << n;
  }
  EXPECT_TRUE(ip_checksum_ok(a));
}

TEST(frames, flood_sources_are_off_link_and_spread) {
  std::set<std::pair<uint32_t, uint16_t>> seen;
  for (uint64_t n = 0; n < 10000; ++n) {
    uint32_t ip = 0;
    uint16_t port = 0;
    flood_source(n, ip, port);
    EXPECT_EQ(ip >> 16, 0xC613u);  // 198.19/16
    EXPECT_GE(port, 1024);
    seen.emplace(ip, port);
  }
  EXPECT_GE(seen.size(), 9990u);
}

// A peer's SYN-ACK to the flood source (src, port), built with the peer as "us".
std::vector<uint8_t> syn_ack(uint32_t src, uint16_t port, uint32_t ack) {
  endpoints peer = theirs();
  peer.dst_ip = src;
  syn_ack_fields sa;
  sa.our_ip = k_peer;
  sa.our_port = 80;
  sa.peer_port = port;
  sa.ack = 0xC00C1E;  // the cookie, as the SYN-ACK's sequence number
  sa.peer_seq = ack - 1;
  std::vector<uint8_t> f(64);
  f.resize(build_ack(f, peer, sa, 0x12));
  return f;
}

TEST(frames, syn_acks_to_our_syns_and_the_cookie_ack) {
  const uint32_t src = 0xC6130203;
  const auto good = syn_ack(src, 4000, syn_seq(src, 4000) + 1);
  EXPECT_EQ(classify(good, ours(), 0, 0, false), verdict::syn_ack);
  EXPECT_EQ(classify(syn_ack(src, 4000, syn_seq(src, 4000) + 2), ours(), 0, 0, false),
            verdict::mismatch);
  syn_ack_fields sa;
  ASSERT_TRUE(parse_syn_ack(good, sa));
  EXPECT_EQ(sa.our_ip, src);
  EXPECT_EQ(sa.our_port, 4000);
  EXPECT_EQ(sa.peer_port, 80);
  EXPECT_EQ(sa.peer_seq, 0xC00C1Eu);
  std::vector<uint8_t> ack(64);
  ack.resize(build_ack(ack, ours(), sa, 0x10));
  EXPECT_TRUE(ip_checksum_ok(ack));
  const uint8_t* tcp = ack.data() + 34;
  EXPECT_EQ((tcp[8] << 24) | (tcp[9] << 16) | (tcp[10] << 8) | tcp[11], 0xC00C1F);  // cookie+1
  EXPECT_EQ(tcp[13], 0x10);
}

TEST(frames, arp_request_and_reply) {
  std::vector<uint8_t> req(64);
  req.resize(build_arp_request(req, theirs()));  // the peer asks for our address
  EXPECT_EQ(classify(req, ours(), 0, 0, false), verdict::arp_request);
  EXPECT_EQ(classify(req, theirs(), 0, 0, false), verdict::other);  // not for the asker
  std::vector<uint8_t> rep(64);
  rep.resize(build_arp_reply(rep, req, ours()));
  EXPECT_EQ(classify(rep, theirs(), 0, 0, false), verdict::arp_reply);
  EXPECT_EQ(arp_sender(rep), ours().src_mac);
  EXPECT_TRUE(std::equal(rep.begin(), rep.begin() + 6, theirs().src_mac.begin()));
}

}  // namespace
}  // namespace ravelin::bench::frames
