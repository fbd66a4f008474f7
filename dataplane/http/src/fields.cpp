// Field lookups over the parsed field table.
#include "ravelin/http/http_types.h"

namespace ravelin::http {

const header_field* find_field(std::span<const header_field> fields, std::string_view name) {
  for (const header_field& f : fields) {
    if (iequals(f.name, name)) return &f;
  }
  return nullptr;
}

}  // namespace ravelin::http
