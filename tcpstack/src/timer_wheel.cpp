// Slot arithmetic and intrusive lists of the timer wheel.
#include "internal/timer_wheel.h"

#include <algorithm>
#include <bit>

namespace ravelin::tcpstack::internal {

timer_wheel::timer_wheel(uint32_t ids, uint32_t slots, uint64_t tick_ns, uint64_t start_ns)
    : entries_(ids),
      heads_(std::bit_ceil(std::max<uint32_t>(slots, 2)), k_nil),
      tick_ns_(std::max<uint64_t>(tick_ns, 1)) {
  mask_ = static_cast<uint32_t>(heads_.size() - 1);
  current_tick_ = start_ns / tick_ns_;
}

void timer_wheel::schedule(uint32_t id, uint64_t deadline_ns) {
  entries_[id].due = false;
  if (entries_[id].slot != k_nil) unlink(id);
  // Round up, and never into a slot already visited: the earliest is the next tick.
  uint64_t tick = (deadline_ns + tick_ns_ - 1) / tick_ns_;
  if (tick <= current_tick_) tick = current_tick_ + 1;
  entries_[id].tick = tick;
  link(id, static_cast<uint32_t>(tick & mask_));
}

void timer_wheel::cancel(uint32_t id) {
  entries_[id].due = false;
  if (entries_[id].slot != k_nil) unlink(id);
}

void timer_wheel::link(uint32_t id, uint32_t slot) {
  entry& e = entries_[id];
  e.slot = slot;
  e.prev = k_nil;
  e.next = heads_[slot];
  if (e.next != k_nil) entries_[e.next].prev = id;
  heads_[slot] = id;
  ++size_;
}

void timer_wheel::unlink(uint32_t id) {
  entry& e = entries_[id];
  if (e.prev != k_nil) {
    entries_[e.prev].next = e.next;
  } else {
    heads_[e.slot] = e.next;
  }
  if (e.next != k_nil) entries_[e.next].prev = e.prev;
  e.slot = e.prev = e.next = k_nil;
  --size_;
}

uint32_t timer_wheel::collect_due(uint32_t slot, uint64_t now_tick) {
  uint32_t due = k_nil;
  uint32_t id = heads_[slot];
  while (id != k_nil) {
    const uint32_t next = entries_[id].next;
    if (entries_[id].tick <= now_tick) {
      unlink(id);
      entries_[id].due = true;
      entries_[id].due_next = due;
      due = id;
    }
    id = next;
  }
  return due;
}

}  // namespace ravelin::tcpstack::internal
