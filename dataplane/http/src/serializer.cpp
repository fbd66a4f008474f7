// Head serialization for the proxy's next hop (serializer.h).
#include "ravelin/http/serializer.h"

#include <cstring>

#include "internal/chars.h"

namespace ravelin::http {

namespace {

// Appends to a fixed buffer; remembers overflow instead of writing past the end.
class writer {
 public:
  explicit writer(std::span<char> out) : out_(out) {}
  void put(std::string_view s) {
    if (out_.size() - used_ < s.size()) {
      overflow_ = true;
      return;
    }
    std::memcpy(out_.data() + used_, s.data(), s.size());
    used_ += s.size();
  }
  void put_field(const header_field& f) {
    put(f.name);
    put(": ");
    put(f.value);
    put("\r\n");
  }
  write_result finish() {
    put("\r\n");
    return overflow_ ? write_result{write_status::no_space, 0}
                     : write_result{write_status::ok, used_};
  }

 private:
  std::span<char> out_;
  std::size_t used_ = 0;
  bool overflow_ = false;
};

// A value may hold HTAB, SP, VCHAR and obs-text (RFC 9110 §5.5): nothing that ends a line.
bool is_field_text(std::string_view v) {
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

bool names_in_connection(std::string_view name, std::span<const header_field> fields) {
  for (const header_field& f : fields) {
    if (!iequals(f.name, "connection")) continue;
    const bool listed = !internal::for_each_element(
        f.value, [name](std::string_view opt) { return !iequals(opt, name); });
    if (listed) return true;
  }
  return false;
}

bool removed(std::string_view name, std::span<const header_field> fields, const head_edit& edit) {
  if (is_hop_by_hop(name, fields)) return true;
  for (std::string_view r : edit.remove) {
    if (iequals(r, name)) return true;
  }
  return false;
}

bool valid_added(const head_edit& edit) {
  for (const header_field& f : edit.add) {
    if (!internal::is_token(f.name) || !is_field_text(f.value)) return false;
  }
  return true;
}

write_result write_fields(writer& w, std::span<const header_field> fields, const head_edit& edit) {
  for (const header_field& f : fields) {
    if (!removed(f.name, fields, edit)) w.put_field(f);
  }
  for (const header_field& f : edit.add) w.put_field(f);
  return w.finish();
}

}  // namespace

bool is_hop_by_hop(std::string_view name, std::span<const header_field> fields) {
  static constexpr std::string_view k_always[] = {"connection", "proxy-connection",  "keep-alive",
                                                  "te",         "transfer-encoding", "upgrade"};
  for (std::string_view h : k_always) {
    if (iequals(h, name)) return true;
  }
  return names_in_connection(name, fields);
}

write_result write_request_head(std::span<char> out, std::string_view method,
                                std::string_view target, std::span<const header_field> fields,
                                const head_edit& edit) {
  bool target_ok = !target.empty();
  for (char c : target) target_ok &= internal::is_vchar(c);
  if (!internal::is_token(method) || !target_ok || !valid_added(edit)) {
    return {write_status::invalid_field, 0};
  }
  writer w(out);
  w.put(method);
  w.put(" ");
  w.put(target);
  w.put(" HTTP/1.1\r\n");
  return write_fields(w, fields, edit);
}

write_result write_response_head(std::span<char> out, uint16_t status, std::string_view reason,
                                 std::span<const header_field> fields, const head_edit& edit) {
  if (status < 100 || status > 599 || !is_field_text(reason) || !valid_added(edit)) {
    return {write_status::invalid_field, 0};
  }
  const char code[] = {static_cast<char>('0' + status / 100),
                       static_cast<char>('0' + status / 10 % 10),
                       static_cast<char>('0' + status % 10)};
  writer w(out);
  w.put("HTTP/1.1 ");
  w.put({code, 3});
  w.put(" ");
  w.put(reason);
  w.put("\r\n");
  return write_fields(w, fields, edit);
}

}  // namespace ravelin::http
