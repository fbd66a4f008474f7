// Background threads (log writers) are started from the main lcore and inherit its pinning,
// so they would only run when the poll loop on that core is preempted: a writer's lines then
// lag by a scheduler tick or more. They move to the CPUs no lcore polls on (all CPUs when
// every one polls).
#pragma once

#include <pthread.h>
#include <rte_lcore.h>
#include <sched.h>
#include <unistd.h>

namespace ravelin::dataplane::proxy {

inline void move_off_lcores() {
  cpu_set_t polled;
  CPU_ZERO(&polled);
  unsigned lcore = 0;
  RTE_LCORE_FOREACH(lcore) {
    rte_cpuset_t s = rte_lcore_cpuset(lcore);
    CPU_OR(&polled, &polled, &s);
  }
  cpu_set_t free_cpus;
  CPU_ZERO(&free_cpus);
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  for (long c = 0; c < cpus && c < CPU_SETSIZE; ++c) {
    if (!CPU_ISSET(c, &polled)) CPU_SET(c, &free_cpus);
  }
  if (CPU_COUNT(&free_cpus) == 0) {
    for (long c = 0; c < cpus && c < CPU_SETSIZE; ++c) CPU_SET(c, &free_cpus);
  }
  pthread_setaffinity_np(pthread_self(), sizeof free_cpus, &free_cpus);  // best effort
}

}  // namespace ravelin::dataplane::proxy
