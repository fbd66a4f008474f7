// Raw frames for the packet blaster (blaster.cpp): ICMP echo requests, TCP SYNs and the
// cookie-completing ACK/RST, built into plain byte buffers, and the checks that a frame
// coming back answers one of ours. No DPDK here, so the unit tests need no EAL.
//
// Frame sizes follow RFC 2544 §9.1: they count the 4-byte Ethernet FCS, which memif does
// not carry, so a "64-byte frame" is 60 bytes in the buffer and 1518 is a full 1500-byte
// IPv4 packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ravelin::bench::frames {

constexpr uint32_t k_fcs_len = 4;
constexpr uint32_t k_min_frame = 64;  // RFC 2544 sizes, FCS included
constexpr uint32_t k_max_frame = 1518;
constexpr uint32_t k_eth_len = 14;
constexpr uint32_t k_ipv4_len = 20;
constexpr uint32_t k_icmp_len = 8;
constexpr uint32_t k_tcp_len = 20;
constexpr uint32_t k_syn_len = k_eth_len + k_ipv4_len + k_tcp_len + 4;  // with the MSS option
constexpr uint32_t k_min_buffer = k_min_frame - k_fcs_len;              // Ethernet's minimum

using mac = std::array<uint8_t, 6>;

// Both ends of the link. Addresses in host byte order.
struct endpoints {
  mac src_mac{};
  mac dst_mac{};
  uint32_t src_ip = 0;
  uint32_t dst_ip = 0;
};

// Bytes in the buffer for a frame of `frame_size` (FCS included); 0 if out of range.
uint32_t buffer_len(uint32_t frame_size);

// ICMP echo request (RFC 792) filling a frame of `frame_size`; the payload is a pattern
// derived from `seq` so a reply can be checked byte for byte. Returns bytes written
// (buffer_len(frame_size)) or 0 when `out` is too small or the size out of range.
uint32_t build_echo_request(std::span<uint8_t> out, const endpoints& ep, uint16_t id, uint16_t seq,
                            uint32_t frame_size);

// What a received frame was, for the blaster's counts.
enum class verdict : uint8_t {
  echo_reply,   // an echo reply to one of our requests (id matches, seq < sequences)
  syn_ack,      // a SYN-ACK whose ACK acknowledges one of our SYNs
  arp_request,  // an ARP request for our address: answer with build_arp_reply
  arp_reply,    // an ARP reply (the peer's MAC)
  mismatch,     // looks like an answer but does not match what we sent: a correctness error
  other,        // anything else (counted, ignored)
};

// Classifies `frame` as seen by `ep` (ep.src_* is us). For echo replies: the IPv4 and
// ICMP checksums must verify and, with `check_payload`, the payload must be the pattern of
// its seq. `seq_out` receives the echo sequence number. For SYN-ACKs see syn_seq().
verdict classify(std::span<const uint8_t> frame, const endpoints& ep, uint16_t id,
                 uint32_t sequences, bool check_payload, uint16_t* seq_out = nullptr);

// TCP SYN from (src_ip, src_port) to ep.dst_ip:dst_port with an MSS option; the
// sequence number is syn_seq(src_ip, src_port) so a SYN-ACK is recognized without state.
// Returns bytes written (k_min_buffer: padded to Ethernet's minimum) or 0.
uint32_t build_syn(std::span<uint8_t> out, const endpoints& ep, uint32_t src_ip, uint16_t src_port,
                   uint16_t dst_port);

// Rewrites a frame from build_syn for a new source, updating both checksums incrementally
// (RFC 1624), as the blaster does before each send.
void rewrite_syn_source(std::span<uint8_t> frame, uint32_t src_ip, uint16_t src_port);

// Our initial sequence number for a source: keyed by the source so a SYN-ACK's ACK number
// tells whether we sent the SYN it answers.
uint32_t syn_seq(uint32_t src_ip, uint16_t src_port);

// The source of the n-th SYN of a flood: addresses in 198.19.0.0/16 (the upper half of
// the RFC 2544 benchmarking range, off the link's /24 so replies go through the gateway)
// and ports 1024..65535, spread by a bijective hash so consecutive SYNs share nothing.
void flood_source(uint64_t n, uint32_t& src_ip, uint16_t& src_port);

// The fields of a SYN-ACK that the handshake completion needs (host byte order).
struct syn_ack_fields {
  uint32_t our_ip = 0;  // the SYN's source (the SYN-ACK's destination)
  uint16_t our_port = 0;
  uint16_t peer_port = 0;
  uint32_t peer_seq = 0;  // the SYN-ACK's sequence number: the cookie
  uint32_t ack = 0;
};
bool parse_syn_ack(std::span<const uint8_t> frame, syn_ack_fields& out);

// Third segment of the handshake (RFC 9293 §3.5) answering `sa`, flags 0x10 (ACK) or
// 0x14 (RST|ACK, to tear the connection down right after). Returns bytes written or 0.
uint32_t build_ack(std::span<uint8_t> out, const endpoints& ep, const syn_ack_fields& sa,
                   uint8_t flags);

// ARP (RFC 826): a request for ep.dst_ip from us, and a reply to a request for our address.
uint32_t build_arp_request(std::span<uint8_t> out, const endpoints& ep);
uint32_t build_arp_reply(std::span<uint8_t> out, std::span<const uint8_t> request,
                         const endpoints& ep);
// The sender hardware address of an ARP reply (classify() said arp_reply).
mac arp_sender(std::span<const uint8_t> frame);

// The Internet checksum (RFC 1071) of `data`, folded, not complemented, added to `sum`.
uint32_t sum16(std::span<const uint8_t> data, uint32_t sum = 0);
uint16_t fold(uint32_t sum);

}  // namespace ravelin::bench::frames
