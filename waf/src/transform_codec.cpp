// Encoding transformations and the sha1 digest (reference manual: base64Decode,
// base64DecodeExt, base64Encode, hexDecode, hexEncode, sqlHexDecode, urlEncode, sha1).
// SHA-1 is FIPS 180-4 §6.1, written here so waf/ needs no crypto library (OpenSSL 3's one-shot
// SHA1() allocates a context per call). Where the CPU has the SHA extensions the blocks go
// through them: CRS hashes every User-Agent (901318), and the portable rounds were a twentieth
// of a small GET's time.
#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

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

void sha1_blocks_portable(std::array<uint32_t, 5>& h, const unsigned char* p, size_t blocks) {
  for (size_t b = 0; b < blocks; ++b) sha1_block(h, p + 64 * b);
}

#if defined(__x86_64__)
// Four rounds with the round function of rounds [20k, 20k + 20): the instruction takes it as
// an immediate.
__attribute__((target("sha,ssse3,sse4.1"))) __m128i rounds4(__m128i abcd, __m128i ew, int k) {
  switch (k) {
    case 0: return _mm_sha1rnds4_epu32(abcd, ew, 0);
    case 1: return _mm_sha1rnds4_epu32(abcd, ew, 1);
    case 2: return _mm_sha1rnds4_epu32(abcd, ew, 2);
    default: return _mm_sha1rnds4_epu32(abcd, ew, 3);
  }
}

// The same blocks with SHA-NI: A..D in one register (A in the top lane), E riding in the top
// lane of the schedule words; sha1nexte derives the next E from A four rounds back.
__attribute__((target("sha,ssse3,sse4.1"))) void sha1_blocks_ni(std::array<uint32_t, 5>& h,
                                                              const unsigned char* p, size_t blocks) {
  const __m128i big_endian = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
  __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h.data())), 0x1b);
  __m128i e = _mm_set_epi32(static_cast<int>(h[4]), 0, 0, 0);
  for (size_t b = 0; b < blocks; ++b, p += 64) {
    const __m128i abcd_in = abcd, e_in = e;
    __m128i w[4];
    for (int i = 0; i < 4; ++i) {
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), big_endian);
    }
    __m128i prev = abcd;
    abcd = rounds4(abcd, _mm_add_epi32(e, w[0]), 0);
    for (int i = 1; i < 20; ++i) {
      if (i >= 4) {  // W[t..t+3] from W[t-16..t-1] (§6.1.2 step 1)
        w[i & 3] = _mm_sha1msg2_epu32(
            _mm_xor_si128(_mm_sha1msg1_epu32(w[i & 3], w[(i + 1) & 3]), w[(i + 2) & 3]), w[(i + 3) & 3]);
      }
      const __m128i ew = _mm_sha1nexte_epu32(prev, w[i & 3]);
      prev = abcd;
      abcd = rounds4(abcd, ew, i / 5);
    }
    e = _mm_sha1nexte_epu32(prev, e_in);
    abcd = _mm_add_epi32(abcd, abcd_in);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h.data()), _mm_shuffle_epi32(abcd, 0x1b));
  h[4] = static_cast<uint32_t>(_mm_extract_epi32(e, 3));
}

bool cpu_has_sha_ni() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool sha = (b >> 29) & 1;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  return sha && ((c >> 9) & 1) && ((c >> 19) & 1);  // and SSSE3, SSE4.1
}
#endif

void sha1_blocks(std::array<uint32_t, 5>& h, const unsigned char* p, size_t blocks, bool cpu_extensions) {
#if defined(__x86_64__)
  static const bool ni = cpu_has_sha_ni();
  if (ni && cpu_extensions) return sha1_blocks_ni(h, p, blocks);
#endif
  sha1_blocks_portable(h, p, blocks);
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

void sha1_digest(std::string_view in, std::string& out, bool cpu_extensions) {
  std::array<uint32_t, 5> h{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  size_t full = n / 64;
  sha1_blocks(h, p, full, cpu_extensions);
  unsigned char tail[128] = {};
  const size_t rest = n - full * 64;
  std::memcpy(tail, p + full * 64, rest);
  tail[rest] = 0x80;
  const size_t tail_len = rest < 56 ? 64 : 128;
  const uint64_t bits = static_cast<uint64_t>(n) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  sha1_blocks(h, tail, tail_len / 64, cpu_extensions);
  out.clear();
  for (const uint32_t v : h) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
  }
}

void t_sha1(std::string_view in, std::string& out) { sha1_digest(in, out, true); }

}  // namespace ravelin::waf::detail
