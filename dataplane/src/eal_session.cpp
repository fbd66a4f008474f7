#include "eal_session.h"

#include <cstdio>
#include <vector>

#include <rte_eal.h>
#include <rte_errno.h>

#include "ravelin/dataplane/eal_args.h"

namespace ravelin::dataplane {

bool eal_session::start(const mgmt::appliance_config& cfg, const std::string& program) {
  std::vector<std::string> args = build_eal_args(cfg, program);
  std::string line;
  for (const auto& a : args) line += (line.empty() ? "" : " ") + a;
  std::printf("ravelin: EAL %s\n", line.c_str());
  std::fflush(stdout);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
    std::fprintf(stderr, "ravelin: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
    return false;
  }
  started_ = true;
  return true;
}

eal_session::~eal_session() {
  if (started_) rte_eal_cleanup();
}

}  // namespace ravelin::dataplane
