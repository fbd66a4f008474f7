#include "ravelin/dataplane/lcore_plan.h"

namespace ravelin::dataplane {

lcore_plan plan_lcores(const mgmt::appliance_config& cfg) {
  lcore_plan plan;
  std::vector<std::size_t> io;
  for (const auto& c : cfg.cores) {
    if (c.has(mgmt::core_role::io)) io.push_back(plan.lcores.size());
    plan.lcores.push_back({c.lcore, c.roles, {}});
  }
  if (io.empty()) {
    plan.warnings.push_back("no lcore has the io role: no queue is polled");
    return plan;
  }
  std::size_t next = 0;
  for (uint16_t p = 0; p < cfg.ports.size(); ++p) {
    for (uint16_t q = 0; q < cfg.ports[p].queues; ++q) {
      plan.lcores[io[next % io.size()]].queues.push_back({p, q});
      ++next;
    }
  }
  for (std::size_t i : io) {
    if (plan.lcores[i].queues.empty()) {
      plan.warnings.push_back("io lcore " + std::to_string(plan.lcores[i].lcore) +
                              " has no queue to poll; give ports more queues");
    }
  }
  return plan;
}

}  // namespace ravelin::dataplane
