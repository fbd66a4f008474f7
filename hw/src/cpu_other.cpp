// Architectures without cpuid: report no x86 features rather than fail to build.
#include "cpu_detect.h"

namespace ravelin::hw::detail {

void read_cpuid(cpu_features& /*features*/) {}

}  // namespace ravelin::hw::detail
