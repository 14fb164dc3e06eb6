// The zone watermarks kswapd works between (mm/page_alloc.c __setup_per_zone_wmarks,
// calculate_min_free_kbytes; mm/vmscan.c pgdat_balanced):
//  - min_free_kbytes = int_sqrt(memory in KiB x 16), clamped to [128, 262144] KiB,
//    unless the machine sets it (vm.min_free_kbytes); WMARK_MIN = that in pages;
//  - the gap = max(WMARK_MIN / 4, managed pages x watermark_scale_factor / 10000);
//    WMARK_LOW = min + gap, WMARK_HIGH = low + gap;
//  - an allocation that leaves fewer free pages than WMARK_LOW wakes kswapd
//    (wakeup_kswapd), which reclaims until WMARK_HIGH pages are free (balance_pgdat
//    until pgdat_balanced); below WMARK_MIN the allocator reclaims itself (direct reclaim).
// kiosim's memory is its page cache: the managed pages are page_cache.size, and the
// cache's capacity is where direct reclaim starts, so it stands for the memory above
// WMARK_MIN. Free pages above min = capacity - cached pages: kswapd wakes when they
// drop below `gap` and stops when they reach 2 x gap.
// Simplified: one zone; the gap is at most capacity / 32, so that the 128 KiB floor
// of min_free_kbytes, meant for real machines, does not empty a cache of a few
// hundred KiB (a 1 MiB cache keeps its derived gap of 8 pages; 64 KiB gets none).
#pragma once
#include <cstdint>

namespace kiosim {

struct Watermarks {
  std::uint64_t min_free_kbytes = 0;  // as derived or set
  std::uint64_t min = 0;              // WMARK_MIN, pages
  std::uint64_t gap = 0;              // low - min = high - low, pages
  // kswapd wakes below `gap` free pages above min, and is done at `2 x gap`.
  std::uint64_t low_free() const { return gap; }
  std::uint64_t high_free() const { return 2 * gap; }
};

// `min_free_kbytes` 0: derived from the memory as calculate_min_free_kbytes does.
Watermarks zone_watermarks(std::uint64_t managed_pages, std::uint64_t min_free_kbytes,
                           std::uint32_t watermark_scale_factor);

}  // namespace kiosim
