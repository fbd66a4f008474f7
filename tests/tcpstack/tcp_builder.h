// TCP segments for the stack's tests, built and parsed byte by byte without the stack's code
// (own option encoder and parser, own checksum over the RFC 9293 §3.1 pseudo-header), so
// that they can serve as the oracle for what the stack sends and accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "packet_builder.h"

namespace ravelin::test {

inline constexpr uint8_t k_fin = 0x01;
inline constexpr uint8_t k_syn = 0x02;
inline constexpr uint8_t k_rst = 0x04;
inline constexpr uint8_t k_psh = 0x08;
inline constexpr uint8_t k_ack = 0x10;

struct tcp_fields {
  uint16_t sport = 40000;
  uint16_t dport = 80;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = k_syn;
  uint16_t window = 65535;
  uint16_t urgent = 0;
  bytes options;  // raw; padded with EOL to a multiple of 4
  bytes payload;
  std::optional<uint8_t> data_offset;  // in 32-bit words; default from the options
  std::optional<uint16_t> checksum;    // default: correct
};

// Option encoders (RFC 9293 §3.2, RFC 7323, RFC 2018).
bytes opt_mss(uint16_t mss);
bytes opt_wscale(uint8_t shift);
bytes opt_sack_permitted();
bytes opt_timestamp(uint32_t val, uint32_t ecr);
bytes opt_sack(const std::vector<std::pair<uint32_t, uint32_t>>& blocks);
bytes opt_nops(std::size_t n);
bytes cat(std::initializer_list<bytes> parts);

// The TCP header and payload, checksum over the pseudo-header of src -> dst.
bytes build_tcp(uint32_t src, uint32_t dst, const tcp_fields& tcp);
// A whole frame; ip.protocol is set to 6.
bytes build_tcp_frame(const eth_fields& eth, ipv4_fields ip, const tcp_fields& tcp);

struct parsed_tcp {
  uint32_t src_ip = 0;
  uint32_t dst_ip = 0;
  uint8_t ttl = 0;
  bool df = false;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  bytes options;
  bytes payload;
  bool ip_checksum_ok = false;
  bool tcp_checksum_ok = false;
  // Decoded options.
  uint16_t mss = 0;
  std::optional<uint8_t> wscale;
  bool sack_permitted = false;
  bool has_ts = false;
  uint32_t ts_val = 0;
  uint32_t ts_ecr = 0;
  std::vector<std::pair<uint32_t, uint32_t>> sack;
  bool is(uint8_t f) const { return flags == f; }
};

// Parses an Ethernet/IPv4/TCP frame; nullopt when it is not one.
std::optional<parsed_tcp> parse_tcp_frame(const bytes& frame);

}  // namespace ravelin::test
