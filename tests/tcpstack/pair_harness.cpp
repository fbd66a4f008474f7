#include "pair_harness.h"

#include <algorithm>

#include "eal_env.h"

namespace ravelin::test {
namespace {

const rte_ether_addr k_mac_a = {{2, 0, 0, 0, 0xa, 1}};
const rte_ether_addr k_mac_b = {{2, 0, 0, 0, 0xb, 1}};
constexpr uint16_t k_burst = 32;

}  // namespace

rte_mempool* pair_pool() {
  static rte_mempool* pool = [] {
    init_eal();
    return rte_pktmbuf_pool_create("tcp_pair", 16383, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                   SOCKET_ID_ANY);
  }();
  return pool;
}

unsigned pool_in_use(rte_mempool* p) { return rte_mempool_in_use_count(p); }

uint8_t stream_byte(uint64_t seed, uint64_t offset) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ULL + offset;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return static_cast<uint8_t>(z ^ (z >> 31));
}

pair_harness::pair_harness(const ts::stack_limits& la, const ts::stack_limits& lb,
                           const link_faults& f)
    : pool_(pair_pool()), faults_(f), rng_(f.seed) {
  const ts::interface_addr ia[] = {{0, k_mac_a, k_ip_a, 24, 0}};
  const ts::interface_addr ib[] = {{0, k_mac_b, k_ip_b, 24, 0}};
  a_ = std::make_unique<ts::stack>(ia, la, pool_);
  b_ = std::make_unique<ts::stack>(ib, lb, pool_);
  a_->poll(now_);
  b_->poll(now_);
}

pair_harness::~pair_harness() {
  for (auto& p : wire_) rte_pktmbuf_free(p.m);
  for (ts::stack* s : {a_.get(), b_.get()}) {
    ts::tx_batch& b = s->output(0);
    rte_pktmbuf_free_bulk(b.pkts, b.count);
    b.clear();
  }
}

void pair_harness::collect(int from) {
  ts::tx_batch& batch = (from == 0 ? a_ : b_)->output(0);
  for (uint16_t i = 0; i < batch.count; ++i) {
    rte_mbuf* orig = batch.pkts[i];
    ++sent;
    const bool drop = uniform() < faults_.loss || (drop_if && drop_if(from, orig));
    if (drop) {
      ++dropped;
      rte_pktmbuf_free(orig);
      continue;
    }
    int copies = uniform() < faults_.duplicate ? 2 : 1;
    duplicated += copies - 1;
    for (int k = 0; k < copies; ++k) {
      rte_mbuf* m = rte_pktmbuf_copy(orig, pool_, 0, UINT32_MAX);
      if (m == nullptr) {
        ++dropped;  // pool exhausted: the link drops, as a NIC would
        continue;
      }
      uint64_t delay = faults_.delay_ns;
      if (uniform() < faults_.reorder) {
        delay += static_cast<uint64_t>(uniform() * static_cast<double>(faults_.jitter_ns));
        ++reordered;
      }
      wire_.push_back({now_ + delay, order_++, 1 - from, m});
    }
    rte_pktmbuf_free(orig);
  }
  batch.clear();
}

void pair_harness::deliver() {
  std::sort(wire_.begin(), wire_.end(), [](const in_flight& x, const in_flight& y) {
    return x.at != y.at ? x.at < y.at : x.order < y.order;
  });
  std::size_t n = 0;
  while (n < wire_.size() && wire_[n].at <= now_) ++n;
  rte_mbuf* burst[2][k_burst];
  uint16_t count[2] = {0, 0};
  auto flush = [&](int to) {
    (to == 0 ? a_ : b_)->input(0, burst[to], count[to], now_);
    count[to] = 0;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const int to = wire_[i].to;
    burst[to][count[to]++] = wire_[i].m;
    if (count[to] == k_burst) flush(to);
  }
  for (int to : {0, 1}) {
    if (count[to] != 0) flush(to);
  }
  wire_.erase(wire_.begin(), wire_.begin() + static_cast<long>(n));
}

void pair_harness::step(uint64_t dt_ns) {
  now_ += dt_ns;
  deliver();
  a_->poll(now_);
  b_->poll(now_);
  collect(0);
  collect(1);
}

bool pair_harness::run_until(const std::function<bool()>& done, uint64_t max_ns, uint64_t step_ns) {
  const uint64_t end = now_ + max_ns;
  while (!done() && now_ < end) step(step_ns);
  return done();
}

