// ravelin-loadgen: a load generator and origin on tcpstack, one lcore. The pieces every
// mode shares: options, the measurement (counters by kind, latency histogram) and the
// interface of a traffic role driven by the main loop (main.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "histogram.h"
#include "ravelin/tcpstack/tcp.h"

namespace ravelin::bench {

enum class mode : uint8_t { echo_cps, echo_stream, http_client, http_origin, pkt_icmp, pkt_syn };

struct options {
  std::vector<mode> modes;  // http-client and http-origin may run together
  // Our addresses, one per DPDK port in port-id order (host byte order).
  std::vector<std::pair<uint32_t, uint8_t>> addresses;
  uint32_t target_ip = 0;  // clients: where to connect
  uint16_t target_port = 0;
  uint16_t listen_port = 0;  // origin
  uint32_t connections = 16;
  double duration_s = 10;
  double warmup_s = 1;
  uint32_t bytes = 0;  // echo-cps: bytes per connection (64); echo-stream: bytes per send (16384)
  // HTTP client
  std::string path = "/";
  std::string host;  // default: the target address
  std::vector<std::string> headers;
  uint32_t body_bytes = 0;
  bool new_connection = false;  // one request per connection instead of keep-alive
  double rate = 0;              // requests/s, open loop; 0 = closed loop
  // HTTP origin
  uint32_t response_bytes = 64;
  uint64_t delay_us = 0;
  // Stack and port
  uint32_t max_connections = 16384;
  uint64_t time_wait_ms = 100;
  uint32_t mbufs = 32767;
  bool progress = true;
  // Packet blaster (pkt-icmp, pkt-syn; blaster.cpp)
  uint32_t frame_size = 64;             // pkt-icmp: RFC 2544 frame size, FCS included
  std::array<uint8_t, 6> target_mac{};  // the peer's MAC; without it, asked by ARP
  bool target_mac_set = false;
  uint32_t complete = 0;  // pkt-syn: answer this many SYN-ACKs with the cookie ACK (+RST)
  bool verify = false;    // pkt-icmp: compare every reply's payload byte for byte
};

// Parses the arguments after the EAL's `--`. Returns false with `error` set (to "help"
// for --help).
bool parse_options(int argc, char** argv, options& out, std::string& error);
const char* usage();

#define RAVELIN_LOADGEN_ERRORS(X)                                                  \
  X(connect_failed, "connect() refused locally: no route, port or connection")     \
  X(refused, "RST in answer to our SYN")                                           \
  X(reset, "connection reset by the peer")                                         \
  X(timed_out, "connection timed out (retransmissions)")                           \
  X(aborted, "connection aborted by the stack")                                    \
  X(closed_early, "peer closed before the exchange completed")                     \
  X(corrupt, "echoed bytes differ from the bytes sent")                            \
  X(bad_response, "HTTP response unparsable or with unsupported framing")          \
  X(header_too_large, "HTTP header block over the buffer")                         \
  X(status_3xx, "HTTP responses 1xx/3xx")                                          \
  X(status_4xx, "HTTP responses 4xx")                                              \
  X(status_5xx, "HTTP responses 5xx")                                              \
  X(no_idle_connection, "open loop: a request was due and no connection was free") \
  X(delay_queue_full, "origin: a delayed response was sent at once, queue full")   \
  X(port_tx_dropped, "packets the port did not take (tx ring full)")

enum class error_kind : uint8_t {
#define RAVELIN_LOADGEN_ENUM(name, description) name,
  RAVELIN_LOADGEN_ERRORS(RAVELIN_LOADGEN_ENUM)
#undef RAVELIN_LOADGEN_ENUM
      count
};

// What one measurement window saw. Reset when the warm-up ends.
struct measurement {
  uint64_t completed = 0;    // echoes, requests answered 2xx, or requests served
  uint64_t connections = 0;  // connections established
  uint64_t bytes_rx = 0;     // application bytes read
  uint64_t bytes_tx = 0;     // application bytes queued
  std::array<uint64_t, static_cast<size_t>(error_kind::count)> errors{};
  log_linear_histogram latency_ns;

  void error(error_kind k) { ++errors[static_cast<size_t>(k)]; }
  uint64_t total_errors() const;
  void reset();
};

const char* name_of(error_kind k);

// One traffic role. Callbacks come from the stack (tcp_handler); tick() from the main loop
// every iteration. now_ns is the loop's clock, updated before each input() and tick().
class role : public tcpstack::tcp_handler {
 public:
  role(tcpstack::tcp_endpoint& tcp, const options& opt, measurement& m, const uint64_t& now_ns)
      : tcp_(tcp), opt_(opt), m_(m), now_ns_(now_ns) {}
  // Sets up (may allocate): listen, tables. False on failure, reported on stderr.
  virtual bool start() = 0;
  // Starts due work; returns how much it did (0: idle), for the busy-cycle count.
  virtual uint32_t tick() = 0;
  // Stops starting new work and closes what is open.
  virtual void stop() = 0;

 protected:
  tcpstack::tcp_endpoint& tcp_;
  const options& opt_;
  measurement& m_;
  const uint64_t& now_ns_;
};

// True once SIGINT or SIGTERM arrived (main.cpp).
bool stop_requested();

// The packet blaster (blaster.cpp): runs the whole pkt-icmp / pkt-syn measurement on one
// started port, prints its JSON report; returns the exit code.
int run_blaster(const options& opt, uint16_t port_id, const rte_ether_addr& mac, rte_mempool* pool);

// Counts an unexpected close by its reason.
void count_close(measurement& m, tcpstack::close_reason reason);

// A repeating pseudo-random byte pattern: at(x) points at the byte sent at stream offset
// x, and the k_period bytes from there are contiguous (two periods are stored).
class pattern {
 public:
  static constexpr uint32_t k_period = 65521;  // prime: no alignment with segment sizes
  pattern();
  const uint8_t* at(uint64_t offset) const { return bytes_.data() + offset % k_period; }

 private:
  std::vector<uint8_t> bytes_;
};

// The roles, one per mode (echo_client.cpp, http_client.cpp, http_origin.cpp).
std::unique_ptr<role> make_echo_client(tcpstack::tcp_endpoint& tcp, const options& opt,
                                       measurement& m, const uint64_t& now_ns, bool stream);
std::unique_ptr<role> make_http_client(tcpstack::tcp_endpoint& tcp, const options& opt,
                                       measurement& m, const uint64_t& now_ns);
std::unique_ptr<role> make_http_origin(tcpstack::tcp_endpoint& tcp, const options& opt,
                                       measurement& m, const uint64_t& now_ns);

}  // namespace ravelin::bench
