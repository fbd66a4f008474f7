// Counts heap allocations through operator new made by this thread while a scope is alive:
// the hot-path contract (DESIGN.md: no allocation after warm-up) as a test oracle.
#pragma once

#include <cstddef>

namespace ravelin::test {

class allocation_scope {
 public:
  allocation_scope();
  ~allocation_scope();
  allocation_scope(const allocation_scope&) = delete;
  allocation_scope& operator=(const allocation_scope&) = delete;
  size_t count() const;
};

}  // namespace ravelin::test
