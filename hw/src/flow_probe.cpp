// rte_flow capability probe: validate, never create, so the port is left untouched.
#include "flow_probe.h"

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_flow.h>

namespace ravelin::hw::detail {

bool validate_https_flow(uint16_t port_id, std::string& detail) {
  constexpr uint16_t k_https_port = 443;
  rte_flow_attr attr{};
  attr.ingress = 1;

  rte_flow_item_tcp tcp_spec{};
  rte_flow_item_tcp tcp_mask{};
  tcp_spec.hdr.dst_port = rte_cpu_to_be_16(k_https_port);
  tcp_mask.hdr.dst_port = RTE_BE16(0xffff);

  rte_flow_item pattern[4] = {};
  pattern[0].type = RTE_FLOW_ITEM_TYPE_ETH;
  pattern[1].type = RTE_FLOW_ITEM_TYPE_IPV4;
  pattern[2].type = RTE_FLOW_ITEM_TYPE_TCP;
  pattern[2].spec = &tcp_spec;
  pattern[2].mask = &tcp_mask;
  pattern[3].type = RTE_FLOW_ITEM_TYPE_END;

  rte_flow_action_queue queue{};
  queue.index = 0;
  rte_flow_action actions[2] = {};
  actions[0].type = RTE_FLOW_ACTION_TYPE_QUEUE;
  actions[0].conf = &queue;
  actions[1].type = RTE_FLOW_ACTION_TYPE_END;

  rte_flow_error error{};
  const int rc = rte_flow_validate(port_id, &attr, pattern, actions, &error);
  if (rc == 0) {
    detail.clear();
    return true;
  }
  // The PMD's message says what it disliked; the errno says whether it tried at all
  // (ENOSYS/ENOTSUP: no rte_flow in this driver).
  const std::string reason = rte_strerror(-rc);
  detail = error.message != nullptr ? error.message : reason;
  if (detail != reason) detail += " (" + reason + ")";
  return false;
}

}  // namespace ravelin::hw::detail
