// The per-lcore rings the log writers drain: one single-producer, single-consumer ring of
// fixed-size records per lcore, so an lcore hands a record over without a lock.
#pragma once

#include <string>
#include <vector>

#include <rte_errno.h>
#include <rte_ring.h>

namespace ravelin::dataplane::proxy {

// `lcores` rings named prefix0, prefix1... of `count` records of `bytes` each, appended to
// `out`. Control path; false with `error` when one cannot be made (the ones made are in
// `out` for the caller to free).
inline bool make_record_rings(const std::string& prefix, unsigned bytes, unsigned count,
                              unsigned lcores, std::vector<rte_ring*>& out, std::string& error) {
  for (unsigned i = 0; i < lcores; ++i) {
    const std::string name = prefix + std::to_string(i);
    rte_ring* r = rte_ring_create_elem(name.c_str(), bytes, count, SOCKET_ID_ANY,
                                       RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (r == nullptr) {
      error = "cannot create ring " + name + ": " + rte_strerror(rte_errno);
      return false;
    }
    out.push_back(r);
  }
  return true;
}

}  // namespace ravelin::dataplane::proxy
