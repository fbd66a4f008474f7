// multipart/form-data (RFC 7578, RFC 2046 §5.1.1) with the strict checks ModSecurity exposes
// as MULTIPART_* flags (reference manual, MULTIPART_STRICT_ERROR): CRS' 920/922 rules and the
// recommended configuration reject requests that set any of them.

#include "internal/ascii.h"
#include "internal/body.h"

namespace ravelin::waf::detail {

namespace {
struct flags {
  bool boundary_quoted = false, boundary_whitespace = false, data_before = false,
       data_after = false, header_folding = false, lf_line = false, crlf_line = false,
       missing_semicolon = false, invalid_quoting = false, invalid_part = false,
       unmatched_boundary = false;
};

bool ieq_prefix(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (ascii::to_lower(static_cast<unsigned char>(s[i])) != p[i]) return false;
  }
  return true;
}

// boundary parameter of the Content-Type (RFC 2046 §5.1.1).
bool find_boundary(std::string_view ct, std::string_view& out, flags& f) {
  for (size_t i = 0; i + 8 <= ct.size(); ++i) {
    if (!ieq_prefix(ct.substr(i), "boundary")) continue;
    size_t j = i + 8;
    while (j < ct.size() && (ct[j] == ' ' || ct[j] == '\t')) { f.boundary_whitespace = true; ++j; }
    if (j >= ct.size() || ct[j] != '=') continue;
    ++j;
    while (j < ct.size() && (ct[j] == ' ' || ct[j] == '\t')) { f.boundary_whitespace = true; ++j; }
    if (j < ct.size() && (ct[j] == '"' || ct[j] == '\'')) {
      f.boundary_quoted = true;
      const char q = ct[j++];
      const size_t e = ct.find(q, j);
      if (e == std::string_view::npos) return false;
      out = ct.substr(j, e - j);
    } else {
      size_t e = j;
      while (e < ct.size() && ct[e] != ';' && ct[e] != ' ' && ct[e] != ',') ++e;
      out = ct.substr(j, e - j);
    }
    return !out.empty() && out.size() <= 70;
  }
  return false;
}

// Content-Disposition: form-data; name="a"; filename="b"
bool disposition(std::string_view v, std::string_view& name, std::string_view& filename,
                 bool& has_filename, flags& f) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (!ieq_prefix(v, "form-data")) return false;
  v.remove_prefix(9);
  while (!v.empty()) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    if (v.empty()) break;
    if (v.front() != ';') f.missing_semicolon = true;
    else v.remove_prefix(1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    const size_t eq = v.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view key = v.substr(0, eq);
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    v.remove_prefix(eq + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    std::string_view val;
    if (!v.empty() && v.front() == '"') {
      size_t e = 1;
      while (e < v.size() && v[e] != '"') {
        if (v[e] == '\\' && e + 1 < v.size()) { f.invalid_quoting = true; ++e; }
        ++e;
      }
      if (e >= v.size()) { f.invalid_quoting = true; return false; }
      val = v.substr(1, e - 1);
      v.remove_prefix(e + 1);
    } else {
      if (!v.empty() && v.front() == '\'') f.invalid_quoting = true;
      size_t e = 0;
      while (e < v.size() && v[e] != ';' && v[e] != ' ') ++e;
      val = v.substr(0, e);
      if (val.find('"') != std::string_view::npos) f.invalid_quoting = true;
      v.remove_prefix(e);
    }
    if (ieq_prefix(key, "name") && key.size() == 4) name = val;
    else if (ieq_prefix(key, "filename") && key.size() == 8) { filename = val; has_filename = true; }
  }
  return true;
}

std::string_view line_at(std::string_view body, size_t& i, flags& f) {
  const size_t e = body.find('\n', i);
  std::string_view l = body.substr(i, e == std::string_view::npos ? body.size() - i : e - i);
  i = e == std::string_view::npos ? body.size() : e + 1;
  if (!l.empty() && l.back() == '\r') {
    l.remove_suffix(1);
    f.crlf_line = true;
  } else if (e != std::string_view::npos) {
    f.lf_line = true;
  }
  return l;
}
}  // namespace

