// Congestion control: slow start and NewReno congestion avoidance (RFC 5681 §3.1), CUBIC
// (RFC 9438), and what each does on a loss, a timeout and the end of recovery. Windows are
// in bytes; CUBIC's formulas work in segments of SMSS bytes, as the RFC writes them.
#include <algorithm>
#include <cmath>

#include "internal/tcp_engine.h"

namespace ravelin::tcpstack::internal {
namespace {

constexpr double k_cubic_c = 0.4;     // RFC 9438 §5.1
constexpr double k_cubic_beta = 0.7;  // RFC 9438 §4.6
// RFC 9438 §4.3: the Reno-friendly additive increase that matches beta_cubic.
constexpr double k_cubic_alpha = 3.0 * (1.0 - k_cubic_beta) / (1.0 + k_cubic_beta);
constexpr uint32_t k_initial_ssthresh = 0x3fffffff;  // "arbitrarily high" (RFC 5681 §3.1)

uint32_t flight(const tcb& t) { return t.snd_max - t.snd_una; }

uint32_t half_flight(const tcb& t) {
  // RFC 5681 eq. (4): ssthresh = max(FlightSize / 2, 2 * SMSS).
  return std::max<uint32_t>(flight(t) / 2, 2u * t.smss);
}

// RFC 9438 §4.6-4.7: remember W_max (with fast convergence) and shrink by beta_cubic.
uint32_t cubic_reduce(tcb& t) {
  const double w = static_cast<double>(t.cwnd) / t.smss;
  t.cubic.w_max = w < t.cubic.w_max ? w * (1.0 + k_cubic_beta) / 2.0 : w;
  t.cubic.epoch_ns = 0;
  t.cubic.frac = 0;
  return std::max<uint32_t>(static_cast<uint32_t>(t.cwnd * k_cubic_beta), 2u * t.smss);
}

}  // namespace

void tcp_engine::cc_init(tcb& t) {
  // RFC 6928 §2: ten segments by default (as Linux counts them, whole SMSS each).
  t.cwnd = limits_.tcp_initial_window * t.smss;
  t.ssthresh = k_initial_ssthresh;
  t.ca_acked = 0;
  t.cubic = {};
}

void tcp_engine::cc_on_ack(tcb& t, uint32_t acked) {
  if (t.cwnd < t.ssthresh) {
    // Slow start, with RFC 3465 byte counting limited to one SMSS per ACK (RFC 5681 eq. 2).
    t.cwnd += std::min<uint32_t>(acked, t.smss);
    return;
  }
  if (t.cc == congestion_control::newreno) {
    // RFC 5681 §3.1: about one SMSS per RTT, counted in bytes acknowledged.
    t.ca_acked += acked;
    if (t.ca_acked >= t.cwnd) {
      t.ca_acked -= t.cwnd;
      t.cwnd += t.smss;
    }
    return;
  }
  // CUBIC congestion avoidance (RFC 9438 §4.2-4.5).
  const double smss = t.smss;
  const double w = t.cwnd / smss;
  if (t.cubic.epoch_ns == 0) {
    t.cubic.epoch_ns = now_ns_;
    if (w < t.cubic.w_max) {
      t.cubic.k = std::cbrt((t.cubic.w_max - w) / k_cubic_c);  // eq. 2, from cwnd at epoch start
    } else {
      t.cubic.k = 0;
      t.cubic.w_max = w;
    }
    t.cubic.w_est = w;
  }
  // Target W_cubic(t + RTT), eq. 1, kept within [cwnd, 1.5 cwnd] (§4.2).
  const double elapsed = static_cast<double>(now_ns_ - t.cubic.epoch_ns + t.srtt_ns) / 1e9;
  const double d = elapsed - t.cubic.k;
  double target = k_cubic_c * d * d * d + t.cubic.w_max;
  target = std::clamp(target, w, 1.5 * w);
  // Reno-friendly region (§4.3): W_est grows by alpha per RTT, 1 once past W_max.
  const double alpha = t.cubic.w_est >= t.cubic.w_max ? 1.0 : k_cubic_alpha;
  t.cubic.w_est += alpha * (acked / smss) / w;
  double grow_segments;
  if (target < t.cubic.w_est) {
    grow_segments = t.cubic.w_est - w;
  } else {
    grow_segments = (target - w) / w * (acked / smss);  // §4.4 / §4.5
  }
  t.cubic.frac += std::max(0.0, grow_segments) * smss;
  if (t.cubic.frac >= 1.0) {
    const double whole = std::floor(t.cubic.frac);
    t.cwnd += static_cast<uint32_t>(whole);
    t.cubic.frac -= whole;
  }
}

void tcp_engine::cc_on_congestion(tcb& t) {
  t.ca_acked = 0;
  t.ssthresh = t.cc == congestion_control::cubic ? cubic_reduce(t) : half_flight(t);
}

void tcp_engine::cc_on_rto(tcb& t) {
  // RFC 5681 §3.1 eq. (4) on the first timeout of a loss episode only (later ones would
  // halve an already collapsed flight), then a loss window of one segment.
  if (t.backoff == 0) {
    t.ssthresh = t.cc == congestion_control::cubic ? cubic_reduce(t) : half_flight(t);
  }
  t.cwnd = t.smss;
  t.ca_acked = 0;
  t.cubic.epoch_ns = 0;
}

void tcp_engine::cc_exit_recovery(tcb& t) {
  if (t.sack_ok || t.cc == congestion_control::cubic) {
    t.cwnd = t.ssthresh;
  } else {
    // RFC 6582 §3.2 step 6, first option: min(ssthresh, max(FlightSize, SMSS) + SMSS).
    t.cwnd = std::min(t.ssthresh, std::max<uint32_t>(flight(t), t.smss) + t.smss);
  }
  t.cubic.epoch_ns = 0;
}

}  // namespace ravelin::tcpstack::internal
