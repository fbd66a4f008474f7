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

// One case of CRS' regression suite as crs_cases.py writes it (title, raw request, the rule
// ids its log must and must not contain).
struct crs_case {
  std::string title, raw, log_contains, no_log_contains;
};
std::vector<crs_case> read_crs_cases(const char* path);  // empty if the file is unreadable

// The raw requests of a corpus like data/benign-requests.txt: blocks separated by lines of
// '=====', '#' comment lines before a block, line ends made CRLF, Content-Length filled in for
// a block with a body.
std::vector<std::string> read_request_blocks(const char* path);

}  // namespace ravelin::waf::test
