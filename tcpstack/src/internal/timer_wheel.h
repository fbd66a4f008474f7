// A hashed timer wheel (Varghese & Lauck, scheme 6) holding at most one timer per id, for
// the per-connection timers of one lcore: O(1) schedule and cancel, and a tick that visits
// one slot. Deadlines beyond one revolution stay in their slot and are skipped until due.
// Pure bookkeeping: the owner decides what a firing means (see tcp_timers.cpp).
#pragma once

#include <cstdint>
#include <vector>

namespace ravelin::tcpstack::internal {

class timer_wheel {
 public:
  static constexpr uint32_t k_nil = UINT32_MAX;

  // `ids` timers, `slots` rounded up to a power of two, `tick_ns` granularity, clock at
  // `start_ns`.
  timer_wheel(uint32_t ids, uint32_t slots, uint64_t tick_ns, uint64_t start_ns);

  // (Re)arms `id` to fire at the first tick at or after `deadline_ns`.
  void schedule(uint32_t id, uint64_t deadline_ns);
  void cancel(uint32_t id);
  bool scheduled(uint32_t id) const { return entries_[id].slot != k_nil; }
  // The tick-rounded deadline of a scheduled id, in ns.
  uint64_t deadline_ns(uint32_t id) const { return entries_[id].tick * tick_ns_; }
  uint32_t size() const { return size_; }

  // Fires every timer whose tick is due by `now_ns`, removing it first. `fire(id)` may
  // schedule or cancel any id, including ones collected as due and not yet fired (those
  // then do not fire). Returns the number fired.
  template <typename Fire>
  uint32_t advance(uint64_t now_ns, Fire&& fire);

 private:
  struct entry {
    uint64_t tick = 0;
    uint32_t slot = k_nil;  // k_nil when not scheduled
    uint32_t prev = k_nil;
    uint32_t next = k_nil;
    uint32_t due_next = k_nil;  // link in the list of one advance() step
    bool due = false;           // collected and still to fire
  };
  void link(uint32_t id, uint32_t slot);
  void unlink(uint32_t id);
  // Detaches the due entries of one slot onto a private list; returns its head.
  uint32_t collect_due(uint32_t slot, uint64_t now_tick);

  std::vector<entry> entries_;
  std::vector<uint32_t> heads_;
  uint32_t mask_ = 0;
  uint64_t tick_ns_ = 1;
  uint64_t current_tick_ = 0;  // every slot up to this tick has been visited
  uint32_t size_ = 0;
};

template <typename Fire>
uint32_t timer_wheel::advance(uint64_t now_ns, Fire&& fire) {
  const uint64_t now_tick = now_ns / tick_ns_;
  if (now_tick <= current_tick_) return 0;
  // A jump longer than a revolution visits each slot once: every due entry is found.
  uint64_t steps = now_tick - current_tick_;
  if (steps > mask_ + 1) steps = mask_ + 1;
  current_tick_ = now_tick - steps;
  uint32_t fired = 0;
  for (uint64_t i = 1; i <= steps; ++i) {
    // Advanced before firing, so a timer re-armed in the past lands in a slot still ahead.
    ++current_tick_;
    uint32_t id = collect_due(static_cast<uint32_t>(current_tick_ & mask_), now_tick);
    while (id != k_nil) {
      entry& e = entries_[id];
      const uint32_t next = e.due_next;
      e.due_next = k_nil;
      if (e.due) {
        e.due = false;
        ++fired;
        fire(id);
      }
      id = next;
    }
  }
  return fired;
}

}  // namespace ravelin::tcpstack::internal
