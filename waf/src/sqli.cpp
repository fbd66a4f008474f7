// @detectSQLi: tokenize → fold → fingerprint → match injection shapes. The approach follows
// libinjection (tokens typed by one letter, tried in three quoting contexts); the keyword
// tables and the shapes below are Ravelin's own. Fixed-size state, no allocation.
#include <algorithm>
#include <array>
#include <cstring>

#include "internal/ascii.h"
#include "ravelin/waf/operators.h"

namespace ravelin::waf {

namespace {
// Token letters (libinjection's convention): s string, 1 number, n bareword, k keyword,
// U union, E statement, f function, & logical operator, o operator, v variable, c comment,
// ( ) , ; punctuation.
constexpr size_t k_max_tokens = 8;

struct word_class {
  std::string_view word;
  char type;
};
constexpr std::array k_words{
    word_class{"union", 'U'}, word_class{"select", 'E'}, word_class{"insert", 'E'},
    word_class{"update", 'E'}, word_class{"delete", 'E'}, word_class{"drop", 'E'},
    word_class{"create", 'E'}, word_class{"alter", 'E'}, word_class{"truncate", 'E'},
    word_class{"exec", 'E'}, word_class{"execute", 'E'}, word_class{"declare", 'E'},
    word_class{"shutdown", 'E'}, word_class{"waitfor", 'E'}, word_class{"handler", 'E'},
    word_class{"and", '&'}, word_class{"or", '&'}, word_class{"xor", '&'},
    word_class{"not", 'o'}, word_class{"like", 'o'}, word_class{"rlike", 'o'},
    word_class{"regexp", 'o'}, word_class{"is", 'o'}, word_class{"in", 'o'},
    word_class{"between", 'o'}, word_class{"div", 'o'}, word_class{"mod", 'o'},
    word_class{"sounds", 'o'}, word_class{"from", 'k'}, word_class{"where", 'k'},
    word_class{"group", 'k'}, word_class{"order", 'k'}, word_class{"by", 'k'},
    word_class{"having", 'k'}, word_class{"limit", 'k'}, word_class{"into", 'k'},
    word_class{"outfile", 'k'}, word_class{"dumpfile", 'k'}, word_class{"table", 'k'},
    word_class{"values", 'k'}, word_class{"procedure", 'k'}, word_class{"case", 'k'},
    word_class{"when", 'k'}, word_class{"then", 'k'}, word_class{"end", 'k'},
    word_class{"delay", 'k'}, word_class{"all", 'k'}, word_class{"distinct", 'k'}, word_class{"null", '1'}, word_class{"true", '1'},
    word_class{"false", '1'},
};
// Names that are functions when followed by '('.
constexpr std::array<std::string_view, 44> k_functions{
    "sleep", "benchmark", "pg_sleep", "char", "chr", "nchar", "concat", "concat_ws", "ascii",
    "substring", "substr", "mid", "version", "user", "current_user", "database", "schema",
    "load_file", "if", "ifnull", "isnull", "coalesce", "count", "cast", "convert",
    "extractvalue", "updatexml", "md5", "sha1", "hex", "unhex", "ord", "length", "group_concat",
    "elt", "make_set", "exp", "floor", "rand", "dbms_pipe.receive_message", "utl_inaddr.get_host_address",
    "xp_cmdshell", "name_const", "row_count"};

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii::to_lower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

bool word_byte(unsigned char c) { return ascii::is_alnum(c) || c == '_' || c == '$' || c == '.' || c >= 0x80; }

struct tokenizer {
  std::string_view s;
  size_t i = 0;
  char quote = 0;  // context: start as if inside a string opened by this quote
  std::array<char, k_max_tokens + 1> fp{};
  size_t n = 0;

  void push(char t) {
    if (n > 0) {
      const char last = fp[n - 1];
      if (last == 's' && t == 's') return;          // adjacent strings concatenate
      if (last == 'c' && t == 'c') return;          // one comment is enough
      if (t == '1' && last == 'o' && n == 1) {      // leading sign: -1 is a number
        fp[0] = '1';
        return;
      }
      if (last == 'U' && t == 'k') return;          // UNION ALL / DISTINCT
    }
    if (n < k_max_tokens) fp[n++] = t;
  }

  void read_string(char q) {
    while (i < s.size()) {
      const char c = s[i++];
      if (c == '\\' && i < s.size()) {
        ++i;
      } else if (c == q) {
        if (i < s.size() && s[i] == q) {
          ++i;  // doubled quote is an escaped quote
        } else {
          return;
        }
      }
    }
  }

  void read_word() {
    const size_t st = i;
    while (i < s.size() && word_byte(static_cast<unsigned char>(s[i]))) ++i;
    const std::string_view w = s.substr(st, i - st);
    size_t j = i;
    while (j < s.size() && ascii::is_space(static_cast<unsigned char>(s[j]))) ++j;
    const bool call = j < s.size() && s[j] == '(';
    if (call) {
      for (const auto f : k_functions) {
        if (ieq(w, f)) return push('f');
      }
    }
    for (const auto& k : k_words) {
      if (ieq(w, k.word)) return push(k.type);
    }
    push('n');
  }

  void run() {
    if (quote) {
      read_string(quote);
      push('s');
    }
    while (i < s.size() && n < k_max_tokens) step();
    fp[n] = 0;
  }

