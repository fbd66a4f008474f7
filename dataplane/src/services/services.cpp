#include "services.h"

#include "forwarder.h"
#include "simple_services.h"

namespace ravelin::dataplane {
namespace {

class service_set final : public tcp_services {
 public:
  service_set(tcpstack::tcp_endpoint& tcp, const mgmt::services_config& cfg,
              uint32_t max_connections, counter_set& counters)
      : echo_(tcp),
        discard_(tcp),
        chargen_(tcp, cfg.chargen ? max_connections : 0),
        // A forwarded connection is two of the stack's connections.
        forwarder_(tcp, cfg.forward, cfg.forward.empty() ? 0 : max_connections / 2,
                   counters) {}

  bool start(tcpstack::tcp_endpoint& tcp, const mgmt::services_config& cfg, std::string& error) {
    const std::pair<const std::optional<uint16_t>&, tcpstack::tcp_handler*> simple[] = {
        {cfg.echo, &echo_}, {cfg.discard, &discard_}, {cfg.chargen, &chargen_}};
    for (const auto& [port, handler] : simple) {
      if (port && !tcp.listen(*port, handler)) {
        error = "cannot listen on TCP port " + std::to_string(*port);
        return false;
      }
    }
    uint16_t failed = 0;
    if (!forwarder_.listen_all(failed)) {
      error = "cannot listen on TCP port " + std::to_string(failed) + " (forwarder)";
      return false;
    }
    return true;
  }

 private:
  echo_service echo_;
  discard_service discard_;
  chargen_service chargen_;
  forwarder forwarder_;
};

}  // namespace

std::unique_ptr<tcp_services> start_tcp_services(const mgmt::services_config& cfg,
                                                 tcpstack::stack& stack,
                                                 uint32_t max_connections,
                                                 counter_set& counters, std::string& error) {
  auto set = std::make_unique<service_set>(stack.tcp(), cfg, max_connections, counters);
  if (!set->start(stack.tcp(), cfg, error)) return nullptr;
  return set;
}

}  // namespace ravelin::dataplane
