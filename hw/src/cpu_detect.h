// The ISA-specific part of detect_cpu_features: one implementation file per architecture,
// chosen by CMake, so the logic in cpu.cpp has no #ifdefs for it.
#pragma once

#include "ravelin/hw/cpu.h"

namespace ravelin::hw::detail {

// Fills vendor, brand, the feature flags and the os_* fields.
void read_cpuid(cpu_features& features);

}  // namespace ravelin::hw::detail
