// Packet blaster (modes pkt-icmp and pkt-syn): line rate through a peer's L2/L3/L4 fast
// path without any TCP state on our side. A ring of pre-built frames is sent in bursts
// as fast as the port takes them; what comes back is classified by frames.h and counted.
//
// The generator must not be the bottleneck: the frames are built once and each send only
// takes another reference (rte_mbuf_refcnt_update) on a ring slot, so the PMD's free after
// its copy (memif copies in tx) hands the slot back instead of the mempool. A SYN slot is
// rewritten in place for its next source, which is safe only when the PMD has let go of
// it (refcount back to our one reference); a slot still held is skipped and counted.
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "frames.h"
#include "loadgen.h"

namespace ravelin::bench {
namespace {

constexpr uint16_t k_burst = 32;
constexpr uint32_t k_slots = 1024;   // ring of pre-built frames; also ICMP's sequence space
constexpr uint32_t k_rx_bursts = 4;  // rx bursts per loop at most: replies first
constexpr uint64_t k_drain_ns = 200'000'000ULL;
constexpr uint64_t k_link_wait_ns = 15'000'000'000ULL;
constexpr uint64_t k_arp_wait_ns = 5'000'000'000ULL;
constexpr uint16_t k_echo_id = 0x5256;

// Counts of one run. `window` is the measured part; totals run to the end of the drain,
// so that loss counts every frame sent against every answer that came back.
struct blast_counts {
  uint64_t tx = 0;          // frames the port accepted
  uint64_t tx_refused = 0;  // frames offered that the port did not take (ring full)
  uint64_t answers = 0;     // echo replies / SYN-ACKs matching what we sent
  uint64_t rx_frames = 0;   // every frame received (a reflector's answers are these)
  uint64_t mismatched = 0;  // answers that fail the checks in frames::classify
  uint64_t unmatched = 0;   // echo replies with no request of their sequence outstanding
  uint64_t other = 0;
  uint64_t slot_busy = 0;  // SYN slots the PMD still held when due (not rewritten)
  uint64_t arp_replies = 0;
  uint64_t handshakes = 0;  // cookie ACKs sent (pkt-syn --complete)
};

uint64_t to_ns(uint64_t tsc) {
  return static_cast<uint64_t>(static_cast<double>(tsc) * 1e9 /
                               static_cast<double>(rte_get_tsc_hz()));
}

std::span<uint8_t> bytes_of(rte_mbuf* m) {
  return {rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_data_len(m)};
}

// A one-off frame (ARP, handshake completion): off the hot path, allocated as needed.
bool send_one(uint16_t port_id, rte_mempool* pool, const auto& build) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  if (m == nullptr) return false;
  const uint32_t len =
      build(std::span<uint8_t>(rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_tailroom(m)));
  m->data_len = static_cast<uint16_t>(len);
  m->pkt_len = len;
  if (len == 0 || rte_eth_tx_burst(port_id, 0, &m, 1) != 1) {
    rte_pktmbuf_free(m);
    return false;
  }
  return true;
}

class blaster {
 public:
  blaster(const options& opt, uint16_t port_id, const rte_ether_addr& mac, rte_mempool* pool)
      : opt_(opt), port_id_(port_id), pool_(pool), syn_(opt.modes[0] == mode::pkt_syn) {
    std::memcpy(ep_.src_mac.data(), mac.addr_bytes, 6);
    ep_.src_ip = opt.addresses[0].first;
    ep_.dst_ip = opt.target_ip;
    outstanding_.assign(k_slots, 0);
  }
  ~blaster() {
    for (rte_mbuf* m : slots_) rte_pktmbuf_free(m);
  }

  bool start();
  int run();

 private:
  bool resolve_peer();
  uint32_t receive(uint32_t& rx_handled);
  void on_frame(rte_mbuf* m);
  uint32_t send_burst();
  void print(const blast_counts& w, const blast_counts& t, double seconds, uint64_t busy,
             uint64_t cycles) const;