void stream_sender::pump(ts::conn_id c) {
  auto& tcp = stack_.tcp();
  while (written < total_) {
    const uint64_t left = total_ - written;
    uint32_t n = 0;
    if (chunk_++ % 2 == 0) {
      // Zero copy: a two-segment chain handed over whole.
      const uint32_t want = static_cast<uint32_t>(std::min<uint64_t>(left, 3000));
      if (tcp.send_space(c) < want) break;
      rte_mbuf* head = rte_pktmbuf_alloc(pair_pool());
      rte_mbuf* tail = rte_pktmbuf_alloc(pair_pool());
      if (head == nullptr || tail == nullptr) {
        rte_pktmbuf_free(head);
        rte_pktmbuf_free(tail);
        break;
      }
      // An odd split, so queued segments start at odd sequence offsets (the checksum's
      // hardest case).
      const uint32_t first = std::min<uint32_t>(want, 999 + static_cast<uint32_t>(chunk_ % 5));
      auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(head, static_cast<uint16_t>(first)));
      for (uint32_t i = 0; i < first; ++i) p[i] = stream_byte(seed_, written + i);
      if (want > first) {
        auto* q = reinterpret_cast<uint8_t*>(
            rte_pktmbuf_append(tail, static_cast<uint16_t>(want - first)));
        for (uint32_t i = first; i < want; ++i) q[i - first] = stream_byte(seed_, written + i);
        rte_pktmbuf_chain(head, tail);
      } else {
        rte_pktmbuf_free(tail);
      }
      if (tcp.send(c, head) != ts::send_status::accepted) {
        rte_pktmbuf_free(head);
        break;
      }
      n = want;
    } else {
      uint8_t buf[4096];
      const uint32_t want =
          static_cast<uint32_t>(std::min<uint64_t>(left, sizeof(buf) - chunk_ % 7));
      for (uint32_t i = 0; i < want; ++i) buf[i] = stream_byte(seed_, written + i);
      n = tcp.send_copy(c, buf, want);
      if (n == 0) break;
    }
    written += n;
  }
  if (written == total_ && !finished_) {
    finished_ = true;
    if (close_) {
      tcp.close(c);
    } else {
      tcp.shutdown(c);
    }
  }
}

void stream_sender::on_readable(ts::conn_id c, void*, ts::rx_view v) {
  stack_.tcp().consume(c, v.length);  // echo replies are checked by tests that want them
}

void stream_sender::on_peer_closed(ts::conn_id c, void*) {
  if (!close_) stack_.tcp().close(c);
}

void stream_sender::on_closed(ts::conn_id, void*, ts::close_reason r) {
  ++closed;
  last_reason = r;
  if (r != ts::close_reason::normal) ++closed_abnormally;
}

void stream_sink::on_readable(ts::conn_id c, void*, ts::rx_view v) {
  auto& tcp = stack_.tcp();
  auto check = [&](const uint8_t* p, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      if (p[i] != stream_byte(seed_, received + i)) ++mismatches;
    }
    if (echo_) echo_backlog_.insert(echo_backlog_.end(), p, p + n);
    received += n;
  };
  take_ = !take_;
  if (take_) {
    rte_mbuf* m = tcp.take(c);
    for (rte_mbuf* s = m; s != nullptr; s = s->next) {
      check(rte_pktmbuf_mtod(s, const uint8_t*), s->data_len);
    }
    rte_pktmbuf_free(m);
  } else {
    v.for_each(check);
    tcp.consume(c, v.length);
  }
  if (echo_) flush_echo(c);
}

void stream_sink::flush_echo(ts::conn_id c) {
  if (echo_backlog_.empty()) return;
  const uint32_t n =
      stack_.tcp().send_copy(c, echo_backlog_.data(), static_cast<uint32_t>(echo_backlog_.size()));
  echoed += n;
  echo_backlog_.erase(echo_backlog_.begin(), echo_backlog_.begin() + n);
  if (echo_backlog_.empty() && peer_closed) stack_.tcp().close(c);
}

void stream_sink::on_peer_closed(ts::conn_id c, void*) {
  peer_closed = true;
  if (echo_backlog_.empty()) stack_.tcp().close(c);
}

void stream_sink::on_closed(ts::conn_id, void*, ts::close_reason r) {
  ++closed;
  if (r != ts::close_reason::normal) ++closed_abnormally;
}

}  // namespace ravelin::test
