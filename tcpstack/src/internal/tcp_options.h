// TCP options (RFC 9293 §3.2, RFC 7323, RFC 2018): parsing the option area of a received
// header and writing the option sets this stack sends.
#pragma once

#include <cstdint>

namespace ravelin::tcpstack::internal {

inline constexpr uint8_t k_opt_eol = 0;
inline constexpr uint8_t k_opt_nop = 1;
inline constexpr uint8_t k_opt_mss = 2;
inline constexpr uint8_t k_opt_wscale = 3;
inline constexpr uint8_t k_opt_sack_permitted = 4;
inline constexpr uint8_t k_opt_sack = 5;
inline constexpr uint8_t k_opt_timestamp = 8;
inline constexpr uint8_t k_max_wscale = 14;  // RFC 7323 §2.3
inline constexpr uint32_t k_max_options_len = 40;
inline constexpr uint32_t k_ts_option_len = 12;  // NOP NOP kind len TSval TSecr (RFC 7323 App. A)
inline constexpr uint32_t k_max_sack_blocks = 4;

struct sack_block {
  uint32_t start = 0;  // first sequence number of the block
  uint32_t end = 0;    // one past the last
};

struct tcp_options {
  uint16_t mss = 0;       // 0: not present
  uint8_t wscale = 0xff;  // 0xff: not present; else the shift, clamped to 14
  bool sack_permitted = false;
  bool has_timestamp = false;
  uint32_t ts_val = 0;
  uint32_t ts_ecr = 0;
  uint8_t sack_count = 0;
  sack_block sack[k_max_sack_blocks];
};

// Parses `len` bytes of options. Returns false when an option's length is impossible (zero,
// one, past the end, or wrong for its kind); what was parsed before it is kept, the rest is
// ignored (RFC 9293 §3.1 "a TCP implementation MUST be prepared to handle an illegal option
// length without crashing").
bool parse_options(const uint8_t* p, uint32_t len, bool syn, tcp_options& out);

// What to put in the option area of one segment.
struct option_set {
  uint16_t mss = 0;       // SYN only; 0 = none
  uint8_t wscale = 0xff;  // SYN only; 0xff = none
  bool sack_permitted = false;
  bool timestamp = false;
  uint32_t ts_val = 0;
  uint32_t ts_ecr = 0;
  uint8_t sack_count = 0;
  const sack_block* sack = nullptr;
};

// Bytes write_options will produce for `o`: a multiple of 4, at most 40.
uint32_t options_length(const option_set& o);
// Writes the options in the order Linux uses (MSS, SACK-permitted, timestamps, window scale)
// padded with NOPs to a multiple of 4. SACK blocks that do not fit are left out.
uint32_t write_options(uint8_t* p, const option_set& o);

}  // namespace ravelin::tcpstack::internal
