// The kernel's side of bench/tcp_memif.py: an RFC 862 echo server and an echo load client on
// Linux sockets, one thread each with epoll, doing the same work as Ravelin's echo service
// and ravelin-loadgen's echo-cps / echo-stream modes. Written in C++ rather than Python so
// the comparison measures the kernel's TCP, not an interpreter. Prints one JSON line.
//
//   kernel_echo server PORT
//   kernel_echo cps    ADDR PORT CONNECTIONS BYTES SECONDS
//   kernel_echo stream ADDR PORT CONNECTIONS BYTES SECONDS
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;
constexpr int k_events = 256;

int set_nonblock(int fd) { return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

int serve(uint16_t port) {
  const int ls = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(ls, 4096) != 0) {
    std::perror("kernel_echo: bind/listen");
    return 1;
  }
  set_nonblock(ls);
  const int ep = epoll_create1(0);
  epoll_event ev{EPOLLIN, {.fd = ls}};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  std::printf("listening\n");
  std::fflush(stdout);
  static char buf[65536];
  epoll_event events[k_events];
  for (;;) {
    const int n = epoll_wait(ep, events, k_events, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == ls) {
        for (int c; (c = accept4(ls, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{EPOLLIN, {.fd = c}};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      // Echo what arrived; a blocking-ish write is fine for an echo peer whose client
      // never has more in flight than the socket buffers hold.
      const ssize_t r = read(fd, buf, sizeof buf);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        close(fd);
        continue;
      }
      for (ssize_t off = 0; off < r;) {
        const ssize_t w = write(fd, buf + off, r - off);
        if (w < 0 && errno != EAGAIN) break;
        if (w > 0) off += w;
      }
    }
  }
}

struct conn {
  int fd = -1;
  size_t sent = 0, received = 0;
  steady::time_point started;
};

int client(bool stream, const char* addr, uint16_t port, int nconn, size_t bytes, double seconds) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, addr, &a.sin_addr);
  std::vector<char> payload(bytes, 'k'), buf(65536);
  std::vector<conn> conns(nconn);
  const int ep = epoll_create1(0);
  uint64_t completed = 0, bytes_rx = 0, errors = 0;
  std::vector<double> lat;
  lat.reserve(1 << 22);
  auto open = [&](int i) {
    conn& c = conns[i];
    c = conn{};
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // Closing with RST would skip TIME-WAIT; a normal close is the same work Ravelin does.
    c.started = steady::now();
    connect(c.fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    epoll_event ev{EPOLLOUT | EPOLLIN, {.u32 = static_cast<uint32_t>(i)}};
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  };
  for (int i = 0; i < nconn; ++i) open(i);
  const auto start = steady::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  epoll_event events[k_events];
  while (steady::now() < end) {
    const int n = epoll_wait(ep, events, k_events, 10);
    for (int k = 0; k < n; ++k) {
      const int i = static_cast<int>(events[k].data.u32);
      conn& c = conns[i];
      if (events[k].events & (EPOLLERR | EPOLLHUP)) {
        ++errors;
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        open(i);
        continue;
      }
      if (events[k].events & EPOLLOUT) {
        const size_t limit = stream ? c.received + 4 * bytes : bytes;
        while (c.sent < limit) {
          const size_t want = std::min(limit - c.sent, bytes);
          const ssize_t w = write(c.fd, payload.data(), want);
          if (w <= 0) break;
          c.sent += static_cast<size_t>(w);
        }
        epoll_event ev{c.sent < limit ? EPOLLOUT | EPOLLIN : EPOLLIN,
                       {.u32 = static_cast<uint32_t>(i)}};
        epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
      }
      if (events[k].events & EPOLLIN) {
        const ssize_t r = read(c.fd, buf.data(), buf.size());
        if (r <= 0) {
          if (r < 0 && errno == EAGAIN) continue;
          ++errors;
          epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
          close(c.fd);
          open(i);
          continue;
        }
        c.received += static_cast<size_t>(r);
        bytes_rx += static_cast<size_t>(r);
        if (stream) {
          epoll_event ev{EPOLLOUT | EPOLLIN, {.u32 = static_cast<uint32_t>(i)}};
          epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        } else if (c.received == bytes) {
          ++completed;
          lat.push_back(std::chrono::duration<double>(steady::now() - c.started).count());
          epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
          close(c.fd);
          open(i);
        }
      }
    }
  }
  const double took = std::chrono::duration<double>(steady::now() - start).count();
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    return lat.empty() ? 0.0 : lat[static_cast<size_t>(p / 100 * (lat.size() - 1))] * 1e3;
  };
  std::printf(
      "{\"completed\": %llu, \"per_second\": %.1f, \"rx_bytes_per_second\": %.0f, "
      "\"seconds\": %.3f, \"errors\": %llu, \"latency_ms\": {\"p50\": %.4f, \"p99\": %.4f}}\n",
      static_cast<unsigned long long>(completed), completed / took, bytes_rx / took, took,
      static_cast<unsigned long long>(errors), pct(50), pct(99));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "server") == 0)
    return serve(static_cast<uint16_t>(std::atoi(argv[2])));
  if (argc == 7 && (std::strcmp(argv[1], "cps") == 0 || std::strcmp(argv[1], "stream") == 0)) {
    return client(argv[1][0] == 's', argv[2], static_cast<uint16_t>(std::atoi(argv[3])),
                  std::atoi(argv[4]), static_cast<size_t>(std::atoll(argv[5])), std::atof(argv[6]));
  }
  std::fprintf(stderr,
               "usage: kernel_echo server PORT | cps|stream ADDR PORT CONNECTIONS BYTES SECONDS\n");
  return 2;
}
