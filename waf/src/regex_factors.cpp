// Required-literal extraction over a recursive-descent reading of PCRE syntax. Every node gets
// either an exact set (all strings it can match, kept while small) or an any-of requirement.
// Whatever the reader does not understand becomes "no requirement", which is always safe: the
// result only ever widens the set of values handed to the real regex.
#include "internal/regex_factors.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace ravelin::waf::detail {

namespace {
constexpr size_t k_max_exact = 64;     // strings kept in an exact set
constexpr size_t k_max_required = 256; // literals in a requirement
constexpr size_t k_max_len = 24;       // literals are cut to this (a prefix is still required)
// What \s matches with PCRE2's default character tables (no UCP): C isspace().
const std::array<std::string, 6> k_whitespace{" ", "\t", "\n", "\v", "\f", "\r"};

struct info {
  bool exact = false;
  std::vector<std::string> set;  // exact: every string; else: any-of requirement (empty = none)
  static info any() { return {}; }
  static info empty() { return {true, {""}}; }
  static info chars(std::vector<std::string> s) { return {true, std::move(s)}; }
};

void normalise(std::vector<std::string>& v) {
  for (auto& s : v) {
    if (s.size() > k_max_len) s.resize(k_max_len);
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// The requirement a node imposes (empty vector: none).
std::vector<std::string> requirement(const info& i) {
  if (!i.exact) return i.set;
  for (const auto& s : i.set) {
    if (s.empty()) return {};
  }
  auto v = i.set;
  normalise(v);
  // "abc" or "abd" both contain "ab": shorter literals keep the set small.
  return v.size() > k_max_required ? std::vector<std::string>{} : v;
}

size_t score(const std::vector<std::string>& r) {  // higher is better
  if (r.empty()) return 0;
  size_t shortest = SIZE_MAX;
  for (const auto& s : r) shortest = std::min(shortest, s.size());
  return shortest * 1000 + (1000 - std::min<size_t>(r.size(), 999));
}

info concat(const info& a, const info& b) {
  if (a.exact && b.exact && a.set.size() * b.set.size() <= k_max_exact) {
    info o{true, {}};
    for (const auto& x : a.set) {
      for (const auto& y : b.set) o.set.push_back(x + y);
    }
    normalise(o.set);
    return o;
  }
  auto ra = requirement(a), rb = requirement(b);
  return {false, score(ra) >= score(rb) ? ra : rb};
}

info alternate(const info& a, const info& b) {
  if (a.exact && b.exact && a.set.size() + b.set.size() <= k_max_exact) {
    info o{true, a.set};
    o.set.insert(o.set.end(), b.set.begin(), b.set.end());
    normalise(o.set);
    return o;
  }
  auto ra = requirement(a), rb = requirement(b);
  if (ra.empty() || rb.empty()) return info::any();
  ra.insert(ra.end(), rb.begin(), rb.end());
  normalise(ra);
  if (ra.size() > k_max_required) return info::any();
  return {false, ra};
}

// The literal lattice: exact sets joined into longer literals, requirements otherwise.
struct literal_lattice {
  using node = info;
  static constexpr bool k_spell_space = false;  // \s: six one-byte literals would filter nothing
  static constexpr size_t k_max_class = 8;
  static info any() { return info::any(); }
  static info empty() { return info::empty(); }
  static info chars(std::vector<std::string> s) { return info::chars(std::move(s)); }
  static info one_or_more(const info& a) { return {false, requirement(a)}; }
  static info alternate(const info& a, const info& b) { return detail::alternate(a, b); }

  // A run of exact pieces is joined into longer literals even after a piece that is not
  // exact: in `\s*having` the requirement is "having", not the "h" a pairwise concat keeps.
  struct sequence {
    info run = info::empty();
    std::vector<std::string> best;  // the best requirement of the runs and pieces already ended
    bool all_exact = true;
    void end_run() {
      const auto r = requirement(run);
      if (score(r) > score(best)) best = r;
      run = info::empty();
    }
    void add(const info& x) {
      if (x.exact && run.set.size() * x.set.size() <= k_max_exact) {
        run = concat(run, x);
        return;
      }
      all_exact = false;
      end_run();
      if (x.exact) run = x;
      else if (score(x.set) > score(best)) best = x.set;
    }
    info finish() {
      if (all_exact) return run;
      end_run();
      return {false, best};
    }
  };
};

// The byte lattice: a node is a list of byte sets, one of which a matching string contains
// entirely (every byte of it). Unlike literals, bytes need not be adjacent, so `S\s*C\s*R\s*I`
// still requires {s, c, r, i}. One empty set means no requirement.
struct byte_lattice {
  using node = std::vector<byte_set>;
  // \s is six bytes (PCRE2's default tables, no UCP): a required separator (`\s|;|&`) is a
  // strong requirement against values of word bytes.
  static constexpr bool k_spell_space = true;
  static constexpr size_t k_max_class = 24;
  static constexpr size_t k_max_sets = 32;

  static bool none(const node& n) {
    for (const auto& b : n) {
      if (!(b[0] | b[1] | b[2] | b[3])) return true;
    }
    return n.empty();
  }
  static node any() { return {byte_set{}}; }
  static node empty() { return any(); }
  static node chars(const std::vector<std::string>& strings) {
    node n;
    for (const auto& str : strings) {
      byte_set b{};
      for (const unsigned char c : str) b[c >> 6] |= uint64_t{1} << (c & 63);
      n.push_back(b);
    }
    return minimal(std::move(n));
  }
  static node one_or_more(const node& a) { return a; }

  // Punctuation is rare in ordinary values, letters and digits are not: a requirement is as
  // strong as its weakest set.
  static size_t weight(const byte_set& b) {
    size_t w = 0;
    for (int c = 0; c < 256; ++c) {
      if ((b[c >> 6] >> (c & 63)) & 1) w += std::isalnum(c) || c == ' ' ? 1 : 4;
    }
    return w;
  }
  static size_t score(const node& n) {
    if (none(n)) return 0;
    size_t s = SIZE_MAX;
    for (const auto& b : n) s = std::min(s, weight(b));
    return s;
  }
  static bool subset(const byte_set& a, const byte_set& b) {
    return !(a[0] & ~b[0]) && !(a[1] & ~b[1]) && !(a[2] & ~b[2]) && !(a[3] & ~b[3]);
  }
  // Drops sets that contain another set (the smaller one already lets those values through).
  static node minimal(node n) {
    node out;
    for (size_t i = 0; i < n.size(); ++i) {
      bool redundant = false;
      for (size_t j = 0; j < n.size() && !redundant; ++j) {
        if (i != j && subset(n[j], n[i]) && (n[i] != n[j] || j < i)) redundant = true;
      }
      if (!redundant) out.push_back(n[i]);
    }
    return out;
  }
  static node alternate(const node& a, const node& b) {
    if (none(a) || none(b)) return any();
    node n = a;
    n.insert(n.end(), b.begin(), b.end());
    n = minimal(std::move(n));
    while (n.size() > k_max_sets) {  // two sets give way to what they share: still required
      const byte_set last = n.back();
      n.pop_back();
      for (int w = 0; w < 4; ++w) n.back()[w] &= last[w];
      n = minimal(std::move(n));
    }
    return n;
  }
  static node concat(const node& a, const node& b) {
    if (none(a)) return b;
    if (none(b)) return a;
    if (a.size() * b.size() > k_max_sets) return score(a) >= score(b) ? a : b;
    node n;
    for (const auto& x : a) {
      for (const auto& y : b) n.push_back({x[0] | y[0], x[1] | y[1], x[2] | y[2], x[3] | y[3]});
    }
    return minimal(std::move(n));
  }
  struct sequence {
    node acc = any();
    void add(const node& x) { acc = concat(acc, x); }
    node finish() { return acc; }
  };
};

template <class L>
struct reader {
  using node = typename L::node;
  std::string_view p;
  size_t i = 0;
  bool failed = false;

  bool at_end() const { return i >= p.size(); }

  node alternation() {
    node acc = branch();
    while (!at_end() && p[i] == '|') {
      ++i;
      acc = L::alternate(acc, branch());
    }
    return acc;
  }

  node branch() {
    typename L::sequence seq;
    while (!at_end() && p[i] != '|' && p[i] != ')') seq.add(piece());
    return seq.finish();
  }

  node piece() {
    node a = atom();
    if (at_end()) return a;
    size_t min = 1;
    bool quant = true;
    const char c = p[i];
    if (c == '*') { min = 0; ++i; }
    else if (c == '+') { ++i; }
    else if (c == '?') { min = 0; ++i; }
    else if (c == '{' && i + 1 < p.size() && std::isdigit(static_cast<unsigned char>(p[i + 1]))) {
      size_t j = i + 1, n = 0;
      while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) n = n * 10 + (p[j++] - '0');
      size_t max = n;
      if (j < p.size() && p[j] == ',') {
        ++j;
        max = SIZE_MAX;
        if (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) {
          max = 0;
          while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) max = max * 10 + (p[j++] - '0');
        }
      }
      if (j >= p.size() || p[j] != '}') return a;  // a literal '{'... handled as text by PCRE
      i = j + 1;
      min = n;
      if (n == 1 && max == 1) quant = false;
    } else {
      quant = false;
    }
    if (quant && !at_end() && (p[i] == '?' || p[i] == '+')) ++i;  // lazy / possessive
    if (!quant) return a;
    if (min == 0) return L::any();
    return L::one_or_more(a);  // one or more: the child's requirement still holds
  }

  node klass() {  // after '['
    bool negated = false;
    if (!at_end() && p[i] == '^') { negated = true; ++i; }
    std::vector<std::string> members;
    bool first = true, wide = false;
    while (!at_end() && (p[i] != ']' || first)) {
      first = false;
      int c = static_cast<unsigned char>(p[i++]);
      if (c == '[' && !at_end() && p[i] == ':') {  // [:alpha:]
        const size_t e = p.find(":]", i);
        if (e == std::string_view::npos) { failed = true; return L::any(); }
        i = e + 2;
        wide = true;
        continue;
      }
      if (c == '\\') {
        if (at_end()) { failed = true; return L::any(); }
        if (L::k_spell_space && p[i] == 's') {
          ++i;
          for (const auto& w : k_whitespace) members.push_back(w);
          continue;
        }
        c = escape_char(wide);
        if (c < 0) continue;
      }
      if (!at_end() && p[i] == '-' && i + 1 < p.size() && p[i + 1] != ']') {
        i += 1;
        int hi = static_cast<unsigned char>(p[i++]);
        if (hi == '\\') {
          hi = escape_char(wide);
          if (hi < 0) { wide = true; continue; }
        }
        if (hi - c > 8) wide = true;
        for (int x = c; x <= hi && !wide; ++x) members.emplace_back(1, static_cast<char>(std::tolower(x)));
        continue;
      }
      members.emplace_back(1, static_cast<char>(std::tolower(c)));
    }
    if (at_end()) { failed = true; return L::any(); }
    ++i;  // ']'
    if (negated || wide) return L::any();
    normalise(members);
    if (members.empty() || members.size() > L::k_max_class) return L::any();
    return L::chars(std::move(members));
  }

  // The byte an escape stands for, or -1 for a class/anchor (`wide` set for classes).
  int escape_char(bool& wide) {
    const char c = p[i++];
    switch (c) {
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'f': return '\f';
      case 'e': return 0x1b;
      case 'a': return 0x07;
      case 'x': {
        if (!at_end() && p[i] == '{') {
          const size_t e = p.find('}', i);
          if (e == std::string_view::npos) { failed = true; return -1; }
          const unsigned long v = std::strtoul(std::string(p.substr(i + 1, e - i - 1)).c_str(), nullptr, 16);
          i = e + 1;
          if (v > 0xff) { wide = true; return -1; }
          return static_cast<int>(v);
        }
        int v = 0, n = 0;
        while (n < 2 && !at_end() && std::isxdigit(static_cast<unsigned char>(p[i]))) {
          const char h = p[i++];
          v = v * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
          ++n;
        }
        return v;
      }
      case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h': case 'H':
      case 'v': case 'V': case 'R': case 'N': case 'X': case 'p': case 'P': case 'C':
        if ((c == 'p' || c == 'P') && !at_end() && p[i] == '{') i = p.find('}', i) + 1;
        wide = true;
        return -1;
      default:
        if (std::isdigit(static_cast<unsigned char>(c)) || std::isalpha(static_cast<unsigned char>(c))) {
          wide = true;  // back-references, octal, anchors: not followed
          return -1;
        }
        return static_cast<unsigned char>(c);
    }
  }

  node group() {  // after '('
    if (!at_end() && p[i] == '?') {
      ++i;
      if (at_end()) { failed = true; return L::any(); }
      const char k = p[i];
      if (k == '#') {  // comment
        const size_t e = p.find(')', i);
        if (e == std::string_view::npos) { failed = true; return L::any(); }
        i = e + 1;
        return L::empty();
      }
      const bool look = k == '=' || k == '!' ||
                        (k == '<' && i + 1 < p.size() && (p[i + 1] == '=' || p[i + 1] == '!'));
      if (look) {
        i += k == '<' ? 2 : 1;
        alternation();  // read and ignore: it consumes no input
        if (at_end() || p[i] != ')') { failed = true; return L::any(); }
        ++i;
        return L::empty();
      }
      if (k == '<' || k == 'P' || k == '\'') {  // named group
        const size_t e = p.find_first_of(">'", i + 1);
        if (e == std::string_view::npos) { failed = true; return L::any(); }
        i = e + 1;
      } else if (k == ':' || k == '>' || k == '|') {
        ++i;
      } else {
        // Inline options: (?i) (?i: (?-i: ... . Case is ignored everywhere anyway.
        while (!at_end() && (std::isalpha(static_cast<unsigned char>(p[i])) || p[i] == '-' || p[i] == '^')) ++i;
        if (at_end()) { failed = true; return L::any(); }
        if (p[i] == ')') {
          ++i;
          return L::empty();
        }
        if (p[i] != ':') { failed = true; return L::any(); }
        ++i;
      }
    }
    node in = alternation();
    if (at_end() || p[i] != ')') { failed = true; return L::any(); }
    ++i;
    return in;
  }

  node atom() {
    const char c = p[i++];
    switch (c) {
      case '(': return group();
      case '[': return klass();
      case '.': return L::any();
      case '^': case '$': return L::empty();
      case '\\': {
        if (at_end()) { failed = true; return L::any(); }
        const char e = p[i];
        if (e == 'b' || e == 'B' || e == 'A' || e == 'z' || e == 'Z' || e == 'G' || e == 'K') {
          ++i;
          return L::empty();
        }
        if (e == 'Q') {
          const size_t end = p.find("\\E", i + 1);
          const std::string_view lit = p.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1);
          i = end == std::string_view::npos ? p.size() : end + 2;
          std::string s;
          for (const char ch : lit) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
          return L::chars({s});
        }
        if (L::k_spell_space && e == 's') {
          ++i;
          return L::chars({k_whitespace.begin(), k_whitespace.end()});
        }
        bool wide = false;
        const int v = escape_char(wide);
        if (v < 0) return L::any();
        return L::chars({std::string(1, static_cast<char>(std::tolower(v)))});
      }
      default:
        return L::chars({std::string(1, static_cast<char>(std::tolower(static_cast<unsigned char>(c))))});
    }
  }
};
}  // namespace

std::optional<std::vector<std::string>> required_literals(std::string_view pattern) {
  reader<literal_lattice> r{pattern};
  const info top = r.alternation();
  if (r.failed || !r.at_end()) return std::nullopt;
  auto req = requirement(top);
  if (req.empty()) return std::nullopt;
  return req;
}

std::optional<std::vector<byte_set>> required_byte_sets(std::string_view pattern) {
  reader<byte_lattice> r{pattern};
  auto top = r.alternation();
  if (r.failed || !r.at_end() || byte_lattice::none(top)) return std::nullopt;
  return top;
}

}  // namespace ravelin::waf::detail
