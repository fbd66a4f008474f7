// The EAL's lifetime as an object: started from the config, cleaned up on destruction so
// that every exit path releases the runtime directory and the telemetry socket.
#pragma once

#include <string>

#include "ravelin/mgmt/config.h"

namespace ravelin::dataplane {

class eal_session {
 public:
  eal_session() = default;
  eal_session(const eal_session&) = delete;
  eal_session& operator=(const eal_session&) = delete;
  ~eal_session();

  // Prints the reason to stderr and returns false when the EAL refuses to start.
  bool start(const mgmt::appliance_config& cfg, const std::string& program);

 private:
  bool started_ = false;
};

}  // namespace ravelin::dataplane
