// Reclaim writes no file pages (mm/vmscan.c shrink_folio_list, shrink_inactive_list;
// mm/filemap.c folio_end_writeback -> mm/swap.c folio_rotate_reclaimable) and the
// watermarks kswapd works between (mm/page_alloc.c __setup_per_zone_wmarks,
// calculate_min_free_kbytes), worked by hand. Lists are written head first.
#include <catch2/catch.hpp>

#include <vector>

#include "model/page_cache.h"
#include "model/watermarks.h"

using namespace kiosim;

namespace {
PageKey P(std::uint64_t i) { return PageKey{0, i}; }
using V = std::vector<std::uint64_t>;
V list(const PageCache& c, LruList l) {
  V out;
  for (PageKey k : c.order(l)) out.push_back(k.index);
  return out;
}
}  // namespace

TEST_CASE("linux: direct reclaim of a cache full of dirty pages marks them, writes nothing, wakes the flusher",
          "[page_cache][reclaim][linux]") {
  PageCache c(PageCacheParams{3, CachePolicy::linux_lru});
  for (std::uint64_t p : {1, 2, 3}) {
    REQUIRE(c.insert(P(p)) == PageCache::Insert::inserted);
    c.mark_dirty(P(p), p);
  }
  // 4: inactive [3 2 1]; inactive_is_low (3 x 1 < 0) does not hold. The scan: 1, 2, 3
  // dirty: folio_set_reclaim, activate_locked: active [3 2 1]. The inactive list is
  // empty, the victim is the active tail 1, which this scan marked: nothing can go.
  CHECK(c.insert(P(4)) == PageCache::Insert::no_room);
  CHECK(c.stats().reclaim_marked == 3);
  CHECK(c.stats().activations == 3);
  CHECK(list(c, LruList::active) == V{3, 2, 1});
  CHECK(c.writeback_pages() == 0);  // no pageout() from reclaim
  CHECK(c.dirty_pages() == 3);
  // The batch: 3 taken, 3 dirty and not under writeback: nr_unqueued_dirty == nr_taken.
  CHECK(c.take_flusher_wakeup());
  CHECK_FALSE(c.take_flusher_wakeup());  // once

  // The flusher puts all three under writeback (oldest first).
  CHECK(c.start_writeback_oldest(10) == std::vector<PageKey>{P(1), P(2), P(3)});
  // 5: age_active: inactive 0 x 1 < active 3: shrink_active_list moves the active tail
  // 1, then 2, then 3 to the inactive head: [3 2 1], 3 deactivations. Each is under
  // writeback: marked again (case 2) and activated again: 6 marks in all; nothing goes.
  CHECK(c.insert(P(5)) == PageCache::Insert::no_room);
  CHECK(c.stats().deactivations == 3);
  CHECK(c.stats().reclaim_marked == 6);
  CHECK_FALSE(c.take_flusher_wakeup());  // none dirty: the flusher has them already

  // The writes of 1 and 2 end: each moves to the inactive *tail*, PG_active cleared:
  // inactive [1], then [1 2]; active [3].
  CHECK(c.end_writeback(P(1)));
  CHECK(c.end_writeback(P(2)));
  CHECK(list(c, LruList::inactive) == V{1, 2});
  CHECK(list(c, LruList::active) == V{3});
  CHECK(c.stats().rotated_reclaimable == 2);
  // 3 is written to again while its writeback runs: the end leaves it (dirty) where it is.
  c.mark_dirty(P(3), 9);
  CHECK_FALSE(c.end_writeback(P(3)));
  CHECK_FALSE(c.marked_for_reclaim(P(3)));
  CHECK(list(c, LruList::active) == V{3});

  // 4 now: inactive 2 x 1 < active 1 does not hold; the tail 2 is clean: evicted.
  CHECK(c.insert(P(4)) == PageCache::Insert::inserted);
  CHECK_FALSE(c.contains(P(2)));
  CHECK(list(c, LruList::inactive) == V{4, 1});
  CHECK(c.stats().evictions == 1);
}

