// Option area parsing and writing (RFC 9293 §3.2 for the kinds and lengths).
#include "internal/tcp_options.h"

#include <algorithm>

namespace ravelin::tcpstack::internal {
namespace {

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t get32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint8_t* put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
  return p + 2;
}
uint8_t* put32(uint8_t* p, uint32_t v) {
  return put16(put16(p, static_cast<uint16_t>(v >> 16)), static_cast<uint16_t>(v));
}

// One option of kind `kind` and total length `olen` whose body starts at `b`.
bool take_option(uint8_t kind, uint8_t olen, const uint8_t* b, bool syn, tcp_options& out) {
  switch (kind) {
    case k_opt_mss:  // RFC 9293 §3.7.1: only in SYN segments
      if (olen != 4) return false;
      if (syn) out.mss = get16(b);
      return true;
    case k_opt_wscale:  // RFC 7323 §2.3: only in SYN; a shift above 14 is taken as 14
      if (olen != 3) return false;
      if (syn) out.wscale = std::min(b[0], k_max_wscale);
      return true;
    case k_opt_sack_permitted:  // RFC 2018 §2
      if (olen != 2) return false;
      if (syn) out.sack_permitted = true;
      return true;
    case k_opt_timestamp:  // RFC 7323 §3.2
      if (olen != 10) return false;
      out.has_timestamp = true;
      out.ts_val = get32(b);
      out.ts_ecr = get32(b + 4);
      return true;
    case k_opt_sack: {  // RFC 2018 §3: 8 bytes per block
      if (olen < 10 || (olen - 2) % 8 != 0) return false;
      const uint32_t n = std::min<uint32_t>((olen - 2) / 8, k_max_sack_blocks);
      for (uint32_t i = 0; i < n; ++i) out.sack[i] = {get32(b + 8 * i), get32(b + 8 * i + 4)};
      out.sack_count = static_cast<uint8_t>(n);
      return true;
    }
    default:  // unknown kinds are skipped by their length (RFC 9293 §3.1)
      return true;
  }
}

}  // namespace

bool parse_options(const uint8_t* p, uint32_t len, bool syn, tcp_options& out) {
  uint32_t i = 0;
  while (i < len) {
    const uint8_t kind = p[i];
    if (kind == k_opt_eol) return true;
    if (kind == k_opt_nop) {
      ++i;
      continue;
    }
    if (i + 1 >= len) return false;
    const uint8_t olen = p[i + 1];
    if (olen < 2 || i + olen > len) return false;
    if (!take_option(kind, olen, p + i + 2, syn, out)) return false;
    i += olen;
  }
  return true;
}

uint32_t options_length(const option_set& o) {
  uint32_t n = 0;
  if (o.mss != 0) n += 4;
  if (o.timestamp)
    n += k_ts_option_len;  // SACK-permitted rides in its NOPs
  else if (o.sack_permitted)
    n += 4;
  if (o.wscale != 0xff) n += 4;
  if (o.sack_count != 0) {
    const uint32_t room = (k_max_options_len - n - 4) / 8;
    n += 4 + 8 * std::min<uint32_t>(o.sack_count, room);
  }
  return n;
}

uint32_t write_options(uint8_t* p, const option_set& o) {
  uint8_t* const start = p;
  if (o.mss != 0) {
    *p++ = k_opt_mss;
    *p++ = 4;
    p = put16(p, o.mss);
  }
  if (o.timestamp) {
    if (o.sack_permitted) {
      *p++ = k_opt_sack_permitted;
      *p++ = 2;
    } else {
      *p++ = k_opt_nop;
      *p++ = k_opt_nop;
    }
    *p++ = k_opt_timestamp;
    *p++ = 10;
    p = put32(put32(p, o.ts_val), o.ts_ecr);
  } else if (o.sack_permitted) {
    *p++ = k_opt_nop;
    *p++ = k_opt_nop;
    *p++ = k_opt_sack_permitted;
    *p++ = 2;
  }
  if (o.wscale != 0xff) {
    *p++ = k_opt_nop;
    *p++ = k_opt_wscale;
    *p++ = 3;
    *p++ = o.wscale;
  }
  if (o.sack_count != 0) {
    const uint32_t used = static_cast<uint32_t>(p - start);
    const uint32_t n = std::min<uint32_t>(o.sack_count, (k_max_options_len - used - 4) / 8);
    *p++ = k_opt_nop;
    *p++ = k_opt_nop;
    *p++ = k_opt_sack;
    *p++ = static_cast<uint8_t>(2 + 8 * n);
    for (uint32_t i = 0; i < n; ++i) p = put32(put32(p, o.sack[i].start), o.sack[i].end);
  }
  return static_cast<uint32_t>(p - start);
}

}  // namespace ravelin::tcpstack::internal
