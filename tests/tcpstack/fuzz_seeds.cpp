// Writes the seed corpus of the stack fuzz target (tests/fuzz/corpus/stack) from the packet
// builders, so the seeds stay readable as code: single Ethernet frames, and "RVTCP" scripts
// (see tests/fuzz/stack_fuzz.cpp) that take a connection through its states.
#include <cstdio>
#include <fstream>
#include <string>

#include "echo_helpers.h"
#include "tcp_builder.h"

using namespace ravelin::test;

namespace {

void write(const std::string& dir, const std::string& name, const bytes& b) {
  std::ofstream(dir + "/" + name, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

bytes tcp_frame(const tcp_fields& t) { return build_tcp_frame(to_us(), peer_to_us(6), t); }

bytes syn_with_options(uint16_t port = 80) {
  tcp_fields t;
  t.dport = port;
  t.seq = 1000;
  t.options =
      cat({opt_mss(1460), opt_sack_permitted(), opt_timestamp(7, 0), opt_nops(1), opt_wscale(7)});
  return tcp_frame(t);
}

// Script records.
struct script {
  bytes b = {'R', 'V', 'T', 'C', 'P'};
  script& frame(const bytes& f) {
    b.push_back('F');
    b.push_back(static_cast<uint8_t>(f.size() >> 8));
    b.push_back(static_cast<uint8_t>(f.size()));
    b.insert(b.end(), f.begin(), f.end());
    return *this;
  }
  script& reply(uint8_t flags, const std::string& data = {}, uint16_t win = 65535,
                uint16_t skip = 0) {
    b.push_back(skip != 0 ? 'S' : 'R');
    if (skip != 0) {
      b.push_back(static_cast<uint8_t>(skip >> 8));
      b.push_back(static_cast<uint8_t>(skip));
    }
    b.push_back(flags);
    b.push_back(static_cast<uint8_t>(win >> 8));
    b.push_back(static_cast<uint8_t>(win));
    b.push_back(static_cast<uint8_t>(data.size()));
    b.insert(b.end(), data.begin(), data.end());
    return *this;
  }
  script& wait(uint16_t ms) {
    b.insert(b.end(), {'T', static_cast<uint8_t>(ms >> 8), static_cast<uint8_t>(ms)});
    return *this;
  }
  script& app(uint8_t op) {
    b.insert(b.end(), {'A', op});
    return *this;
  }
};

// Each script uses its own peer port: the fuzz target's stack outlives every input.
script handshake(uint16_t sport) {
  tcp_fields t;
  t.sport = sport;
  t.seq = 1000;  // no options: the script's segments carry no timestamps
  return script().frame(tcp_frame(t)).reply(k_ack);
}

bytes peer_arp_reply() {
  arp_fields rep;
  rep.op = 2;
  rep.sha = k_peer_mac;
  rep.spa = k_peer_ip;
  rep.tha = k_our_mac0;
  rep.tpa = k_our_ip0;
  return build_arp({k_our_mac0, k_peer_mac, 0x0806}, rep);
}

void write_frames(const std::string& dir) {
  arp_fields req;
  req.sha = k_peer_mac;
  req.spa = k_peer_ip;
  req.tpa = k_our_ip0;
  write(dir, "arp_request", build_arp({k_broadcast_mac, k_peer_mac, 0x0806}, req));
  write(dir, "arp_reply", peer_arp_reply());
  write(dir, "echo", request(echo{}));
  write(dir, "echo_options",
        request(echo_with([](echo& e) { e.ip.options = {7, 7, 4, 0, 0, 0, 0, 1}; })));
  write(dir, "echo_large", request(echo_with([](echo& e) { e.icmp.payload.assign(1400, 0xa5); })));
  write(dir, "echo_padded", padded(request(echo_with([](echo& e) { e.icmp.payload.clear(); }))));
  write(dir, "echo_broadcast", request(echo_with([](echo& e) {
          e.eth.dst = k_broadcast_mac;
          e.ip.dst = 0xffffffffu;
        })));
  bytes truncated = request(echo{});
  truncated.resize(14 + 12);
  write(dir, "ipv4_truncated", truncated);
  write(dir, "ipv4_fragment", request(echo_with([](echo& e) { e.ip.flags_fragment = 0x2001; })));
  write(dir, "ipv4_tcp", request(echo_with([](echo& e) { e.ip.protocol = 6; })));
  write(dir, "runt", bytes{2, 0, 0, 0, 0, 1, 2, 0});
  write(dir, "tcp_syn", syn_with_options());
  write(dir, "tcp_syn_closed_port", syn_with_options(81));
  tcp_fields stray;
  stray.flags = k_ack | k_psh;
  stray.seq = 5;
  stray.ack = 77;
  stray.payload = {'x', 'y'};
  write(dir, "tcp_stray_ack", tcp_frame(stray));
  tcp_fields bad_options = stray;
  bad_options.flags = k_syn;
  bad_options.options = {2, 4, 5, 0xb4, 8, 0, 3, 3, 14, 5, 3};
  write(dir, "tcp_bad_options", tcp_frame(bad_options));
}

void write_scripts(const std::string& dir) {
  write(dir, "tcp_script_data_close",
        handshake(41000)
            .reply(k_ack | k_psh, "GET / HTTP/1.1\r\n\r\n")
            .wait(50)
            .reply(k_ack)
            .reply(k_ack | k_fin)
            .wait(10)
            .reply(k_ack)
            .b);
  write(dir, "tcp_script_reassembly",
        handshake(41001)
            .reply(k_ack, "later", 65535, 10)
            .reply(k_ack, "after", 65535, 20)
            .reply(k_ack, "0123456789")
            .reply(k_ack, "0123456789")
            .b);
  write(dir, "tcp_script_rst_challenge",
        handshake(41002).reply(k_rst, "", 0, 100).reply(k_syn, "", 0, 5).reply(k_rst).b);
  write(dir, "tcp_script_our_close",
        handshake(41003).app(0).reply(k_ack).reply(k_ack | k_fin).wait(1000).b);
  write(dir, "tcp_script_simultaneous_close",
        handshake(41004).app(0).reply(k_ack | k_fin).reply(k_ack).b);
  write(dir, "tcp_script_zero_window",
        handshake(41005).reply(k_ack, "", 0).app(3).wait(300).wait(600).reply(k_ack).wait(10).b);
  write(dir, "tcp_script_active_open",
        script().frame(peer_arp_reply()).app(6).reply(k_syn | k_ack).app(3).reply(k_ack).app(2).b);
  script flood;
  for (uint16_t p = 0; p < 8; ++p) {
    tcp_fields t;
    t.sport = static_cast<uint16_t>(20000 + p);
    t.seq = 1000u * p;
    flood.frame(tcp_frame(t));
  }
  write(dir, "tcp_script_syn_flood_cookie", flood.reply(k_ack).b);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  write_frames(argv[1]);
  write_scripts(argv[1]);
  return 0;
}
