#include "ports.h"

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "ravelin/dataplane/eal_args.h"

namespace ravelin::dataplane {
namespace {

constexpr unsigned k_mbuf_cache = 256;

std::string dpdk_error(const char* what, const std::string& port, int rc) {
  return std::string(what) + " on port " + port + ": " + rte_strerror(-rc);
}

// Switches on the offloads tcpstack uses when the device has them: TCP sends chains of a
// header mbuf and indirect payload mbufs (multi-segment tx), and checksums and TSO save
// per-segment work. Everything else stays off.
rte_eth_conf offload_conf(port_state& st) {
  st.caps = hw::probe_port(st.port_id);
  hw::port_capabilities& c = st.caps;
  rte_eth_conf conf{};
  conf.txmode.offloads = c.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
  if (c.tx_ipv4_cksum) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
  if (c.tx_tcp_cksum) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
  if (c.tso) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
  if (c.rx_ipv4_cksum) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
  if (c.rx_tcp_cksum) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
  c.rx_udp_cksum = c.tx_udp_cksum = false;
  return conf;
}

bool start_one(const mgmt::port_config& pc, unsigned mbufs, port_state& st, std::string& error) {
  const std::string name = device_port_name(pc.device);
  if (rte_eth_dev_get_port_by_name(name.c_str(), &st.port_id) != 0) {
    error =
        "port " + pc.name + ": no DPDK device named \"" + name + "\" (device: " + pc.device + ")";
    return false;
  }
  st.name = pc.name;
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(st.port_id, &info); rc != 0) {
    error = dpdk_error("rte_eth_dev_info_get", pc.name, rc);
    return false;
  }
  if (pc.queues > info.max_rx_queues || pc.queues > info.max_tx_queues) {
    error = "port " + pc.name + ": " + std::to_string(pc.queues) + " queues asked, device offers " +
            std::to_string(info.max_rx_queues) + " rx / " + std::to_string(info.max_tx_queues) +
            " tx (for net_af_packet, add qpairs=N to the device spec)";
    return false;
  }
  const int socket = rte_eth_dev_socket_id(st.port_id);
  const std::string pool_name = "rv_pool_" + std::to_string(st.port_id);
  st.pool = rte_pktmbuf_pool_create(pool_name.c_str(), mbufs, k_mbuf_cache, 0,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, socket < 0 ? SOCKET_ID_ANY : socket);
  if (st.pool == nullptr) {
    error = "port " + pc.name + ": cannot create mbuf pool: " + rte_strerror(rte_errno);
    return false;
  }
  rte_eth_conf conf = offload_conf(st);
  if (int rc = rte_eth_dev_configure(st.port_id, pc.queues, pc.queues, &conf); rc != 0) {
    error = dpdk_error("rte_eth_dev_configure", pc.name, rc);
    return false;
  }
  uint16_t rx_desc = pc.rx_descriptors;
  uint16_t tx_desc = pc.tx_descriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(st.port_id, &rx_desc, &tx_desc);
  for (uint16_t q = 0; q < pc.queues; ++q) {
    if (int rc = rte_eth_rx_queue_setup(st.port_id, q, rx_desc, socket, nullptr, st.pool);
        rc != 0) {
      error = dpdk_error("rte_eth_rx_queue_setup", pc.name, rc);
      return false;
    }
    if (int rc = rte_eth_tx_queue_setup(st.port_id, q, tx_desc, socket, nullptr); rc != 0) {
      error = dpdk_error("rte_eth_tx_queue_setup", pc.name, rc);
      return false;
    }
  }
  // Some virtual devices cannot change their MTU; the frames we send never exceed it anyway.
  rte_eth_dev_set_mtu(st.port_id, pc.mtu);
  if (int rc = rte_eth_dev_start(st.port_id); rc != 0) {
    error = dpdk_error("rte_eth_dev_start", pc.name, rc);
    return false;
  }
  st.started = true;
  rte_eth_macaddr_get(st.port_id, &st.mac);
  return true;
}

}  // namespace

bool start_ports(const mgmt::appliance_config& cfg, std::vector<port_state>& out,
                 std::string& error) {
  for (const auto& pc : cfg.ports) {
    out.emplace_back();
    if (!start_one(pc, cfg.stack.mbufs_per_port, out.back(), error)) return false;
  }
  return true;
}

void stop_ports(std::vector<port_state>& ports) {
  for (auto& p : ports) {
    if (p.started) {
      rte_eth_dev_stop(p.port_id);
      rte_eth_dev_close(p.port_id);
      p.started = false;
    }
    rte_mempool_free(p.pool);
    p.pool = nullptr;
  }
}

}  // namespace ravelin::dataplane