  void step() {
    const auto c = static_cast<unsigned char>(s[i]);
    if (ascii::is_space(c)) {
      ++i;
    } else if (c == '\'' || c == '"' || c == '`') {
      ++i;
      read_string(static_cast<char>(c));
      push(c == '`' ? 'n' : 's');
    } else if (ascii::is_digit(c)) {
      while (i < s.size() && (ascii::is_alnum(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      push('1');
    } else if (c == '@') {
      while (i < s.size() && s[i] == '@') ++i;
      while (i < s.size() && word_byte(static_cast<unsigned char>(s[i]))) ++i;
      push('v');
    } else if (c == '#' || (c == '-' && i + 1 < s.size() && s[i + 1] == '-')) {
      i = s.size();  // comment to the end
      push('c');
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      // MySQL executes /*! ... */: its body is code, so only the markers are skipped.
      if (i + 2 < s.size() && s[i + 2] == '!') {
        i += 3;
        while (i < s.size() && ascii::is_digit(static_cast<unsigned char>(s[i]))) ++i;
        return;
      }
      const size_t e = s.find("*/", i + 2);
      i = e == std::string_view::npos ? s.size() : e + 2;
      if (e == std::string_view::npos) push('c');
    } else if (c == '*' && i + 1 < s.size() && s[i + 1] == '/') {
      i += 2;
    } else if (c == '(' || c == ')' || c == ',' || c == ';') {
      ++i;
      push(static_cast<char>(c));
    } else if ((c == '|' || c == '&') && i + 1 < s.size() && s[i + 1] == c) {
      i += 2;
      push('&');
    } else if (std::strchr("=<>!+-*/%^|&~:", c) != nullptr) {
      ++i;
      while (i < s.size() && std::strchr("=<>!", s[i]) != nullptr) ++i;
      push('o');
    } else if (word_byte(c)) {
      read_word();
    } else {
      ++i;  // other punctuation carries no SQL meaning here
    }
  }
};

bool starts(std::string_view fp, std::string_view p) { return fp.substr(0, p.size()) == p; }
bool has(std::string_view fp, std::string_view p) { return fp.find(p) != std::string_view::npos; }
bool any_of_at(std::string_view fp, size_t at, std::string_view set) {
  return at < fp.size() && set.find(fp[at]) != std::string_view::npos;
}
bool end_or(std::string_view fp, size_t at, std::string_view set) {
  return at >= fp.size() || set.find(fp[at]) != std::string_view::npos;
}

// Shapes of an injection. `quoted`: the value was read as if it broke out of a string.
bool injection_shape(std::string_view fp, bool quoted) {
  if (has(fp, "UE") || has(fp, "U(E")) return fp.size() >= 2;            // UNION SELECT
  if (has(fp, ";E") && fp.size() >= 3) return true;                       // stacked query
  if (quoted) {
    if (fp == "sc" || starts(fp, "s)c")) return true;                     // admin'--
    if (starts(fp, "s&")) {                                                // ' or 1=1
      if (any_of_at(fp, 2, "(fU")) return true;
      if (any_of_at(fp, 2, "s1v") && end_or(fp, 3, "oc;&)(")) return true;
      if (any_of_at(fp, 2, "n") && any_of_at(fp, 3, "o(")) return true;
    }
    if (starts(fp, "so") && any_of_at(fp, 2, "s1v") && end_or(fp, 3, "&c;o")) return true;  // '='
    if (starts(fp, "s)") && any_of_at(fp, 2, "&U;")) return true;         // ') or (
    if (starts(fp, "s;") && any_of_at(fp, 2, "Ek")) return true;
    if (starts(fp, "sU")) return true;
    return false;
  }
  if (fp.size() < 3) return false;
  if ((fp[0] == '1' || fp[0] == 'n') && fp[1] == '&') {                   // 1 or 1=1
    if (any_of_at(fp, 2, "(fv")) return true;
    if (any_of_at(fp, 2, "1s") && any_of_at(fp, 3, "o")) return true;
  }
  if ((fp[0] == '1' || fp[0] == 'n') && fp[1] == ')' && any_of_at(fp, 2, "&U;")) return true;
  if (fp[0] == 'E' && any_of_at(fp, 1, "onf1v") && any_of_at(fp, 2, "k")) return true;  // select * from
  if (fp[0] == 'E' && fp[1] == 'f' && fp[2] == '(') return true;          // select sleep(
  return false;
}
}  // namespace

bool detect_sqli(std::string_view s, sqli_fingerprint* out) noexcept {
  // A value of word bytes alone ("customer", "1042", "6f1c2a9e") reads as at most a number and
  // a word: no shape below fits that, so most benign values need no tokenizing.
  if (std::all_of(s.begin(), s.end(), [](char c) { return word_byte(static_cast<unsigned char>(c)); }))
    return false;
  for (const char quote : {char{0}, '\'', '"'}) {
    if (quote && s.find(quote) == std::string_view::npos) continue;  // nothing to break out of
    tokenizer t;
    t.s = s;
    t.quote = quote;
    t.run();
    const std::string_view fp(t.fp.data(), t.n);
    if (injection_shape(fp, quote != 0)) {
      if (out) {
        std::memcpy(out->text, fp.data(), std::min(fp.size(), sizeof out->text - 1));
        out->text[std::min(fp.size(), sizeof out->text - 1)] = 0;
      }
      return true;
    }
  }
  return false;
}

}  // namespace ravelin::waf
