// Where the proxy meets the waf plugin (waf_plugin.h): the head is judged once the route is
// known (the route or service decides which rules apply), the body as it streams
// (pump_request_body), and a refused request gets its status with a JSON body that names the
// transaction, as the audit lines do.
#include "proxy.h"
#include "ravelin/waf/audit.h"
#include "snapshot.h"
#include "state.h"

namespace ravelin::dataplane::proxy {

bool http_proxy::waf_check_head(session& s) {
  waf_lane* lane = lane_of(s.snap);
  if (lane == nullptr) return true;
  const int32_t instance =
      s.snap->state.waf->pick(s.route != nullptr ? s.route->index : UINT32_MAX,
                              s.service != nullptr ? s.service->index : UINT32_MAX);
  if (instance < 0) return true;
  const http::message_head& h = s.req.head();
  const bool has_body = h.framing == http::body_framing::chunked ||
                        (h.framing == http::body_framing::length && h.content_length != 0);
  const waf_decision d =
      lane->start(instance, h, s.in.get(), s.head_len, s.client_ip, has_body, &s.waf);
  if (!d.block) return true;
  answer_blocked(s, d, has_body);
  return false;
}

bool http_proxy::waf_check_response(session& s) {
  if (!s.waf->awaiting_response) return true;  // phase 2 is still to come: it releases the slot
  s.waf_hold = lane_of(s.snap)->want_response_body(
      *s.waf, s.resp.head(), s.method == http::method::head, settings_.waf_response_hold);
  if (!s.waf_hold) return waf_judge_response(s);
  s.deadline_ns = now_ns_ + s.service->read_timeout * k_ns_per_ms;
  return waf_resume_response(s);
}

bool http_proxy::waf_resume_response(session& s) {
  // Nothing is consumed: the pump forwards the held bytes once phase 4 lets them go.
  if (!lane_of(s.snap)->gather_response_body(*s.waf, tcp_.readable(s.up->id), s.up->eof)) {
    return false;  // the read timeout keeps running
  }
  return waf_judge_response(s);
}

bool http_proxy::waf_judge_response(session& s) {
  uint32_t whole = 0;
  const waf_decision d = lane_of(s.snap)->response(*s.waf, s.resp.head(), &whole);
  s.waf = nullptr;
  s.waf_hold = false;
  if (!d.block) return true;
  // The origin's answer is dropped. Held whole, it leaves the connection as a finished
  // exchange would; otherwise the connection is closed (answer_error would reset it).
  if (whole != 0) tcp_.consume(s.up->id, whole);
  const bool reusable = whole != 0 && s.request_done && s.resp.head().keep_alive;
  release_link(s, reusable ? link_end::keep : link_end::close);
  answer_blocked(s, d, !s.request_done);
  return false;
}

void http_proxy::answer_blocked(session& s, const waf_decision& d, bool body_unread) {
  if (s.response_sent) {
    // The origin answered before the body ended; its answer is on its way, so only a reset
    // can still refuse the request.
    tcp_.abort(s.client);
    s.client_open = false;
    release_session(s);
    return;
  }
  char body[waf::k_block_body_max];
  const size_t n = waf::write_block_body(body, d.status, d.id);
  // The origin gets a reset instead of the held-back end of the request (answer_error).
  answer_error(s, d.status, {body, n}, body_unread);
}

void http_proxy::waf_abandon(session& s) {
  s.waf_hold = false;
  if (s.waf == nullptr) return;
  lane_of(s.snap)->abandon(*s.waf);
  s.waf = nullptr;
}

}  // namespace ravelin::dataplane::proxy
