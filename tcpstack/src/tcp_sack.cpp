// The RFC 6675 scoreboard: SACK blocks from the peer (RFC 2018 §3) merged into sorted,
// disjoint ranges above SND.UNA, and what RFC 6675 §4 derives from them: the holes,
// IsLost() and the pipe estimate.
#include <algorithm>

#include "internal/seq.h"
#include "internal/tcp_engine.h"

namespace ravelin::tcpstack::internal {
namespace {

constexpr uint32_t k_dup_thresh = 3;

void recount(scoreboard& sb) {
  sb.sacked_bytes = 0;
  for (uint32_t i = 0; i < sb.n; ++i) sb.sacked_bytes += sb.r[i].end - sb.r[i].start;
}

void insert_range(scoreboard& sb, uint32_t s, uint32_t e) {
  sack_block out[k_scoreboard_ranges + 1];
  uint32_t n = 0;
  uint32_t i = 0;
  for (; i < sb.n && seq_lt(sb.r[i].end, s); ++i) out[n++] = sb.r[i];
  for (; i < sb.n && seq_leq(sb.r[i].start, e); ++i) {  // overlapping or adjacent: merge
    s = seq_min(s, sb.r[i].start);
    e = seq_max(e, sb.r[i].end);
  }
  out[n++] = {s, e};
  for (; i < sb.n; ++i) out[n++] = sb.r[i];
  // Full: forget the highest range. Losing SACK information only costs a needless
  // retransmission, never correctness.
  sb.n = static_cast<uint8_t>(std::min<uint32_t>(n, k_scoreboard_ranges));
  std::copy(out, out + sb.n, sb.r);
}

}  // namespace

uint32_t tcp_engine::sack_update(tcb& t, const segment& seg) {
  const uint32_t before = t.sb.sacked_bytes;
  for (uint32_t i = 0; i < seg.opt.sack_count; ++i) {
    const sack_block& b = seg.opt.sack[i];
    // Ignore D-SACKs and blocks at or below the cumulative ACK (RFC 2883), and blocks for
    // data never sent (RFC 2018 §3 leaves invalid blocks to the sender).
    if (!seq_lt(b.start, b.end) || seq_leq(b.end, seg.ack) || seq_leq(b.end, t.snd_una) ||
        seq_gt(b.end, t.snd_max) || b.end - b.start > t.snd_max - t.snd_una) {
      continue;
    }
    insert_range(t.sb, seq_max(b.start, seq_max(t.snd_una, seg.ack)), b.end);
  }
  recount(t.sb);
  return t.sb.sacked_bytes > before ? t.sb.sacked_bytes - before : 0;
}

void tcp_engine::sack_prune(tcb& t) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < t.sb.n; ++i) {
    sack_block r = t.sb.r[i];
    if (seq_leq(r.end, t.snd_una)) continue;
    r.start = seq_max(r.start, t.snd_una);
    t.sb.r[k++] = r;
  }
  t.sb.n = static_cast<uint8_t>(k);
  recount(t.sb);
}

uint32_t tcp_engine::holes(const tcb& t, hole* out, uint32_t max) const {
  uint32_t n = 0;
  uint32_t start = t.snd_una;
  uint32_t above_bytes = t.sb.sacked_bytes;
  uint32_t above_ranges = t.sb.n;
  for (uint32_t i = 0; i < t.sb.n && n < max; ++i) {
    const sack_block& r = t.sb.r[i];
    if (seq_lt(start, r.start)) {
      // IsLost(): DupThresh discontiguous SACKed ranges above, or more than
      // (DupThresh - 1) * SMSS bytes SACKed above.
      const bool lost = above_ranges >= k_dup_thresh || above_bytes > (k_dup_thresh - 1) * t.smss;
      out[n++] = {start, r.start, lost};
    }
    above_bytes -= r.end - r.start;
    --above_ranges;
    start = seq_max(start, r.end);
  }
  if (n < max && seq_lt(start, t.snd_max)) out[n++] = {start, t.snd_max, false};
  return n;
}

uint32_t tcp_engine::pipe(const tcb& t) const {
  // RFC 6675 §4 SetPipe(): each unSACKed octet counts once unless lost, and once more if
  // it was retransmitted (below HighRxt).
  hole h[k_scoreboard_ranges + 1];
  const uint32_t n = holes(t, h, k_scoreboard_ranges + 1);
  uint32_t p = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (!h[i].lost) p += h[i].end - h[i].start;
    if (seq_lt(h[i].start, t.high_rxt)) p += seq_min(h[i].end, t.high_rxt) - h[i].start;
  }
  return p;
}

bool tcp_engine::una_lost(const tcb& t) const {
  hole h[1];
  return holes(t, h, 1) == 1 && h[0].start == t.snd_una && h[0].lost;
}

}  // namespace ravelin::tcpstack::internal
