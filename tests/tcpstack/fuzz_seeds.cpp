// Writes the seed corpus of the stack fuzz target (tests/fuzz/corpus/stack) from the packet
// builder, so the seeds stay readable as code: one Ethernet frame per file.
#include <cstdio>
#include <fstream>
#include <string>

#include "echo_helpers.h"

using namespace ravelin::test;

namespace {

void write(const std::string& dir, const std::string& name, const bytes& b) {
  std::ofstream(dir + "/" + name, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  arp_fields req;
  req.sha = k_peer_mac;
  req.spa = k_peer_ip;
  req.tpa = k_our_ip0;
  write(dir, "arp_request", build_arp({k_broadcast_mac, k_peer_mac, 0x0806}, req));
  arp_fields rep = req;
  rep.op = 2;
  rep.tha = k_our_mac0;
  write(dir, "arp_reply", build_arp({k_our_mac0, k_peer_mac, 0x0806}, rep));
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
  return 0;
}
