// Port capabilities from rte_eth_dev_info_get and friends.
#include "ravelin/hw/port_caps.h"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>

#include "flow_probe.h"

namespace ravelin::hw {

namespace {

template <typename NameFn>
std::vector<std::string> offload_names(uint64_t capa, NameFn name_of) {
  std::vector<std::string> names;
  for (unsigned bit = 0; bit < 64; ++bit) {
    const uint64_t flag = uint64_t{1} << bit;
    if ((capa & flag) != 0) names.emplace_back(name_of(flag));
  }
  return names;
}

void read_offloads(const rte_eth_dev_info& info, port_capabilities& caps) {
  caps.rx_offload_capa = info.rx_offload_capa;
  caps.tx_offload_capa = info.tx_offload_capa;
  caps.rx_offloads = offload_names(info.rx_offload_capa, rte_eth_dev_rx_offload_name);
  caps.tx_offloads = offload_names(info.tx_offload_capa, rte_eth_dev_tx_offload_name);
  const auto rx = [&](uint64_t flag) { return (info.rx_offload_capa & flag) != 0; };
  const auto tx = [&](uint64_t flag) { return (info.tx_offload_capa & flag) != 0; };
  caps.rx_ipv4_cksum = rx(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM);
  caps.rx_tcp_cksum = rx(RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
  caps.rx_udp_cksum = rx(RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
  caps.tx_ipv4_cksum = tx(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM);
  caps.tx_tcp_cksum = tx(RTE_ETH_TX_OFFLOAD_TCP_CKSUM);
  caps.tx_udp_cksum = tx(RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
  caps.tso = tx(RTE_ETH_TX_OFFLOAD_TCP_TSO);
}

void read_link(uint16_t port_id, port_capabilities& caps) {
  rte_eth_link link{};
  // _nowait: the probe must not stall up to 9 s per port waiting for autonegotiation.
  if (rte_eth_link_get_nowait(port_id, &link) != 0) {
    caps.link = "unknown";
    return;
  }
  char text[RTE_ETH_LINK_MAX_STR_LEN] = {};
  if (rte_eth_link_to_str(text, sizeof text, &link) > 0) caps.link = text;
  if (link.link_status == RTE_ETH_LINK_UP && link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN) {
    caps.link_speed_mbps = link.link_speed;
  }
}

}  // namespace

port_capabilities probe_port(uint16_t port_id) {
  port_capabilities caps;
  caps.port_id = port_id;
  if (rte_eth_dev_is_valid_port(port_id) == 0) {
    caps.error = "no port " + std::to_string(port_id);
    return caps;
  }
  char name[RTE_ETH_NAME_MAX_LEN] = {};
  if (rte_eth_dev_get_name_by_port(port_id, name) == 0) caps.name = name;

  rte_eth_dev_info info{};
  if (const int rc = rte_eth_dev_info_get(port_id, &info); rc != 0) {
    caps.error = std::string("rte_eth_dev_info_get: ") + rte_strerror(-rc);
    return caps;
  }
  caps.driver = info.driver_name != nullptr ? info.driver_name : "";
  caps.socket_id = rte_eth_dev_socket_id(port_id);
  caps.max_rx_queues = info.max_rx_queues;
  caps.max_tx_queues = info.max_tx_queues;
  read_offloads(info, caps);
  caps.rss_hash_capa = info.flow_type_rss_offloads;
  caps.rss_hash_functions = rss_hash_names(info.flow_type_rss_offloads);
  caps.rss_key_size = info.hash_key_size;
  caps.reta_size = info.reta_size;

  rte_ether_addr mac{};
  if (rte_eth_macaddr_get(port_id, &mac) == 0) {
    char text[RTE_ETHER_ADDR_FMT_SIZE] = {};
    rte_ether_format_addr(text, sizeof text, &mac);
    caps.mac = text;
  }
  read_link(port_id, caps);
  caps.flow_supported = detail::validate_https_flow(port_id, caps.flow_detail);
  return caps;
}

std::vector<port_capabilities> probe_all_ports() {
  std::vector<port_capabilities> ports;
  uint16_t port_id = 0;
  RTE_ETH_FOREACH_DEV(port_id) { ports.push_back(probe_port(port_id)); }
  return ports;
}

}  // namespace ravelin::hw
