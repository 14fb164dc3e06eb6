// Typed events that mechanisms report. A mechanism does not know who listens
// (ARCHITECTURE.md rule 4); sim/trace adds the time, the lane and the request id.
// Their names, meanings and units are sim/trace/schema.h's, the one table that the
// trace writer, docs/TRACE.md and the GUI all read.
#pragma once
#include <cstdint>

#include "model/page.h"

namespace kiosim {

enum class EventKind : std::uint8_t {
  // page cache (mm/filemap.c, mm/swap.c, mm/vmscan.c)
  cache_hit,     // model-internal: the page cache reports it, the kernel counts it and traces nothing
  cache_miss,    // model-internal, as cache_hit
  cache_insert,
  activate,      // inactive -> active head
  deactivate,    // active tail -> inactive head
  rotate,        // a reclaim candidate that could not go now (pinned, referenced) back to the head
  evict,
  reclaim_marked,  // reclaim met a dirty page or one under writeback: PG_reclaim, activated
  reclaim_rotate,  // a PG_reclaim page's writeback ended: to the inactive tail
  page_get,      // model-internal: a reference taken (pipe, skb, DMA)
  page_put,      // model-internal: a reference dropped
  // everything the kernel paths and devices report (sim/kernel)
  syscall_enter,
  syscall_exit,
  cpu_copy,
  dma_copy,
  page_ref_move,  // a page passes by reference (splice, sendfile frag): no data moved
  page_fault_minor,
  page_fault_major,
  cow_fault,
  tlb_miss,
  tlb_invalidate,
  tlb_flush,
  tlb_shootdown,
  skb_build,
  linearize,
  nic_tx,
  interrupt,
  readahead,
  writeback_start,  // dirty pages put under writeback and queued at the disk
  writeback,
  journal_commit,
  device_flush,
  block,          // a thread sleeps (socket buffer full, disk, pipe, throttle)
  syscall_error,  // a system call or an io_uring request failed (`name`: errno and why)
  tcp_window,     // a receiver's advertised window went to zero or opened again
  count_  // keep last
};

// What a mechanism says happened. Fields a kind does not use stay zero.
struct ModelEvent {
  EventKind kind{};
  PageKey page{};
  std::uint64_t bytes = 0;
  std::uint64_t pages = 0;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void record(const ModelEvent& e) = 0;
};

}  // namespace kiosim