  const options& opt_;
  uint16_t port_id_;
  rte_mempool* pool_;
  bool syn_;
  frames::endpoints ep_;
  std::vector<rte_mbuf*> slots_;
  std::vector<uint32_t> outstanding_;  // echo requests in flight per sequence number
  uint32_t next_slot_ = 0;
  uint64_t next_source_ = 0;  // SYN flood: index of the next source (frames::flood_source)
  uint32_t completions_left_ = 0;
  blast_counts c_;
};

bool blaster::resolve_peer() {
  // An ARP request also teaches the peer our address (RFC 826: it is the target and adds
  // the sender), which a SYN flood needs: its answers go through us as the gateway.
  const uint64_t deadline = to_ns(rte_rdtsc()) + k_arp_wait_ns;
  uint64_t next_request = 0;
  while (!opt_.target_mac_set) {
    const uint64_t now = to_ns(rte_rdtsc());
    if (now > deadline) {
      std::fprintf(stderr, "loadgen: no ARP reply from the target (give --target-mac)\n");
      return false;
    }
    if (now >= next_request) {
      send_one(port_id_, pool_,
               [&](std::span<uint8_t> b) { return frames::build_arp_request(b, ep_); });
      next_request = now + 100'000'000ULL;
    }
    rte_mbuf* pkts[k_burst];
    const uint16_t n = rte_eth_rx_burst(port_id_, 0, pkts, k_burst);
    for (uint16_t i = 0; i < n; ++i) {
      const auto f = bytes_of(pkts[i]);
      if (frames::classify(f, ep_, 0, 0, false) == frames::verdict::arp_reply) {
        ep_.dst_mac = frames::arp_sender(f);
        rte_pktmbuf_free_bulk(pkts, n);
        return true;
      }
    }
    rte_pktmbuf_free_bulk(pkts, n);
  }
  std::memcpy(ep_.dst_mac.data(), opt_.target_mac.data(), 6);
  send_one(port_id_, pool_,
           [&](std::span<uint8_t> b) { return frames::build_arp_request(b, ep_); });
  return true;
}

bool blaster::start() {
  if (!resolve_peer()) return false;
  completions_left_ = opt_.complete;
  slots_.assign(k_slots, nullptr);
  if (rte_pktmbuf_alloc_bulk(pool_, slots_.data(), k_slots) != 0) {
    slots_.clear();
    std::fprintf(stderr, "loadgen: cannot allocate %u frames (raise --mbufs)\n", k_slots);
    return false;
  }
  for (uint32_t i = 0; i < k_slots; ++i) {
    rte_mbuf* m = slots_[i];
    const std::span<uint8_t> room(rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_tailroom(m));
    uint32_t len = 0;
    if (syn_) {
      uint32_t ip = 0;
      uint16_t port = 0;
      frames::flood_source(next_source_++, ip, port);
      len = frames::build_syn(room, ep_, ip, port, opt_.target_port);
    } else {
      len = frames::build_echo_request(room, ep_, k_echo_id, static_cast<uint16_t>(i),
                                       opt_.frame_size);
    }
    if (len == 0) {
      std::fprintf(stderr, "loadgen: cannot build a %u-byte frame\n", opt_.frame_size);
      return false;
    }
    m->data_len = static_cast<uint16_t>(len);
    m->pkt_len = len;
  }
  return true;
}

void blaster::on_frame(rte_mbuf* m) {
  const auto f = bytes_of(m);
  uint16_t seq = 0;
  switch (frames::classify(f, ep_, k_echo_id, k_slots, opt_.verify, &seq)) {
    case frames::verdict::echo_reply:
      // Every reply must answer a request of its sequence number still in flight.
      if (outstanding_[seq] == 0) {
        ++c_.unmatched;
      } else {
        --outstanding_[seq];
        ++c_.answers;
      }
      break;
    case frames::verdict::syn_ack:
      ++c_.answers;
      if (completions_left_ != 0) {
        frames::syn_ack_fields sa;
        frames::parse_syn_ack(f, sa);
        // The cookie comes back in the ACK (RFC 4987 §3.6); the RST right after tears the
        // connection down so completions leave no state behind.
        if (send_one(port_id_, pool_,
                     [&](std::span<uint8_t> b) { return frames::build_ack(b, ep_, sa, 0x10); })) {
          send_one(port_id_, pool_,
                   [&](std::span<uint8_t> b) { return frames::build_ack(b, ep_, sa, 0x14); });
          ++c_.handshakes;
          --completions_left_;
        }
      }
      break;
    case frames::verdict::arp_request:
      if (send_one(port_id_, pool_,
                   [&](std::span<uint8_t> b) { return frames::build_arp_reply(b, f, ep_); })) {
        ++c_.arp_replies;
      }
      break;
    case frames::verdict::mismatch:
      ++c_.mismatched;
      break;
    case frames::verdict::arp_reply:
    case frames::verdict::other:
      ++c_.other;
      break;
  }
}

uint32_t blaster::receive(uint32_t& rx_handled) {
  rte_mbuf* pkts[k_burst];
  uint32_t total = 0;
  for (uint32_t b = 0; b < k_rx_bursts; ++b) {
    const uint16_t n = rte_eth_rx_burst(port_id_, 0, pkts, k_burst);
    for (uint16_t i = 0; i < n; ++i) on_frame(pkts[i]);
    if (n != 0) rte_pktmbuf_free_bulk(pkts, n);
    c_.rx_frames += n;
    total += n;
    if (n < k_burst) break;
  }
  rx_handled += total;
  return total;
}

uint32_t blaster::send_burst() {
  rte_mbuf* burst[k_burst];
  uint16_t n = 0;
  for (uint32_t i = 0; i < k_burst; ++i) {
    rte_mbuf* m = slots_[(next_slot_ + i) % k_slots];
    if (syn_) {
      if (rte_mbuf_refcnt_read(m) != 1) {
        ++c_.slot_busy;
        continue;
      }
      uint32_t ip = 0;
      uint16_t port = 0;
      frames::flood_source(next_source_++, ip, port);
      frames::rewrite_syn_source(bytes_of(m), ip, port);
    }
    rte_mbuf_refcnt_update(m, 1);  // the PMD's free after sending drops this one
    burst[n++] = m;
  }
  const uint16_t sent = rte_eth_tx_burst(port_id_, 0, burst, n);
  for (uint16_t i = sent; i < n; ++i) rte_mbuf_refcnt_update(burst[i], -1);
  if (!syn_) {
    for (uint16_t i = 0; i < sent; ++i) ++outstanding_[(next_slot_ + i) % k_slots];
  }
  c_.tx += sent;
  c_.tx_refused += n - sent;
  // Slots not taken are offered first next time (ICMP's outstanding counts rely on it).
  next_slot_ = (next_slot_ + (syn_ ? k_burst : sent)) % k_slots;
  return sent;
}

int blaster::run() {
  const uint64_t hz = rte_get_tsc_hz();
  const uint64_t t0 = rte_rdtsc();
  const uint64_t measure_at = t0 + static_cast<uint64_t>(opt_.warmup_s * static_cast<double>(hz));
  const uint64_t end_at =
      measure_at + static_cast<uint64_t>(opt_.duration_s * static_cast<double>(hz));
  const uint64_t drain_tsc = k_drain_ns * hz / 1'000'000'000ULL;
  blast_counts at_start{}, at_end{};
  uint64_t busy = 0, busy_start = 0, busy_end = 0, tsc_start = t0, tsc_end = t0;
  bool measuring = false, ended = false;
  uint64_t next_progress = t0 + hz;
  for (;;) {
    const uint64_t start = rte_rdtsc();
    uint32_t handled = 0;
    receive(handled);
    if (!ended) handled += send_burst();
    if (handled != 0) busy += rte_rdtsc() - start;
    if (!measuring && !ended && start >= measure_at) {
      measuring = true;
      at_start = c_;
      busy_start = busy;
      tsc_start = start;
    }
    if (!ended && (start >= end_at || stop_requested())) {
      ended = true;
      at_end = c_;
      busy_end = busy;
      tsc_end = start;
      if (!measuring) {  // stopped during the warm-up: an empty window
        at_start = at_end;
        busy_start = busy_end;
        tsc_start = tsc_end;
      }
    }
    // The drain runs from the actual end (a signal ends the window early).
    if (ended && start >= tsc_end + drain_tsc) break;
    if (opt_.progress && !ended && start >= next_progress) {
      next_progress += hz;
      std::fprintf(stderr, "loadgen: %s tx %llu answers %llu\n",
                   measuring ? "measuring" : "warm-up  ", static_cast<unsigned long long>(c_.tx),
                   static_cast<unsigned long long>(c_.answers));
    }
  }
  blast_counts w;
  w.tx = at_end.tx - at_start.tx;
  w.tx_refused = at_end.tx_refused - at_start.tx_refused;
  w.answers = at_end.answers - at_start.answers;
  w.rx_frames = at_end.rx_frames - at_start.rx_frames;
  const uint64_t cycles = tsc_end - tsc_start;
  print(w, c_, static_cast<double>(cycles) / static_cast<double>(hz), busy_end - busy_start,
        cycles);
  return 0;
}

void blaster::print(const blast_counts& w, const blast_counts& t, double seconds, uint64_t busy,
                    uint64_t cycles) const {
  const double s = seconds > 0 ? seconds : 1;
  const auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  const uint64_t lost = t.tx > t.answers ? t.tx - t.answers : 0;
  std::printf(
      "{\"tool\": \"ravelin-loadgen\", \"mode\": \"%s\", \"frame_size\": %u, "
      "\"seconds\": %.3f,\n \"tx_packets\": %llu, \"tx_pps\": %.1f, \"tx_refused\": %llu, "
      "\"answers\": %llu, \"answers_per_second\": %.1f, \"rx_frames\": %llu, "
      "\"rx_pps\": %.1f,\n",
      syn_ ? "pkt-syn" : "pkt-icmp", syn_ ? frames::k_min_frame : opt_.frame_size, seconds, u(w.tx),
      w.tx / s, u(w.tx_refused), u(w.answers), w.answers / s, u(w.rx_frames), w.rx_frames / s);
  std::printf(
      " \"total\": {\"tx\": %llu, \"answers\": %llu, \"rx_frames\": %llu, \"lost\": %llu, "
      "\"loss_ratio\": %.6f, \"mismatched\": %llu, \"unmatched\": %llu, \"other\": %llu, "
      "\"slot_busy\": %llu, \"arp_replies\": %llu, \"handshakes_completed\": %llu},\n",
      u(t.tx), u(t.answers), u(t.rx_frames), u(lost), t.tx ? static_cast<double>(lost) / t.tx : 0.0,
      u(t.mismatched), u(t.unmatched), u(t.other), u(t.slot_busy), u(t.arp_replies),
      u(t.handshakes));
  std::printf(
      " \"busy_cycles\": %llu, \"cycles\": %llu, \"busy_share\": %.4f, "
      "\"cycles_per_tx_packet\": %.1f, \"tx_refused_share\": %.4f, \"tsc_hz\": %llu}\n",
      u(busy), u(cycles), cycles ? static_cast<double>(busy) / cycles : 0.0,
      w.tx ? static_cast<double>(busy) / w.tx : 0.0,
      w.tx + w.tx_refused ? static_cast<double>(w.tx_refused) / (w.tx + w.tx_refused) : 0.0,
      u(rte_get_tsc_hz()));
  std::fflush(stdout);
}

bool wait_link(uint16_t port_id) {
  const uint64_t deadline = to_ns(rte_rdtsc()) + k_link_wait_ns;
  for (;;) {
    rte_eth_link link{};
    if (rte_eth_link_get_nowait(port_id, &link) == 0 && link.link_status != 0) return true;
    if (to_ns(rte_rdtsc()) > deadline || stop_requested()) return false;
    rte_delay_us_sleep(10'000);
  }
}

}  // namespace

int run_blaster(const options& opt, uint16_t port_id, const rte_ether_addr& mac,
                rte_mempool* pool) {
  if (!wait_link(port_id)) {
    std::fprintf(stderr, "loadgen: link down\n");
    return 1;
  }
  blaster b(opt, port_id, mac, pool);
  if (!b.start()) return 1;
  std::fprintf(stderr, "loadgen: ready\n");
  return b.run();
}

}  // namespace ravelin::bench
