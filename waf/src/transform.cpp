// Transformation names (case-insensitive, as ModSecurity) and dispatch to the implementations.
#include "ravelin/waf/transform.h"

#include <algorithm>
#include <array>

#include "internal/ascii.h"
#include "internal/transform_impl.h"

namespace ravelin::waf {

namespace {
struct entry {
  std::string_view name;
  transform_id id;
};
constexpr std::array k_table{
    entry{"none", transform_id::none},
    entry{"lowercase", transform_id::lowercase},
    entry{"uppercase", transform_id::uppercase},
    entry{"urlDecode", transform_id::url_decode},
    entry{"urlDecodeUni", transform_id::url_decode_uni},
    entry{"urlEncode", transform_id::url_encode},
    entry{"htmlEntityDecode", transform_id::html_entity_decode},
    entry{"jsDecode", transform_id::js_decode},
    entry{"cssDecode", transform_id::css_decode},
    entry{"escapeSeqDecode", transform_id::escape_seq_decode},
    entry{"cmdLine", transform_id::cmd_line},
    entry{"compressWhitespace", transform_id::compress_whitespace},
    entry{"removeWhitespace", transform_id::remove_whitespace},
    entry{"removeNulls", transform_id::remove_nulls},
    entry{"replaceNulls", transform_id::replace_nulls},
    entry{"replaceComments", transform_id::replace_comments},
    entry{"removeComments", transform_id::remove_comments},
    entry{"removeCommentsChar", transform_id::remove_comments_char},
    entry{"normalisePath", transform_id::normalise_path},
    entry{"normalizePath", transform_id::normalise_path},
    entry{"normalisePathWin", transform_id::normalise_path_win},
    entry{"normalizePathWin", transform_id::normalise_path_win},
    entry{"base64Decode", transform_id::base64_decode},
    entry{"base64DecodeExt", transform_id::base64_decode_ext},
    entry{"base64Encode", transform_id::base64_encode},
    entry{"hexDecode", transform_id::hex_decode},
    entry{"hexEncode", transform_id::hex_encode},
    entry{"sqlHexDecode", transform_id::sql_hex_decode},
    entry{"utf8toUnicode", transform_id::utf8_to_unicode},
    entry{"length", transform_id::length},
    entry{"sha1", transform_id::sha1},
    entry{"trim", transform_id::trim},
    entry{"trimLeft", transform_id::trim_left},
    entry{"trimRight", transform_id::trim_right},
    entry{"parityEven7bit", transform_id::parity_even_7bit},
    entry{"parityOdd7bit", transform_id::parity_odd_7bit},
    entry{"parityZero7bit", transform_id::parity_zero_7bit},
};


void parity(std::string_view in, std::string& out, int mode) {
  out.assign(in);
  for (auto& ch : out) {
    auto c = static_cast<unsigned char>(ch) & 0x7f;
    if (mode != 0) {
      const bool odd_bits = __builtin_popcount(c) & 1;
      if ((mode == 1 && odd_bits) || (mode == 2 && !odd_bits)) c |= 0x80;
    }
    ch = static_cast<char>(c);
  }
}
}  // namespace

std::optional<transform_id> transform_from_name(std::string_view name) {
  for (const auto& e : k_table) {
    if (ascii::iequals(e.name, name)) return e.id;
  }
  return std::nullopt;
}

std::string_view transform_name(transform_id id) {
  for (const auto& e : k_table) {
    if (e.id == id) return e.name;
  }
  return "?";
}

namespace {
// A 256-entry membership table: string_view::find_first_of calls memchr once per input byte,
// which made these checks the largest single cost of evaluating a benign request.
struct byte_set {
  bool has[256] = {};
  constexpr explicit byte_set(std::string_view bytes) {
    for (const char c : bytes) has[static_cast<unsigned char>(c)] = true;
  }
};
constexpr byte_set k_url{"%+"}, k_amp{"&"}, k_backslash{"\\"}, k_slash{"/"}, k_slashes{"/\\"},
    k_space_ctl{"\t\n\v\f\r\xa0"}, k_cmd{"\\\"'^,; \t\r\n/("};
}  // namespace

bool transform_is_identity(transform_id id, std::string_view in) noexcept {
  auto none_of = [&](const byte_set& set) {
    for (const char c : in) {
      if (set.has[static_cast<unsigned char>(c)]) return false;
    }
    return true;
  };
  auto no_space = [&] {
    for (const char c : in) {
      const auto u = static_cast<unsigned char>(c);
      if (u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0) return false;
    }
    return true;
  };
  switch (id) {
    case transform_id::none: return true;
    case transform_id::lowercase:
      return std::none_of(in.begin(), in.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    case transform_id::uppercase:
      return std::none_of(in.begin(), in.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    case transform_id::url_decode:
    case transform_id::url_decode_uni:
      return none_of(k_url);
    case transform_id::html_entity_decode:
      return none_of(k_amp);
    case transform_id::js_decode:
    case transform_id::css_decode:
    case transform_id::escape_seq_decode:
      return none_of(k_backslash);
    case transform_id::remove_nulls:
    case transform_id::replace_nulls: return in.find('\0') == std::string_view::npos;
    case transform_id::replace_comments: return in.find("/*") == std::string_view::npos;
    case transform_id::remove_whitespace: return no_space();
    case transform_id::compress_whitespace:
      return in.find("  ") == std::string_view::npos && none_of(k_space_ctl);
    case transform_id::normalise_path:
      return none_of(k_slash) && in != ".";
    case transform_id::normalise_path_win:
      return none_of(k_slashes) && in != ".";
    case transform_id::utf8_to_unicode:
      return std::none_of(in.begin(), in.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    case transform_id::cmd_line:
      return none_of(k_cmd) &&
             std::none_of(in.begin(), in.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    default: return false;
  }
}

namespace {
enum : uint32_t {
  c_upper = 1,
  c_lower = 2,
  c_pct_plus = 4,
  c_amp = 8,
  c_bslash = 16,
  c_nul = 32,
  c_fslash = 64,
  c_space = 128,
  c_dot = 256,  // the value "." itself
  c_high = 512,
  c_cmd = 1024,
};

struct class_table {
  uint32_t of[256] = {};
  constexpr class_table() {
    for (int c = 'A'; c <= 'Z'; ++c) of[c] |= c_upper;
    for (int c = 'a'; c <= 'z'; ++c) of[c] |= c_lower;
    for (int c = 0x80; c < 256; ++c) of[c] |= c_high;
    for (const unsigned char c : std::string_view("%+")) of[c] |= c_pct_plus;
    for (const unsigned char c : std::string_view(" \t\n\v\f\r\xa0")) of[c] |= c_space;
    for (const unsigned char c : std::string_view("\\\"'^,; \t\r\n/(")) of[c] |= c_cmd;
    of[static_cast<unsigned char>('&')] |= c_amp;
    of[static_cast<unsigned char>('\\')] |= c_bslash;
    of[0] |= c_nul;
    of[static_cast<unsigned char>('/')] |= c_fslash;
  }
};
constexpr class_table k_classes;
}  // namespace

uint32_t byte_classes(std::string_view v) noexcept {
  // Four bytes a step into separate words: a quarter of the loop's counting and branching,
  // and no single chain of ORs (every short value of a request passes through here).
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size();
  uint32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    c0 |= k_classes.of[p[i]];
    c1 |= k_classes.of[p[i + 1]];
    c2 |= k_classes.of[p[i + 2]];
    c3 |= k_classes.of[p[i + 3]];
  }
  for (; i < n; ++i) c0 |= k_classes.of[p[i]];
  uint32_t c = c0 | c1 | c2 | c3;
  // Path normalisation changes a dot only next to a slash, or the value "." alone: dotted
  // names (JSON's json.items.array_0.sku) pass it untouched.
  if (v == ".") c |= c_dot;
  return c;
}

// Each case is at least as strict as transform_is_identity's for the same transformation.
uint32_t identity_breakers(transform_id id, bool& opaque) noexcept {
  opaque = false;
  switch (id) {
    case transform_id::none:
      return 0;
    case transform_id::lowercase:
      return c_upper;
    case transform_id::uppercase:
      return c_lower;
    case transform_id::url_decode:
    case transform_id::url_decode_uni:
      return c_pct_plus;
    case transform_id::html_entity_decode:
      return c_amp;
    case transform_id::js_decode:
    case transform_id::css_decode:
    case transform_id::escape_seq_decode:
      return c_bslash;
    case transform_id::remove_nulls:
    case transform_id::replace_nulls:
      return c_nul;
    case transform_id::replace_comments:
      return c_fslash;
    case transform_id::remove_whitespace:
    case transform_id::compress_whitespace:
    case transform_id::trim:
    case transform_id::trim_left:
    case transform_id::trim_right:
      return c_space;
    case transform_id::normalise_path:
      return c_fslash | c_dot;
    case transform_id::normalise_path_win:
      return c_fslash | c_bslash | c_dot;
    case transform_id::utf8_to_unicode:
      return c_high;
    case transform_id::cmd_line:
      return c_cmd | c_upper;
    default:
      opaque = true;
      return ~0u;
  }
}

uint32_t case_blind_breakers(transform_id id) noexcept {
  switch (id) {
    case transform_id::lowercase:
    case transform_id::uppercase: return 0;
    case transform_id::cmd_line: return c_cmd;  // without these bytes, cmdLine only lower-cases
    default: {
      bool opaque = false;
      return identity_breakers(id, opaque);
    }
  }
}

void apply_transform(transform_id id, std::string_view in, std::string& out) {
  using namespace detail;
  switch (id) {
    case transform_id::none: out.assign(in); return;
    case transform_id::lowercase:
    case transform_id::uppercase:
      // ASCII only, as ModSecurity (no locale on the hot path).
      out.assign(in);
      for (auto& c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (id == transform_id::lowercase && u >= 'A' && u <= 'Z') c = static_cast<char>(u | 0x20);
        if (id == transform_id::uppercase && u >= 'a' && u <= 'z') c = static_cast<char>(u & ~0x20);
      }
      return;
    case transform_id::url_decode: t_url_decode(in, out, false); return;
    case transform_id::url_decode_uni: t_url_decode(in, out, true); return;
    case transform_id::url_encode: t_url_encode(in, out); return;
    case transform_id::html_entity_decode: t_html_entity_decode(in, out); return;
    case transform_id::js_decode: t_js_decode(in, out); return;
    case transform_id::css_decode: t_css_decode(in, out); return;
    case transform_id::escape_seq_decode: t_escape_seq_decode(in, out); return;
    case transform_id::cmd_line: t_cmd_line(in, out); return;
    case transform_id::compress_whitespace: t_compress_whitespace(in, out); return;
    case transform_id::remove_whitespace: t_remove_whitespace(in, out); return;
    case transform_id::remove_nulls:
      out.clear();
      for (const char c : in) {
        if (c != '\0') out.push_back(c);
      }
      return;
    case transform_id::replace_nulls:
      out.assign(in);
      for (auto& c : out) {
        if (c == '\0') c = ' ';
      }
      return;
    case transform_id::replace_comments: t_replace_comments(in, out); return;
    case transform_id::remove_comments: t_remove_comments(in, out); return;
    case transform_id::remove_comments_char: t_remove_comments_char(in, out); return;
    case transform_id::normalise_path: t_normalise_path(in, out, false); return;
    case transform_id::normalise_path_win: t_normalise_path(in, out, true); return;
    case transform_id::base64_decode: t_base64_decode(in, out, false); return;
    case transform_id::base64_decode_ext: t_base64_decode(in, out, true); return;
    case transform_id::base64_encode: t_base64_encode(in, out); return;
    case transform_id::hex_decode: t_hex_decode(in, out); return;
    case transform_id::hex_encode: t_hex_encode(in, out); return;
    case transform_id::sql_hex_decode: t_sql_hex_decode(in, out); return;
    case transform_id::utf8_to_unicode: t_utf8_to_unicode(in, out); return;
    case transform_id::length: {
      char buf[24];
      const int n = std::snprintf(buf, sizeof buf, "%zu", in.size());
      out.assign(buf, static_cast<size_t>(n));
      return;
    }
    case transform_id::sha1: t_sha1(in, out); return;
    case transform_id::trim: t_trim(in, out, true, true); return;
    case transform_id::trim_left: t_trim(in, out, true, false); return;
    case transform_id::trim_right: t_trim(in, out, false, true); return;
    case transform_id::parity_even_7bit: parity(in, out, 1); return;
    case transform_id::parity_odd_7bit: parity(in, out, 2); return;
    case transform_id::parity_zero_7bit: parity(in, out, 0); return;
  }
  out.assign(in);
}

}  // namespace ravelin::waf
