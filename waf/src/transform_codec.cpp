// Encoding transformations and the sha1 digest (reference manual: base64Decode,
// base64DecodeExt, base64Encode, hexDecode, hexEncode, sqlHexDecode, urlEncode, sha1).
// SHA-1 is FIPS 180-4 §6.1, written here so waf/ needs no crypto library.
#include <array>
#include <cstdint>
#include <cstring>

#include "internal/ascii.h"
#include "internal/transform_impl.h"

namespace ravelin::waf::detail {

namespace {
constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char k_hex[] = "0123456789abcdef";

int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;  // '-' and '_': the URL-safe alphabet decodes too
  if (c == '/' || c == '_') return 63;
  return -1;
}

uint32_t rol(uint32_t v, int s) { return (v << s) | (v >> (32 - s)); }

void sha1_block(std::array<uint32_t, 5>& h, const unsigned char* p) {
  uint32_t w[80];
  for (int i = 0; i < 16; ++i) {
    w[i] = (uint32_t{p[4 * i]} << 24) | (uint32_t{p[4 * i + 1]} << 16) |
           (uint32_t{p[4 * i + 2]} << 8) | p[4 * i + 3];
  }
  for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; ++i) {
    uint32_t f, k;
    if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
    else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
    else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
    else { f = b ^ c ^ d; k = 0xca62c1d6; }
    const uint32_t t = rol(a, 5) + f + e + k + w[i];
    e = d; d = c; c = rol(b, 30); b = a; a = t;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}
}  // namespace

void t_base64_decode(std::string_view in, std::string& out, bool forgiving) {
  // base64Decode stops at the first byte outside the alphabet (or '='), as apr_base64_decode
  // does; base64DecodeExt skips such bytes instead.
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  for (const char ch : in) {
    const int v = b64_value(static_cast<unsigned char>(ch));
    if (v < 0) {
      if (forgiving && ch != '=') continue;
      break;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
}

void t_base64_encode(std::string_view in, std::string& out) {
  out.clear();
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out.push_back(k_b64[(v >> 18) & 63]);
    out.push_back(k_b64[(v >> 12) & 63]);
    out.push_back(k_b64[(v >> 6) & 63]);
    out.push_back(k_b64[v & 63]);
  }
  const size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{static_cast<unsigned char>(in[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<unsigned char>(in[i + 1])} << 8;
    out.push_back(k_b64[(v >> 18) & 63]);
    out.push_back(k_b64[(v >> 12) & 63]);
    out.push_back(rest == 2 ? k_b64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
}

void t_hex_decode(std::string_view in, std::string& out) {
  // v3 decodes every pair without validating it; an odd last digit is dropped.
  out.clear();
  for (size_t j = 0; j + 1 < in.size(); j += 2) out.push_back(static_cast<char>(x2c(&in[j])));
}

void t_hex_encode(std::string_view in, std::string& out) {
  out.clear();
  for (const char c : in) {
    out.push_back(k_hex[static_cast<unsigned char>(c) >> 4]);
    out.push_back(k_hex[static_cast<unsigned char>(c) & 0xf]);
  }
}

void t_sql_hex_decode(std::string_view in, std::string& out) {
  // 0xHHHH... literals (MySQL) become their bytes; anything else is copied.
  out.clear();
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    if (in[i] == '0' && i + 3 < n && (in[i + 1] == 'x' || in[i + 1] == 'X') &&
        is_hex(in[i + 2]) && is_hex(in[i + 3])) {
      i += 2;
      while (i + 1 < n && is_hex(in[i]) && is_hex(in[i + 1])) {
        out.push_back(static_cast<char>(x2c(&in[i])));
        i += 2;
      }
    } else {
      out.push_back(in[i++]);
    }
  }
}

void t_url_encode(std::string_view in, std::string& out) {
  out.clear();
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ') {
      out.push_back('+');
    } else if (ascii::is_alnum(c) || c == '*' || c == '-' || c == '.' || c == '_') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(k_hex[c >> 4]);
      out.push_back(k_hex[c & 0xf]);
    }
  }
}

void t_sha1(std::string_view in, std::string& out) {
  std::array<uint32_t, 5> h{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  size_t full = n / 64;
  for (size_t b = 0; b < full; ++b) sha1_block(h, p + 64 * b);
  unsigned char tail[128] = {};
  const size_t rest = n - full * 64;
  std::memcpy(tail, p + full * 64, rest);
  tail[rest] = 0x80;
  const size_t tail_len = rest < 56 ? 64 : 128;
  const uint64_t bits = static_cast<uint64_t>(n) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  sha1_block(h, tail);
  if (tail_len == 128) sha1_block(h, tail + 64);
  out.clear();
  for (const uint32_t v : h) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
  }
}

}  // namespace ravelin::waf::detail