bool parse_multipart(transaction::state& s, std::string_view ct, std::string_view body,
                     std::string_view& error) {
  flags f;
  std::string_view boundary;
  auto finish = [&](bool ok) {
    auto set = [&](variable_id v, bool b) {
      s.scalar[static_cast<size_t>(v)] = b ? "1" : "0";
      s.has_scalar[static_cast<size_t>(v)] = true;
    };
    const bool lf_mix = f.lf_line && f.crlf_line;
    set(variable_id::multipart_boundary_quoted, f.boundary_quoted);
    set(variable_id::multipart_boundary_whitespace, f.boundary_whitespace);
    set(variable_id::multipart_data_before, f.data_before);
    set(variable_id::multipart_data_after, f.data_after);
    set(variable_id::multipart_header_folding, f.header_folding);
    set(variable_id::multipart_lf_line, f.lf_line);
    set(variable_id::multipart_crlf_lf_lines, lf_mix);
    set(variable_id::multipart_missing_semicolon, f.missing_semicolon);
    set(variable_id::multipart_invalid_quoting, f.invalid_quoting);
    set(variable_id::multipart_invalid_part, f.invalid_part);
    set(variable_id::multipart_invalid_header_folding, false);
    set(variable_id::multipart_file_limit_exceeded, false);
    set(variable_id::multipart_unmatched_boundary, f.unmatched_boundary);
    const bool strict = !ok || f.boundary_quoted || f.boundary_whitespace || f.data_before ||
                        f.data_after || f.header_folding || f.lf_line || f.missing_semicolon ||
                        f.invalid_quoting || f.invalid_part;
    set(variable_id::multipart_strict_error, strict);
    return ok;
  };
  if (!find_boundary(ct, boundary, f)) {
    error = "Multipart: boundary not found in Content-Type";
    return finish(false);
  }
  size_t i = 0;
  // Preamble: anything before the first delimiter line.
  for (;;) {
    if (i >= body.size()) {
      error = "Multipart: no boundary in the body";
      return finish(false);
    }
    const std::string_view l = line_at(body, i, f);
    if (l.size() >= 2 + boundary.size() && l.substr(0, 2) == "--" && l.substr(2, boundary.size()) == boundary) break;
    if (!l.empty()) f.data_before = true;
  }
  int64_t files_size = 0;
  bool final_seen = false;
  while (i < body.size() && !final_seen) {
    // Part headers up to an empty line.
    std::string_view name, filename;
    bool has_filename = false, has_disposition = false;
    for (;;) {
      if (i >= body.size()) {
        error = "Multipart: unexpected end in part headers";
        return finish(false);
      }
      const std::string_view h = line_at(body, i, f);
      if (h.empty()) break;
      if (h.front() == ' ' || h.front() == '\t') {
        f.header_folding = true;
        continue;
      }
      const size_t colon = h.find(':');
      if (colon == std::string_view::npos) {
        f.invalid_part = true;
        continue;
      }
      if (ieq_prefix(h, "content-disposition")) {
        has_disposition = true;
        if (!disposition(h.substr(colon + 1), name, filename, has_filename, f)) f.invalid_part = true;
      }
      s.part_headers.push_back({name, h});
    }
    if (!has_disposition) f.invalid_part = true;
    for (size_t k = s.part_headers.size(); k-- > 0 && s.part_headers[k].key.empty();) {
      s.part_headers[k].key = name;
    }
    // Part data up to the next delimiter ("\r\n--boundary", RFC 2046 §5.1.1).
    size_t end = i;
    size_t next = std::string_view::npos;
    for (size_t p = body.find("--", i); p != std::string_view::npos; p = body.find("--", p + 1)) {
      if ((p == 0 || body[p - 1] == '\n') && body.substr(p + 2, boundary.size()) == boundary) {
        next = p;
        break;
      }
      if ((p == 0 || body[p - 1] == '\n') && p + 2 < body.size() && body[p + 2] != '-' &&
          body.substr(p + 2, boundary.size()).size() == boundary.size() &&
          body.substr(p + 2, boundary.size()).substr(0, 4) == boundary.substr(0, 4)) {
        f.unmatched_boundary = true;
      }
    }
    if (next == std::string_view::npos) {
      error = "Multipart: final boundary missing";
      return finish(false);
    }
    end = next;
    if (end > i && body[end - 1] == '\n') --end;
    if (end > i && body[end - 1] == '\r') --end;
    const std::string_view data = body.substr(i, end - i);
    if (has_filename) {
      s.files.push_back({name, filename});
      s.files_names.push_back({name, name});
      s.files_sizes.push_back({name, format_int(s.mem, static_cast<int64_t>(data.size()))});
      files_size += static_cast<int64_t>(data.size());
      s.scalar[static_cast<size_t>(variable_id::multipart_filename)] = filename;
      s.has_scalar[static_cast<size_t>(variable_id::multipart_filename)] = true;
    } else if (has_disposition) {
      s.args_post.push_back({name, data});
    }
    s.scalar[static_cast<size_t>(variable_id::multipart_name)] = name;
    s.has_scalar[static_cast<size_t>(variable_id::multipart_name)] = true;
    i = next;
    size_t li = i;
    const std::string_view delim = line_at(body, li, f);
    i = li;
    if (delim.substr(2 + boundary.size(), 2) == "--") final_seen = true;
  }
  if (!final_seen) {
    error = "Multipart: final boundary missing";
    return finish(false);
  }
  if (body.substr(i).find_first_not_of("\r\n \t") != std::string_view::npos) f.data_after = true;
  s.scalar[static_cast<size_t>(variable_id::files_combined_size)] = format_int(s.mem, files_size);
  s.has_scalar[static_cast<size_t>(variable_id::files_combined_size)] = true;
  return finish(true);
}

}  // namespace ravelin::waf::detail
