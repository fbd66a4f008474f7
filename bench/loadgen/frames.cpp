// Frame builders and checks for the packet blaster (frames.h). Byte-level on purpose: the
// blaster must not depend on the stack it measures to build or judge its traffic.
#include "frames.h"

#include <cstring>

namespace ravelin::bench::frames {
namespace {

constexpr uint16_t k_type_ipv4 = 0x0800;
constexpr uint16_t k_type_arp = 0x0806;
constexpr uint8_t k_proto_icmp = 1;
constexpr uint8_t k_proto_tcp = 6;
constexpr uint8_t k_icmp_echo_reply = 0;
constexpr uint8_t k_icmp_echo_request = 8;
constexpr uint8_t k_tcp_syn = 0x02;
constexpr uint8_t k_tcp_syn_ack = 0x12;
constexpr uint32_t k_arp_len = 28;
constexpr uint32_t k_ip_off = k_eth_len;
constexpr uint32_t k_l4_off = k_eth_len + k_ipv4_len;
constexpr uint32_t k_flood_net = 0xC6130000;  // 198.19.0.0/16
constexpr uint16_t k_syn_mss = 1460;

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}
uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t get32(const uint8_t* p) { return (uint32_t{get16(p)} << 16) | get16(p + 2); }

// The payload byte at offset i of echo `seq`: differs between sequence numbers, so a reply
// carrying another request's data fails the check.
uint8_t pattern_byte(uint16_t seq, uint32_t i) { return static_cast<uint8_t>(seq * 31u + i * 7u); }

void put_ethernet(uint8_t* p, const mac& dst, const mac& src, uint16_t type) {
  std::memcpy(p, dst.data(), 6);
  std::memcpy(p + 6, src.data(), 6);
  put16(p + 12, type);
}

// IPv4 header without options, DF set, checksum filled (RFC 791 §3.1).
void put_ipv4(uint8_t* p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t total_len) {
  p[0] = 0x45;
  p[1] = 0;
  put16(p + 2, total_len);
  put16(p + 4, 0);
  put16(p + 6, 0x4000);
  p[8] = 64;
  p[9] = proto;
  put16(p + 10, 0);
  put32(p + 12, src);
  put32(p + 16, dst);
  put16(p + 10, static_cast<uint16_t>(~fold(sum16({p, k_ipv4_len}))));
}

// TCP checksum over the RFC 9293 §3.1 pseudo-header and the segment.
uint16_t tcp_checksum(const uint8_t* ip, const uint8_t* tcp, uint32_t tcp_len) {
  uint32_t sum = sum16({ip + 12, 8});
  sum += k_proto_tcp + tcp_len;
  return static_cast<uint16_t>(~fold(sum16({tcp, tcp_len}, sum)));
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word changing from m to m'.
uint16_t adjust(uint16_t cksum, uint16_t old_word, uint16_t new_word) {
  uint32_t sum = static_cast<uint16_t>(~cksum);
  sum += static_cast<uint16_t>(~old_word);
  sum += new_word;
  return static_cast<uint16_t>(~fold(sum));
}

void replace16(uint8_t* field, uint16_t value, uint8_t* cksum) {
  put16(cksum, adjust(get16(cksum), get16(field), value));
  put16(field, value);
}

void replace32(uint8_t* field, uint32_t value, uint8_t* cksum) {
  replace16(field, static_cast<uint16_t>(value >> 16), cksum);
  replace16(field + 2, static_cast<uint16_t>(value), cksum);
}

uint64_t mix64(uint64_t x) {  // splitmix64's finalizer
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

verdict classify_icmp(std::span<const uint8_t> f, const endpoints& ep, uint16_t id,
                      uint32_t sequences, bool check_payload, uint16_t* seq_out) {
  const uint8_t* ip = f.data() + k_ip_off;
  const uint8_t* icmp = f.data() + k_l4_off;
  const uint32_t total = get16(ip + 2);
  if (icmp[0] != k_icmp_echo_reply) return verdict::other;
  if (total < k_ipv4_len + k_icmp_len || total + k_eth_len > f.size()) return verdict::mismatch;
  const uint16_t seq = get16(icmp + 6);
  if (seq_out != nullptr) *seq_out = seq;
  if (get32(ip + 12) != ep.dst_ip || get32(ip + 16) != ep.src_ip || get16(icmp + 4) != id ||
      seq >= sequences || icmp[1] != 0 || fold(sum16({ip, k_ipv4_len})) != 0xffff ||
      fold(sum16({icmp, total - k_ipv4_len})) != 0xffff) {
    return verdict::mismatch;
  }
  if (check_payload) {
    for (uint32_t i = 0; i < total - k_ipv4_len - k_icmp_len; ++i) {
      if (icmp[k_icmp_len + i] != pattern_byte(seq, i)) return verdict::mismatch;
    }
  }
  return verdict::echo_reply;
}

verdict classify_tcp(std::span<const uint8_t> f, const endpoints& ep) {
  syn_ack_fields sa;
  if (!parse_syn_ack(f, sa)) return verdict::other;
  const uint8_t* ip = f.data() + k_ip_off;
  const uint32_t tcp_len = get16(ip + 2) - k_ipv4_len;
  if (get32(ip + 12) != ep.dst_ip || sa.ack != syn_seq(sa.our_ip, sa.our_port) + 1 ||
      fold(sum16({ip, k_ipv4_len})) != 0xffff ||
      tcp_checksum(ip, f.data() + k_l4_off, tcp_len) != 0) {
    return verdict::mismatch;
  }
  return verdict::syn_ack;
}

}  // namespace

uint32_t sum16(std::span<const uint8_t> data, uint32_t sum) {
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += get16(data.data() + i);
  if (i < data.size()) sum += uint32_t{data[i]} << 8;  // RFC 1071: pad the odd byte
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

uint32_t buffer_len(uint32_t frame_size) {
  if (frame_size < k_min_frame || frame_size > k_max_frame) return 0;
  return frame_size - k_fcs_len;
}

uint32_t build_echo_request(std::span<uint8_t> out, const endpoints& ep, uint16_t id, uint16_t seq,
                            uint32_t frame_size) {
  const uint32_t len = buffer_len(frame_size);
  if (len == 0 || out.size() < len) return 0;
  uint8_t* p = out.data();
  put_ethernet(p, ep.dst_mac, ep.src_mac, k_type_ipv4);
  put_ipv4(p + k_ip_off, ep.src_ip, ep.dst_ip, k_proto_icmp,
           static_cast<uint16_t>(len - k_eth_len));
  uint8_t* icmp = p + k_l4_off;
  icmp[0] = k_icmp_echo_request;
  icmp[1] = 0;
  put16(icmp + 2, 0);
  put16(icmp + 4, id);
  put16(icmp + 6, seq);
  const uint32_t payload = len - k_l4_off - k_icmp_len;
  for (uint32_t i = 0; i < payload; ++i) icmp[k_icmp_len + i] = pattern_byte(seq, i);
  put16(icmp + 2, static_cast<uint16_t>(~fold(sum16({icmp, k_icmp_len + payload}))));
  return len;
}

verdict classify(std::span<const uint8_t> f, const endpoints& ep, uint16_t id, uint32_t sequences,
                 bool check_payload, uint16_t* seq_out) {
  if (f.size() < k_eth_len) return verdict::other;
  const uint16_t type = get16(f.data() + 12);
  if (type == k_type_arp) {
    if (f.size() < k_eth_len + k_arp_len) return verdict::other;
    const uint8_t* arp = f.data() + k_eth_len;
    const uint16_t op = get16(arp + 6);
    if (op == 1 && get32(arp + 24) == ep.src_ip) return verdict::arp_request;
    if (op == 2) return verdict::arp_reply;
    return verdict::other;
  }
  if (type != k_type_ipv4 || f.size() < k_l4_off + k_icmp_len) return verdict::other;
  const uint8_t* ip = f.data() + k_ip_off;
  // Our peer answers without IP options; anything else is not an answer to us.
  if (ip[0] != 0x45) return verdict::other;
  if (ip[9] == k_proto_icmp) return classify_icmp(f, ep, id, sequences, check_payload, seq_out);
  if (ip[9] == k_proto_tcp) return classify_tcp(f, ep);
  return verdict::other;
}

uint32_t syn_seq(uint32_t src_ip, uint16_t src_port) {
  return static_cast<uint32_t>(mix64((uint64_t{src_ip} << 16) | src_port));
}

void flood_source(uint64_t n, uint32_t& src_ip, uint16_t& src_port) {
  const uint64_t h = mix64(n);
  src_ip = k_flood_net | static_cast<uint32_t>(h & 0xffff);
  src_port = static_cast<uint16_t>(1024 + (h >> 16) % (65536 - 1024));
}

uint32_t build_syn(std::span<uint8_t> out, const endpoints& ep, uint32_t src_ip, uint16_t src_port,
                   uint16_t dst_port) {
  if (out.size() < k_min_buffer) return 0;
  uint8_t* p = out.data();
  std::memset(p, 0, k_min_buffer);  // the padding after the segment is zero
  constexpr uint32_t tcp_len = k_tcp_len + 4;
  put_ethernet(p, ep.dst_mac, ep.src_mac, k_type_ipv4);
  put_ipv4(p + k_ip_off, src_ip, ep.dst_ip, k_proto_tcp,
           static_cast<uint16_t>(k_ipv4_len + tcp_len));
  uint8_t* tcp = p + k_l4_off;
  put16(tcp, src_port);
  put16(tcp + 2, dst_port);
  put32(tcp + 4, syn_seq(src_ip, src_port));
  put32(tcp + 8, 0);
  tcp[12] = (tcp_len / 4) << 4;
  tcp[13] = k_tcp_syn;
  put16(tcp + 14, 65535);
  tcp[20] = 2;  // MSS option (RFC 9293 §3.2), kind 2 length 4
  tcp[21] = 4;
  put16(tcp + 22, k_syn_mss);
  put16(tcp + 16, tcp_checksum(p + k_ip_off, tcp, tcp_len));
  return k_min_buffer;
}

void rewrite_syn_source(std::span<uint8_t> f, uint32_t src_ip, uint16_t src_port) {
  uint8_t* ip = f.data() + k_ip_off;
  uint8_t* tcp = f.data() + k_l4_off;
  // The source address is in the IPv4 header and in TCP's pseudo-header: both sums move.
  const uint32_t old_ip = get32(ip + 12);
  uint16_t tcp_sum = adjust(get16(tcp + 16), static_cast<uint16_t>(old_ip >> 16),
                            static_cast<uint16_t>(src_ip >> 16));
  tcp_sum = adjust(tcp_sum, static_cast<uint16_t>(old_ip), static_cast<uint16_t>(src_ip));
  put16(tcp + 16, tcp_sum);
  replace32(ip + 12, src_ip, ip + 10);
  replace32(tcp + 4, syn_seq(src_ip, src_port), tcp + 16);
  replace16(tcp, src_port, tcp + 16);
}

bool parse_syn_ack(std::span<const uint8_t> f, syn_ack_fields& out) {
  if (f.size() < k_l4_off + k_tcp_len || get16(f.data() + 12) != k_type_ipv4) return false;
  const uint8_t* ip = f.data() + k_ip_off;
  const uint8_t* tcp = f.data() + k_l4_off;
  if (ip[0] != 0x45 || ip[9] != k_proto_tcp || (tcp[13] & 0x3f) != k_tcp_syn_ack) return false;
  const uint32_t total = get16(ip + 2);
  if (total < k_ipv4_len + k_tcp_len || total + k_eth_len > f.size()) return false;
  out.our_ip = get32(ip + 16);
  out.peer_port = get16(tcp);
  out.our_port = get16(tcp + 2);
  out.peer_seq = get32(tcp + 4);
  out.ack = get32(tcp + 8);
  return true;
}

uint32_t build_ack(std::span<uint8_t> out, const endpoints& ep, const syn_ack_fields& sa,
                   uint8_t flags) {
  if (out.size() < k_min_buffer) return 0;
  uint8_t* p = out.data();
  std::memset(p, 0, k_min_buffer);
  put_ethernet(p, ep.dst_mac, ep.src_mac, k_type_ipv4);
  put_ipv4(p + k_ip_off, sa.our_ip, ep.dst_ip, k_proto_tcp,
           static_cast<uint16_t>(k_ipv4_len + k_tcp_len));
  uint8_t* tcp = p + k_l4_off;
  put16(tcp, sa.our_port);
  put16(tcp + 2, sa.peer_port);
  put32(tcp + 4, sa.ack);  // our ISN + 1: the SYN took one sequence number
  put32(tcp + 8, sa.peer_seq + 1);
  tcp[12] = (k_tcp_len / 4) << 4;
  tcp[13] = flags;
  put16(tcp + 14, 65535);
  put16(tcp + 16, tcp_checksum(p + k_ip_off, tcp, k_tcp_len));
  return k_min_buffer;
}

uint32_t build_arp_request(std::span<uint8_t> out, const endpoints& ep) {
  if (out.size() < k_min_buffer) return 0;
  uint8_t* p = out.data();
  std::memset(p, 0, k_min_buffer);
  const mac broadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  put_ethernet(p, broadcast, ep.src_mac, k_type_arp);
  uint8_t* arp = p + k_eth_len;
  put16(arp, 1);  // Ethernet
  put16(arp + 2, k_type_ipv4);
  arp[4] = 6;
  arp[5] = 4;
  put16(arp + 6, 1);  // request
  std::memcpy(arp + 8, ep.src_mac.data(), 6);
  put32(arp + 14, ep.src_ip);
  put32(arp + 24, ep.dst_ip);  // target hardware address left zero
  return k_min_buffer;
}

uint32_t build_arp_reply(std::span<uint8_t> out, std::span<const uint8_t> request,
                         const endpoints& ep) {
  if (out.size() < k_min_buffer || request.size() < k_eth_len + k_arp_len) return 0;
  const uint8_t* req = request.data() + k_eth_len;
  mac asker;
  std::memcpy(asker.data(), req + 8, 6);
  uint8_t* p = out.data();
  std::memset(p, 0, k_min_buffer);
  put_ethernet(p, asker, ep.src_mac, k_type_arp);
  uint8_t* arp = p + k_eth_len;
  std::memcpy(arp, req, 6);  // hardware and protocol types and lengths, as asked
  put16(arp + 6, 2);         // reply
  std::memcpy(arp + 8, ep.src_mac.data(), 6);
  put32(arp + 14, ep.src_ip);
  std::memcpy(arp + 18, req + 8, 10);  // the asker's hardware and protocol address
  return k_min_buffer;
}

mac arp_sender(std::span<const uint8_t> frame) {
  mac m{};
  if (frame.size() >= k_eth_len + 14) std::memcpy(m.data(), frame.data() + k_eth_len + 8, 6);
  return m;
}

}  // namespace ravelin::bench::frames
