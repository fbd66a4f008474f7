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
  s.waf_hold = lane_of(s.snap)->response_body_wanted(*s.waf, s.resp.head(),
                                                     s.method == http::method::head,
                                                     settings_.waf_response_hold);
  if (s.waf_hold == 0) return waf_judge_response(s, {}, 0);
  s.deadline_ns = now_ns_ + s.service->read_timeout * k_ns_per_ms;
  return waf_resume_response(s);
}

bool http_proxy::waf_resume_response(session& s) {
  const tcpstack::rx_view v = tcp_.readable(s.up->id);
  if (v.length >= s.waf_hold) return waf_judge_response(s, v, s.waf_hold);
  // A body cut short by the origin's close goes on uninspected: the pump finds it truncated
  // and resets the client, so no part of it is ever taken for a whole answer.
  if (s.up->eof) return waf_judge_response(s, {}, 0);
  return false;  // the read timeout keeps running
}

bool http_proxy::waf_judge_response(session& s, const tcpstack::rx_view& body, uint32_t len) {
  const waf_decision d = lane_of(s.snap)->response(*s.waf, s.resp.head(), body, len);
  s.waf = nullptr;
  s.waf_hold = 0;
  if (!d.block) return true;
  // The origin's answer is dropped. Held whole, it leaves the connection as a finished
  // exchange would; otherwise the connection is closed (answer_error would reset it).
  if (len != 0) tcp_.consume(s.up->id, len);
  const bool reusable = len != 0 && s.request_done && s.resp.head().keep_alive;
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
  s.waf_hold = 0;
  if (s.waf == nullptr) return;
  lane_of(s.snap)->abandon(*s.waf);
  s.waf = nullptr;
}

}  // namespace ravelin::dataplane::proxy
