// Fuzz target for the SecLang loader: any text must give either a rule set or a list of
// FILE:LINE errors — never a crash, hang or escaped exception. Rule sets that load are run on
// one fixed request, so the evaluator also sees whatever the parser accepted.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ravelin/waf/engine.h"
#include "ravelin/waf/seclang.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ravelin::waf;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Relative Include/@pmFromFile resolve inside a folder with nothing to include.
  const auto r = load_rules_text(text, "fuzz.conf", "/nonexistent");
  if (r.rules && !r.errors.empty()) std::abort();
  if (!r.rules && r.errors.empty()) std::abort();
  for (const auto& e : r.errors) {
    if (e.message.empty() || e.to_string().rfind(e.file + ":", 0) != 0) std::abort();
  }
  if (!r.rules) return 0;
  waf_engine engine(r.rules);
  transaction tx(engine);
  const http_header headers[] = {{"Host", "example.com"}, {"Cookie", "a=1; b=%27"},
                                 {"Content-Type", "application/x-www-form-urlencoded"}};
  http_request req;
  req.method = "POST";
  req.uri = "/a/b.php?x=1&y=%3Cscript%3E";
  req.protocol = "HTTP/1.1";
  req.headers = headers;
  req.body = "user=alice&q=1%27+or+1%3D1";
  req.remote_addr = "198.18.0.2";
  tx.process_request(req, "fuzz");
  for (const auto& m : tx.matches()) (void)tx.audit_line(m);
  return 0;
}
