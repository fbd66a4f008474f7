// Fuzz target for request evaluation: any bytes, read as a raw HTTP request, go through OWASP
// CRS 3.3.4 (paranoia level 4) on the PCRE2 path and the Hyperscan path. Neither may crash,
// and both must agree on every matched rule and the verdict (a differential oracle). The
// request's headers and body then come back as an HTML response for phases 3 to 5.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "../waf/raw_http.h"
#include "ravelin/waf/engine.h"
#include "ravelin/waf/seclang.h"

namespace {
struct engines {
  std::shared_ptr<const ravelin::waf::rule_set> rules;
  std::unique_ptr<ravelin::waf::waf_engine> reference, fast;
  std::unique_ptr<ravelin::waf::transaction> a, b;
};

engines& shared() {
  static engines e = [] {
    using namespace ravelin::waf;
    engines out;
    rule_loader l;
    l.load_text("SecRuleEngine On\nSecRequestBodyAccess On\nSecResponseBodyAccess On\n"
                "SecRule REQUEST_HEADERS:Content-Type \"^application/json\" \"id:200001,phase:1,pass,nolog,t:lowercase,ctl:requestBodyProcessor=JSON\"\n"
                "SecRule REQUEST_HEADERS:Content-Type \"^(?:application(?:/soap\\+|/)|text/)xml\" \"id:200000,phase:1,pass,nolog,t:lowercase,ctl:requestBodyProcessor=XML\"\n",
                "base.conf");
    l.load_file("/etc/modsecurity/crs/crs-setup.conf");
    l.load_text("SecAction \"id:900000,phase:1,pass,nolog,setvar:tx.paranoia_level=4\"\n"
                "Include /usr/share/modsecurity-crs/rules/*.conf\n", "crs.load");
    out.rules = l.finish();
    if (!out.rules) std::abort();
    out.reference = std::make_unique<waf_engine>(out.rules);
    out.fast = std::make_unique<waf_engine>(out.rules, engine_options{true});
    out.a = std::make_unique<transaction>(*out.reference);
    out.b = std::make_unique<transaction>(*out.fast);
    return out;
  }();
  return e;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ravelin::waf;
  if (size > 64 * 1024) return 0;
  engines& e = shared();
  test::owned_request r;
  test::parse_raw_request(std::string(reinterpret_cast<const char*>(data), size), r);
  if (!r.ok) return 0;
  verdict va = e.a->process_request(r.req, "fuzz");
  verdict vb = e.b->process_request(r.req, "fuzz");
  if (va.action != vb.action || va.rule_id != vb.rule_id) std::abort();
  http_response resp;
  resp.status = 200 + static_cast<int>(size % 400);
  resp.headers = r.req.headers;
  resp.body = r.req.body;
  resp.body_over_limit = size % 7 == 0;  // a caller that kept only the body's start
  va = e.a->process_response(resp);
  vb = e.b->process_response(resp);
  e.a->process_logging();
  e.b->process_logging();
  if (va.action != vb.action || va.rule_id != vb.rule_id) std::abort();
  const auto ma = e.a->matches(), mb = e.b->matches();
  if (ma.size() != mb.size()) std::abort();
  for (size_t i = 0; i < ma.size(); ++i) {
    if (ma[i].id != mb[i].id || ma[i].data != mb[i].data) std::abort();
    (void)e.a->audit_line(ma[i]);
  }
  return 0;
}
