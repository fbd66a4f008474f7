// XXH32 (github.com/Cyan4973/xxHash, xxhash_spec.md §"XXH32"), the hash Kong's consistent-
// hashing balancer uses (luaxxhash, seed 0), so that rings place targets as Kong does.
#pragma once

#include <cstdint>
#include <string_view>

namespace ravelin::balancer::detail {

uint32_t xxhash32(std::string_view data, uint32_t seed = 0) noexcept;

}  // namespace ravelin::balancer::detail