TEST_CASE("reclaim: a batch of SWAP_CLUSTER_MAX dirty pages wakes the flusher, a mixed one does not",
          "[page_cache][reclaim]") {
  // 40 pages, 0-31 dirty (the tail end), 32-39 clean. Inserting 40: the scan takes
  // 0..31 (32 dirty, unqueued: a full batch of them: wakeup_flusher_threads), then 32
  // is clean: evicted.
  PageCache c(PageCacheParams{40, CachePolicy::linux_lru});
  for (std::uint64_t p = 0; p < 40; ++p) c.insert(P(p));
  for (std::uint64_t p = 0; p < 32; ++p) c.mark_dirty(P(p));
  CHECK(c.insert(P(40)) == PageCache::Insert::inserted);
  CHECK_FALSE(c.contains(P(32)));
  CHECK(c.stats().reclaim_marked == 32);
  CHECK(c.take_flusher_wakeup());

  // One dirty page at the tail, the rest clean: 40 inserts take 41 pages (0 marked,
  // then one clean page each), and the first batch of 32 holds one dirty page: no wakeup.
  PageCache d(PageCacheParams{40, CachePolicy::linux_lru});
  for (std::uint64_t p = 0; p < 40; ++p) d.insert(P(p));
  d.mark_dirty(P(0));
  for (std::uint64_t p = 40; p < 80; ++p) REQUIRE(d.insert(P(p)) == PageCache::Insert::inserted);
  CHECK(d.stats().reclaim_marked == 1);
  CHECK_FALSE(d.take_flusher_wakeup());
}

TEST_CASE("watermarks: min_free_kbytes and the kswapd gap as __setup_per_zone_wmarks derives them",
          "[watermarks]") {
  // 1 GiB = 262144 pages = 1048576 KiB: int_sqrt(1048576 x 16) = int_sqrt(16777216) =
  // 4096 KiB; min = 4096 / 4 = 1024 pages; gap = max(1024 / 4 = 256,
  // 262144 x 10 / 10000 = 262) = 262: low = min + 262, high = min + 524.
  Watermarks w = zone_watermarks(262144, 0, 10);
  CHECK(w.min_free_kbytes == 4096);
  CHECK(w.min == 1024);
  CHECK(w.gap == 262);
  CHECK(w.low_free() == 262);
  CHECK(w.high_free() == 524);
  // 64 MiB = 16384 pages = 65536 KiB: int_sqrt(1048576) = 1024 KiB; min 256 pages;
  // gap = max(64, 16384 x 10 / 10000 = 16) = 64.
  w = zone_watermarks(16384, 0, 10);
  CHECK(w.min_free_kbytes == 1024);
  CHECK(w.gap == 64);
  // 8 MiB = 2048 pages = 8192 KiB: int_sqrt(131072) = 362 KiB; min 90 pages; gap max(22, 2) = 22.
  w = zone_watermarks(2048, 0, 10);
  CHECK(w.min_free_kbytes == 362);
  CHECK(w.gap == 22);
  // 1 MiB = 256 pages: int_sqrt(16384) = 128 KiB (the floor); min 32; gap max(8, 0) = 8 = 256 / 32.
  w = zone_watermarks(256, 0, 10);
  CHECK(w.min_free_kbytes == 128);
  CHECK(w.gap == 8);
  // 64 KiB = 16 pages: the floor gives min 32 pages, gap 8, but kiosim caps it at 16 / 32 = 0.
  CHECK(zone_watermarks(16, 0, 10).gap == 0);
  // Set by hand: min_free_kbytes 65536 on 1 GiB: min 16384 pages, gap max(4096, 262) = 4096.
  w = zone_watermarks(262144, 65536, 10);
  CHECK(w.min == 16384);
  CHECK(w.gap == 4096);
  // watermark_scale_factor 1000 (10%) on 1 GiB: gap max(256, 26214) = 26214, over kiosim's
  // cap of 262144 / 32 = 8192: 8192.
  CHECK(zone_watermarks(262144, 0, 1000).gap == 8192);
}
