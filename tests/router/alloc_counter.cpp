// Replaces the global operator new of the test binary to count allocations in a scope.
#include "alloc_counter.h"

#include <cstdlib>
#include <new>

namespace {
thread_local bool g_counting = false;
thread_local size_t g_count = 0;
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting) ++g_count;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace ravelin::test {

allocation_scope::allocation_scope() {
  g_count = 0;
  g_counting = true;
}
allocation_scope::~allocation_scope() { g_counting = false; }
size_t allocation_scope::count() const { return g_count; }

}  // namespace ravelin::test
