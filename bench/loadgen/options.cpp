// Command line of ravelin-loadgen (after the EAL's `--`) and the small shared pieces.
#include <arpa/inet.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "loadgen.h"

namespace ravelin::bench {
namespace {

bool parse_ipv4(std::string_view s, uint32_t& out) {
  const std::string text(s);
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) return false;
  out = ntohl(a.s_addr);
  return true;
}

bool parse_number(std::string_view s, double& out) {
  const std::string text(s);
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size() && out >= 0;
}

template <typename T>
bool parse_uint(std::string_view s, T& out) {
  double v = 0;
  if (!parse_number(s, v) || v != static_cast<double>(static_cast<uint64_t>(v)) ||
      v > static_cast<double>(static_cast<T>(-1))) {
    return false;
  }
  out = static_cast<T>(v);
  return true;
}

bool parse_mode(std::string_view s, std::vector<mode>& out) {
  while (!s.empty()) {
    const size_t comma = s.find(',');
    const std::string_view one = s.substr(0, comma);
    if (one == "echo-cps") {
      out.push_back(mode::echo_cps);
    } else if (one == "echo-stream") {
      out.push_back(mode::echo_stream);
    } else if (one == "http-client") {
      out.push_back(mode::http_client);
    } else if (one == "http-origin") {
      out.push_back(mode::http_origin);
    } else if (one == "pkt-icmp") {
      out.push_back(mode::pkt_icmp);
    } else if (one == "pkt-syn") {
      out.push_back(mode::pkt_syn);
    } else {
      return false;
    }
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  return !out.empty();
}

bool parse_mac(std::string_view s, std::array<uint8_t, 6>& out) {
  unsigned b[6];
  const std::string text(s);
  char tail = 0;
  if (std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                  &tail) != 6) {
    return false;
  }
  for (int i = 0; i < 6; ++i) {
    if (b[i] > 0xff) return false;
    out[i] = static_cast<uint8_t>(b[i]);
  }
  return true;
}

bool is_blaster(mode m) { return m == mode::pkt_icmp || m == mode::pkt_syn; }

}  // namespace

const char* usage() {
  return "usage: ravelin-loadgen [EAL options] -- --mode MODE[,MODE] --address A.B.C.D/LEN "
         "[--address ...] [options]\n"
         "  modes: echo-cps | echo-stream | http-client | http-origin | pkt-icmp | pkt-syn\n"
         "         (http-client,http-origin: both roles in this process, one port each)\n"
         "         (pkt-icmp, pkt-syn: raw frames at line rate, alone, port 0 only)\n"
         "  --address A/LEN      our address on port 0, then port 1, ...\n"
         "  --target A:PORT      clients: where to connect\n"
         "  --listen PORT        origin: port to answer on\n"
         "  --connections N      concurrent connections (16)\n"
         "  --duration S         measured seconds (10)    --warmup S   unmeasured first (1)\n"
         "  --bytes N            echo-cps: bytes per connection (64); echo-stream: per send "
         "(16384)\n"
         "  --path P --host H --header 'K: V' (repeatable) --body N    HTTP request shape\n"
         "  --new-connection     one request per connection (default keep-alive)\n"
         "  --rate R             open loop, R requests/s (default closed loop)\n"
         "  --response-bytes N   origin body size (64)    --delay-us N  origin delay (0)\n"
         "  --max-connections N (16384) --time-wait-ms N (100) --mbufs N (32767) --quiet\n"
         "  --frame-size N       pkt-icmp: frame bytes with FCS, 64..1518 (64)\n"
         "  --target-mac M       the target's MAC (default: ask by ARP)\n"
         "  --complete N         pkt-syn: complete N handshakes with the cookie, then RST\n"
         "  --verify             pkt-icmp: check every reply's payload\n";
}

