// Segment-queue operations shared by the send and receive paths.
#include "internal/seg_queue.h"

#include <cstring>

namespace ravelin::tcpstack::internal {

void sq_append(seg_queue& q, rte_mbuf* m) {
  while (m != nullptr) {
    rte_mbuf* next = m->next;
    m->next = nullptr;
    m->nb_segs = 1;
    m->pkt_len = m->data_len;
    if (m->data_len == 0) {
      rte_pktmbuf_free_seg(m);
    } else {
      if (q.tail != nullptr) {
        q.tail->next = m;
      } else {
        q.head = m;
        q.head_off = 0;
      }
      q.tail = m;
      q.bytes += m->data_len;
      ++q.segs;
    }
    m = next;
  }
}

bool sq_append_copy(seg_queue& q, const uint8_t* data, uint32_t len) {
  rte_mbuf* t = q.tail;
  if (t == nullptr || !RTE_MBUF_DIRECT(t) || rte_mbuf_refcnt_read(t) != 1 ||
      rte_pktmbuf_tailroom(t) < len) {
    return false;
  }
  std::memcpy(rte_pktmbuf_append(t, static_cast<uint16_t>(len)), data, len);
  q.bytes += len;
  return true;
}

uint32_t sq_drop_front(seg_queue& q, uint32_t n) {
  uint32_t freed = 0;
  q.bytes -= n;
  n += q.head_off;
  while (q.head != nullptr && n >= q.head->data_len) {
    n -= q.head->data_len;
    rte_mbuf* next = q.head->next;
    rte_pktmbuf_free_seg(q.head);
    q.head = next;
    --q.segs;
    ++freed;
  }
  if (q.head == nullptr) {
    q.tail = nullptr;
    n = 0;
  }
  q.head_off = n;
  return freed;
}

void sq_clear(seg_queue& q) {
  for (rte_mbuf* s = q.head; s != nullptr;) {
    rte_mbuf* next = s->next;
    rte_pktmbuf_free_seg(s);
    s = next;
  }
  q = seg_queue{};
}

rte_mbuf* sq_take(seg_queue& q) {
  rte_mbuf* h = q.head;
  if (h == nullptr) return nullptr;
  rte_pktmbuf_adj(h, static_cast<uint16_t>(q.head_off));
  h->nb_segs = static_cast<uint16_t>(q.segs);
  h->pkt_len = q.bytes;
  q = seg_queue{};
  return h;
}

rte_mbuf* chain_trim_front(rte_mbuf* m, uint32_t n) {
  while (m != nullptr && n >= m->data_len) {
    n -= m->data_len;
    rte_mbuf* next = m->next;
    if (next != nullptr) {
      next->nb_segs = static_cast<uint16_t>(m->nb_segs - 1);
      next->pkt_len = m->pkt_len - m->data_len;
    }
    m->next = nullptr;
    rte_pktmbuf_free_seg(m);
    m = next;
  }
  if (m != nullptr && n != 0) {
    m->data_off = static_cast<uint16_t>(m->data_off + n);
    m->data_len = static_cast<uint16_t>(m->data_len - n);
    m->pkt_len -= n;
  }
  return m;
}

void chain_trim_back(rte_mbuf* m, uint32_t len) {
  m->pkt_len = len;
  uint16_t segs = 1;
  rte_mbuf* s = m;
  uint32_t keep = len;
  while (keep > s->data_len) {
    keep -= s->data_len;
    s = s->next;
    ++segs;
  }
  s->data_len = static_cast<uint16_t>(keep);
  if (s->next != nullptr) {
    rte_pktmbuf_free(s->next);
    s->next = nullptr;
  }
  m->nb_segs = segs;
}

}  // namespace ravelin::tcpstack::internal
