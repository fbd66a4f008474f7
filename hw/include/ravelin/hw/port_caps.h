// What one ethdev port offers: queues, offloads, RSS, rte_flow. Read after rte_eal_init
// and before the port is configured, so the dataplane can size queues and tcpstack can
// choose between hardware and software checksums. Works on virtual devices too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ravelin::hw {

struct port_capabilities {
  uint16_t port_id = 0;
  std::string name;    // ethdev name, e.g. "net_null0" or "0000:3b:00.0"
  std::string driver;  // rte_eth_dev_info.driver_name
  int socket_id = -1;  // NUMA node of the device; -1 (SOCKET_ID_ANY) when unknown
  uint16_t max_rx_queues = 0;
  uint16_t max_tx_queues = 0;

  uint64_t rx_offload_capa = 0;          // RTE_ETH_RX_OFFLOAD_* bits
  uint64_t tx_offload_capa = 0;          // RTE_ETH_TX_OFFLOAD_* bits
  std::vector<std::string> rx_offloads;  // rte_eth_dev_rx_offload_name of each bit
  std::vector<std::string> tx_offloads;

  // The offloads tcpstack switches on when present; it computes in software otherwise.
  bool rx_ipv4_cksum = false;
  bool rx_tcp_cksum = false;
  bool rx_udp_cksum = false;
  bool tx_ipv4_cksum = false;
  bool tx_tcp_cksum = false;
  bool tx_udp_cksum = false;
  bool tso = false;

  uint64_t rss_hash_capa = 0;                   // flow_type_rss_offloads
  std::vector<std::string> rss_hash_functions;  // rss_hash_names(rss_hash_capa)
  uint8_t rss_key_size = 0;                     // bytes; 0 when the PMD does not say
  uint16_t reta_size = 0;                       // redirection table entries

  std::string mac;   // "AA:BB:CC:DD:EE:FF" (rte_ether_format_addr); empty when unreadable
  std::string link;  // rte_eth_link_to_str, e.g. "Link up at 10 Gbps FDX Autoneg"
  uint32_t link_speed_mbps = 0;  // 0 when unknown or down

  // rte_flow: whether "ingress eth / ipv4 / tcp dst is 443 -> queue 0" validates. On an
  // unconfigured port some PMDs refuse anything; either way it counts as unsupported.
  bool flow_supported = false;
  std::string flow_detail;  // the PMD's reason when not supported

  std::string error;  // set when the port could not be queried at all
};

port_capabilities probe_port(uint16_t port_id);

// Every port the EAL knows, in port id order.
std::vector<port_capabilities> probe_all_ports();

// RTE_ETH_RSS_* bits as testpmd-style names ("ipv4", "ipv4-tcp", "l3-src-only"); bits
// without a name appear as "bit<N>" so nothing is silently dropped.
std::vector<std::string> rss_hash_names(uint64_t rss_bits);

}  // namespace ravelin::hw
