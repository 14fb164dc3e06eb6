// kswapd, the background reclaimer (mm/vmscan.c kswapd, balance_pgdat, pgdat_balanced;
// mm/page_alloc.c wakeup_kswapd): an allocation that would leave fewer free pages
// than the low watermark wakes it; it reclaims, as direct reclaim does (writing no
// file page: dirty ones get PG_reclaim and the flusher), until the high watermark's
// pages are free, then sleeps. The watermarks are model/watermarks.h's, from
// page_cache.min_free and page_cache.watermark_scale_factor.
// kiosim's kswapd runs on a core of its own the moment it is woken, and its scan
// takes no simulated time: the pages go before the allocation that woke it. One that
// cannot reach the high watermark (the pages are dirty, under writeback or pinned)
// stays awake and tries again each time a page may have become reclaimable, as
// kswapd's reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) waits for writeback to end.
// Its evictions are counted for the process whose allocation woke it (`evictions`,
// `kswapd_evictions`) and traced on the `kswapd` lane.
// Simplified: kswapd never calls pageout() itself (Linux lets it write a PG_reclaim
// folio once a node is flagged PGDAT_DIRTY), no kswapd_failures, no order > 0.
// Owns the kswapd lane and actor; calls accounting and the page cache (filemap).
#pragma once
#include <cstdint>
#include <memory>

#include "model/watermarks.h"
#include "sim/kernel/accounting.h"
#include "sim/kernel/filemap.h"

namespace kiosim {

class Kswapd {
 public:
  Kswapd(Accounting& acct, Filemap& filemap);
  const Watermarks& watermarks() const { return wm_; }
  // wakeup_kswapd: `t` is about to allocate a page; below the low watermark kswapd runs.
  void allocating(Thread& t);
  void actor();  // forever: retries while it could not balance

 private:
  std::uint64_t free_pages() const;  // above WMARK_MIN: the cache's room
  bool balance();                    // balance_pgdat; false when stuck below the high watermark
  std::uint32_t lane();

  Accounting& acct_;
  Filemap& filemap_;
  Watermarks wm_;
  std::unique_ptr<WaitQueue> wake_;
  Process* charge_ = nullptr;  // whose allocation woke it last
  bool stuck_ = false;
  std::uint32_t lane_ = 0;
};

}  // namespace kiosim
