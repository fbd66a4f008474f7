// A byte queue made of mbuf segments linked through `next`: the receive queue and the send
// queue of a connection. Each linked segment is a complete one-segment packet (nb_segs 1,
// pkt_len = data_len), so any of them can be freed or handed out alone.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>

namespace ravelin::tcpstack::internal {

struct seg_queue {
  rte_mbuf* head = nullptr;
  rte_mbuf* tail = nullptr;
  uint32_t head_off = 0;  // bytes at the front of head already gone from the queue
  uint32_t bytes = 0;     // queued bytes, from head + head_off to the end of tail
  uint32_t segs = 0;      // linked segments
};

// Appends every non-empty segment of the chain `m` (ownership moves; empty ones are freed).
void sq_append(seg_queue& q, rte_mbuf* m);
// Copies `len` bytes into the tail's tailroom when it is a private direct buffer with room;
// returns false (nothing copied) otherwise.
bool sq_append_copy(seg_queue& q, const uint8_t* data, uint32_t len);
// Removes `n` bytes from the front (n <= bytes), freeing segments left empty. Returns the
// number of segments freed.
uint32_t sq_drop_front(seg_queue& q, uint32_t n);
void sq_clear(seg_queue& q);
// Detaches the whole queue as one chain (head adjusted past head_off); null when empty.
rte_mbuf* sq_take(seg_queue& q);

// Removes the first `n` bytes of the packet chain `m`; returns the new head (null when
// nothing is left; freed segments are counted nowhere, the chain is the caller's).
rte_mbuf* chain_trim_front(rte_mbuf* m, uint32_t n);
// Cuts the packet chain `m` to `len` bytes (len <= pkt_len).
void chain_trim_back(rte_mbuf* m, uint32_t len);

}  // namespace ravelin::tcpstack::internal
