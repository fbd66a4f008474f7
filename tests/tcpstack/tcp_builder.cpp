#include "tcp_builder.h"

namespace ravelin::test {
namespace {

void put16(bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}

uint16_t tcp_checksum(uint32_t src, uint32_t dst, const bytes& segment) {
  bytes p;
  put32(p, src);
  put32(p, dst);
  p.push_back(0);
  p.push_back(6);
  put16(p, static_cast<uint16_t>(segment.size()));
  p.insert(p.end(), segment.begin(), segment.end());
  return inet_checksum(p.data(), p.size());
}

void decode_options(parsed_tcp& t) {
  const bytes& o = t.options;
  for (std::size_t i = 0; i < o.size();) {
    if (o[i] == 0) break;
    if (o[i] == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= o.size() || o[i + 1] < 2 || i + o[i + 1] > o.size()) break;
    const uint8_t kind = o[i];
    const uint8_t len = o[i + 1];
    if (kind == 2 && len == 4) t.mss = read16(o, i + 2);
    if (kind == 3 && len == 3) t.wscale = o[i + 2];
    if (kind == 4 && len == 2) t.sack_permitted = true;
    if (kind == 8 && len == 10) {
      t.has_ts = true;
      t.ts_val = read32(o, i + 2);
      t.ts_ecr = read32(o, i + 6);
    }
    if (kind == 5) {
      for (std::size_t k = i + 2; k + 8 <= i + len; k += 8) {
        t.sack.emplace_back(read32(o, k), read32(o, k + 4));
      }
    }
    i += len;
  }
}

}  // namespace

bytes opt_mss(uint16_t mss) {
  return {2, 4, static_cast<uint8_t>(mss >> 8), static_cast<uint8_t>(mss)};
}
bytes opt_wscale(uint8_t shift) { return {3, 3, shift}; }
bytes opt_sack_permitted() { return {4, 2}; }
bytes opt_timestamp(uint32_t val, uint32_t ecr) {
  bytes b = {8, 10};
  put32(b, val);
  put32(b, ecr);
  return b;
}
bytes opt_sack(const std::vector<std::pair<uint32_t, uint32_t>>& blocks) {
  bytes b = {5, static_cast<uint8_t>(2 + 8 * blocks.size())};
  for (const auto& [s, e] : blocks) {
    put32(b, s);
    put32(b, e);
  }
  return b;
}
bytes opt_nops(std::size_t n) { return bytes(n, 1); }
bytes cat(std::initializer_list<bytes> parts) {
  bytes b;
  for (const bytes& p : parts) b.insert(b.end(), p.begin(), p.end());
  return b;
}

bytes build_tcp(uint32_t src, uint32_t dst, const tcp_fields& tcp) {
  bytes opts = tcp.options;
  while (opts.size() % 4 != 0) opts.push_back(0);
  bytes b;
  put16(b, tcp.sport);
  put16(b, tcp.dport);
  put32(b, tcp.seq);
  put32(b, tcp.ack);
  const uint8_t words = tcp.data_offset.value_or(static_cast<uint8_t>((20 + opts.size()) / 4));
  b.push_back(static_cast<uint8_t>(words << 4));
  b.push_back(tcp.flags);
  put16(b, tcp.window);
  put16(b, 0);
  put16(b, tcp.urgent);
  b.insert(b.end(), opts.begin(), opts.end());
  b.insert(b.end(), tcp.payload.begin(), tcp.payload.end());
  const uint16_t sum = tcp.checksum.value_or(tcp_checksum(src, dst, b));
  b[16] = static_cast<uint8_t>(sum >> 8);
  b[17] = static_cast<uint8_t>(sum);
  return b;
}

bytes build_tcp_frame(const eth_fields& eth, ipv4_fields ip, const tcp_fields& tcp) {
  ip.protocol = 6;
  return build_ipv4(eth, ip, build_tcp(ip.src, ip.dst, tcp));
}

std::optional<parsed_tcp> parse_tcp_frame(const bytes& f) {
  if (f.size() < 14 + 20 + 20 || read16(f, 12) != 0x0800 || f[14 + 9] != 6) return std::nullopt;
  const std::size_t ihl = (f[14] & 0xf) * 4u;
  const std::size_t total = read16(f, 16);
  if (14 + total > f.size() || total < ihl + 20) return std::nullopt;
  parsed_tcp t;
  t.ip_checksum_ok = inet_checksum(f.data() + 14, ihl) == 0;
  t.ttl = f[14 + 8];
  t.df = (f[14 + 6] & 0x40) != 0;
  t.src_ip = read32(f, 14 + 12);
  t.dst_ip = read32(f, 14 + 16);
  const std::size_t o = 14 + ihl;
  const bytes seg(f.begin() + static_cast<long>(o), f.begin() + 14 + static_cast<long>(total));
  t.tcp_checksum_ok = tcp_checksum(t.src_ip, t.dst_ip, seg) == 0;
  t.sport = read16(seg, 0);
  t.dport = read16(seg, 2);
  t.seq = read32(seg, 4);
  t.ack = read32(seg, 8);
  const std::size_t doff = (seg[12] >> 4) * 4u;
  if (doff < 20 || doff > seg.size()) return std::nullopt;
  t.flags = seg[13];
  t.window = read16(seg, 14);
  t.options.assign(seg.begin() + 20, seg.begin() + static_cast<long>(doff));
  t.payload.assign(seg.begin() + static_cast<long>(doff), seg.end());
  decode_options(t);
  return t;
}

}  // namespace ravelin::test
