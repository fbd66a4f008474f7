#include "tcp_fixture.h"

namespace ravelin::test {

void recorder::on_readable(ts::conn_id c, void*, ts::rx_view v) {
  events.push_back({tcp_event::readable, c, v.length});
  if (!consume) return;
  bytes& r = received[c.index];
  v.for_each([&](const uint8_t* p, uint32_t n) { r.insert(r.end(), p, p + n); });
  tcp->consume(c, v.length);
}

int recorder::count(tcp_event::kind k) const {
  int n = 0;
  for (const auto& e : events) n += e.k == k ? 1 : 0;
  return n;
}

const tcp_event* recorder::last(tcp_event::kind k) const {
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->k == k) return &*it;
  }
  return nullptr;
}

ts::stack_limits tcp_test::tcp_limits() {
  ts::stack_limits l;
  l.tcp_secret = 42;  // reproducible ISNs
  l.tcp_recv_buffer = 64 * 1024;
  l.tcp_send_buffer = 64 * 1024;
  return l;
}

void tcp_test::SetUp() {
  stack_test::SetUp();
  rebuild(tcp_limits());
}

void tcp_test::rebuild(const ts::stack_limits& limits) {
  make_stack(default_interfaces(), limits);
  // Teach the stack the peer's MAC so segments go straight out.
  arp_fields a;
  a.sha = k_peer_mac;
  a.spa = k_peer_ip;
  a.tpa = k_our_ip0;
  feed(build_arp({k_broadcast_mac, k_peer_mac, 0x0806}, a));
  drain(0);
  rec_ = recorder{};
  rec_.tcp = &stack_->tcp();
  ASSERT_TRUE(stack_->tcp().listen(k_port, &rec_));
  snapshot();
}

tcp_fields tcp_test::seg(uint8_t flags, uint32_t seq, uint32_t ack, const bytes& payload) const {
  tcp_fields f;
  f.flags = flags;
  f.seq = seq;
  f.ack = ack;
  f.payload = payload;
  f.window = 65535;
  if (ts_) f.options = cat({opt_nops(2), opt_timestamp(peer_ts_, our_ts_)});
  return f;
}

void tcp_test::send(const tcp_fields& f, uint16_t sport) {
  tcp_fields g = f;
  g.sport = sport;
  g.dport = f.dport;
  const bytes frame = build_tcp_frame(to_us(), peer_to_us(6), g);
  feed(frame, 0, frame.size() > 2000 ? 1024 : 0);  // jumbo segments arrive as mbuf chains
}

std::vector<parsed_tcp> tcp_test::out() {
  std::vector<parsed_tcp> r;
  std::vector<bytes> frames = drain(0);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const bytes b = frames[i];
    if (read16(b, 12) == 0x0806) {
      // The peer's ARP entry expired on a long test clock: answer, collect what was held.
      arp_fields a;
      a.op = 2;
      a.sha = k_peer_mac;
      a.spa = k_peer_ip;
      a.tha = k_our_mac0;
      a.tpa = k_our_ip0;
      feed(build_arp({k_our_mac0, k_peer_mac, 0x0806}, a));
      for (bytes& f : drain(0)) frames.push_back(std::move(f));
      continue;
    }
    auto p = parse_tcp_frame(b);
    EXPECT_TRUE(p.has_value()) << "not a TCP frame";
    if (!p) continue;
    EXPECT_TRUE(p->ip_checksum_ok);
    EXPECT_TRUE(p->tcp_checksum_ok);
    if (p->has_ts) our_ts_ = p->ts_val;
    r.push_back(*p);
  }
  return r;
}

parsed_tcp tcp_test::one() {
  auto v = out();
  EXPECT_EQ(v.size(), 1u);
  return v.empty() ? parsed_tcp{} : v[0];
}

parsed_tcp tcp_test::open(const peer_syn& syn) {
  tcp_fields f;
  f.flags = k_syn;
  f.seq = k_peer_isn;
  f.options = opt_mss(syn.mss);
  if (syn.sack) f.options = cat({f.options, opt_sack_permitted()});
  if (syn.ts) f.options = cat({f.options, opt_timestamp(peer_ts_, 0)});
  if (syn.wscale) f.options = cat({f.options, opt_nops(1), opt_wscale(*syn.wscale)});
  send(f);
  parsed_tcp sa = one();
  our_isn_ = sa.seq;
  our_nxt_ = sa.seq + 1;
  ts_ = syn.ts;
  send(seg(k_ack, peer_nxt_, our_nxt_));
  const tcp_event* e = rec_.last(tcp_event::accepted);
  EXPECT_NE(e, nullptr) << "no on_accepted";
  if (e != nullptr) conn_ = e->c;
  return sa;
}

void tcp_test::peer_data(const bytes& payload, uint8_t flags) {
  send(seg(flags, peer_nxt_, our_nxt_, payload));
  peer_nxt_ += static_cast<uint32_t>(payload.size()) + ((flags & k_fin) != 0 ? 1 : 0);
}

void tcp_test::advance(uint64_t ns) {
  now_ns_ += ns;
  stack_->poll(now_ns_);
}

}  // namespace ravelin::test
