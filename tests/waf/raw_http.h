// Test helper: a raw HTTP/1.x request (as the CRS regression runner sends it) split into the
// plain data the WAF takes. Lenient like a server that still hands the request to its WAF.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ravelin/waf/request.h"

namespace ravelin::waf::test {

struct owned_request {
  std::string raw, body;
  std::vector<http_header> headers;
  http_request req;
  bool ok = false;  // request line parsed
};

void parse_raw_request(std::string raw, owned_request& out);
std::string base64_decode(std::string_view in);

}  // namespace ravelin::waf::test
