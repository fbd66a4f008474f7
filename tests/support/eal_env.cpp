#include "eal_env.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <rte_eal.h>

namespace ravelin::test {

void init_eal(const std::vector<std::string>& extra) {
  static bool done = false;
  if (done) return;
  std::vector<std::string> args = {"ravelin-test",
                                   "--no-huge",
                                   "--no-pci",
                                   "--no-shconf",
                                   "-m",
                                   "256",
                                   "-l",
                                   "0",
                                   "--file-prefix=ravelin-test-" + std::to_string(getpid()),
                                   "--log-level=*:warning"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
    std::fprintf(stderr, "init_eal: rte_eal_init failed\n");
    std::abort();
  }
  done = true;
  std::atexit([] { rte_eal_cleanup(); });
}

}  // namespace ravelin::test