bool parse_options(int argc, char** argv, options& out, std::string& error) {
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    const std::string_view value = has_value ? std::string_view(argv[i + 1]) : std::string_view{};
    auto need = [&]() {
      if (!has_value) error = std::string(arg) + " needs a value";
      return has_value;
    };
    bool ok = true;
    bool takes_value = true;
    if (arg == "--mode") {
      ok = need() && parse_mode(value, out.modes);
    } else if (arg == "--address") {
      const size_t slash = value.find('/');
      uint32_t a = 0;
      uint8_t len = 24;
      ok = need() && parse_ipv4(value.substr(0, slash), a) &&
           (slash == std::string_view::npos ||
            (parse_uint(value.substr(slash + 1), len) && len <= 32));
      out.addresses.emplace_back(a, len);
    } else if (arg == "--target") {
      // The port may be left out (pkt-icmp has none).
      const size_t colon = value.rfind(':');
      ok =
          need() && parse_ipv4(value.substr(0, colon), out.target_ip) &&
          (colon == std::string_view::npos || parse_uint(value.substr(colon + 1), out.target_port));
    } else if (arg == "--listen") {
      ok = need() && parse_uint(value, out.listen_port);
    } else if (arg == "--connections") {
      ok = need() && parse_uint(value, out.connections) && out.connections != 0;
    } else if (arg == "--duration") {
      ok = need() && parse_number(value, out.duration_s);
    } else if (arg == "--warmup") {
      ok = need() && parse_number(value, out.warmup_s);
    } else if (arg == "--bytes") {
      ok = need() && parse_uint(value, out.bytes);
    } else if (arg == "--path") {
      ok = need() && !value.empty() && value[0] == '/';
      out.path = value;
    } else if (arg == "--host") {
      ok = need();
      out.host = value;
    } else if (arg == "--header") {
      ok = need() && value.find(':') != std::string_view::npos;
      out.headers.emplace_back(value);
    } else if (arg == "--body") {
      ok = need() && parse_uint(value, out.body_bytes);
    } else if (arg == "--rate") {
      ok = need() && parse_number(value, out.rate);
    } else if (arg == "--response-bytes") {
      ok = need() && parse_uint(value, out.response_bytes);
    } else if (arg == "--delay-us") {
      ok = need() && parse_uint(value, out.delay_us);
    } else if (arg == "--max-connections") {
      ok = need() && parse_uint(value, out.max_connections) && out.max_connections != 0;
    } else if (arg == "--time-wait-ms") {
      ok = need() && parse_uint(value, out.time_wait_ms);
    } else if (arg == "--mbufs") {
      ok = need() && parse_uint(value, out.mbufs);
    } else if (arg == "--frame-size") {
      ok = need() && parse_uint(value, out.frame_size);
    } else if (arg == "--target-mac") {
      ok = need() && parse_mac(value, out.target_mac);
      out.target_mac_set = ok;
    } else if (arg == "--complete") {
      ok = need() && parse_uint(value, out.complete);
    } else if (arg == "--verify") {
      takes_value = false;
      out.verify = true;
    } else if (arg == "--new-connection") {
      takes_value = false;
      out.new_connection = true;
    } else if (arg == "--help") {
      error = "help";
      return false;
    } else if (arg == "--quiet") {
      takes_value = false;
      out.progress = false;
    } else {
      error = "unknown option " + std::string(arg);
      return false;
    }
    if (!ok) {
      if (error.empty()) error = "bad value for " + std::string(arg) + ": " + std::string(value);
      return false;
    }
    if (takes_value) ++i;
  }
  if (out.modes.empty()) error = "--mode is required";
  if (out.addresses.empty()) error = "--address is required";
  for (mode m : out.modes) {
    if (m == mode::pkt_icmp) {
      if (out.target_ip == 0) error = "pkt-icmp needs --target A[:PORT]";
    } else if (m != mode::http_origin && out.target_port == 0) {
      error = "this mode needs --target";
    }
    if (m == mode::http_origin && out.listen_port == 0) error = "http-origin needs --listen";
  }
  if (out.connections > out.max_connections) error = "--connections over --max-connections";
  for (mode m : out.modes) {
    if (is_blaster(m) && out.modes.size() != 1) error = "pkt-icmp and pkt-syn run alone";
  }
  if (out.frame_size < 64 || out.frame_size > 1518) error = "--frame-size is 64..1518";
  return error.empty();
}

uint64_t measurement::total_errors() const {
  uint64_t sum = 0;
  for (size_t i = 0; i < errors.size(); ++i) {
    if (static_cast<error_kind>(i) != error_kind::port_tx_dropped) sum += errors[i];
  }
  return sum;
}

void measurement::reset() {
  completed = connections = bytes_rx = bytes_tx = 0;
  errors.fill(0);
  latency_ns.reset();
}

const char* name_of(error_kind k) {
  switch (k) {
#define RAVELIN_LOADGEN_NAME(name, description) \
  case error_kind::name:                        \
    return #name;
    RAVELIN_LOADGEN_ERRORS(RAVELIN_LOADGEN_NAME)
#undef RAVELIN_LOADGEN_NAME
    case error_kind::count:
      break;
  }
  return "?";
}

void count_close(measurement& m, tcpstack::close_reason reason) {
  switch (reason) {
    case tcpstack::close_reason::normal:
      m.error(error_kind::closed_early);
      break;
    case tcpstack::close_reason::reset:
      m.error(error_kind::reset);
      break;
    case tcpstack::close_reason::refused:
      m.error(error_kind::refused);
      break;
    case tcpstack::close_reason::timed_out:
      m.error(error_kind::timed_out);
      break;
    case tcpstack::close_reason::aborted:
      m.error(error_kind::aborted);
      break;
  }
}

pattern::pattern() : bytes_(2 * k_period) {
  uint64_t x = 0x9E3779B97F4A7C15ULL;  // xorshift64, fixed seed: both ends agree
  for (uint32_t i = 0; i < k_period; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    bytes_[i] = bytes_[i + k_period] = static_cast<uint8_t>(x);
  }
}

}  // namespace ravelin::bench
