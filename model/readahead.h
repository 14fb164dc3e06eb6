// Per-open-file readahead state, after mm/readahead.c (struct file_ra_state,
// page_cache_sync_ra / page_cache_async_ra):
//  - a miss at the start of the file, or right after the previous read, starts
//    a window of 4x the request rounded up to a power of two, capped at
//    max_pages (Linux's get_init_ra_size uses 4x for small requests, 2x for
//    mid-sized ones; MODEL.md says "about 4x");
//  - any other miss is a random read: exactly the request is read, no window;
//  - the window is read with the request (synchronous readahead) and marks its
//    first page beyond the request (PG_readahead);
//  - a reader reaching the marked page starts the next window, twice the size
//    (capped), without waiting for it (asynchronous readahead);
//  - a sequential miss (the reader outran the async window) also doubles
//    (Linux's get_next_ra_size quadruples very small windows; kiosim doubles).
// max_pages == 0 turns readahead off: exactly the missing request is read.
// Simplified: no mmap-specific (around the fault) windows here, no thrashing detection.
#pragma once
#include <cstdint>

namespace kiosim {

struct ReadaheadParams {
  std::uint64_t max_pages = 32;  // page_cache.readahead / 4 KiB (128 KiB)
};

struct PageRange {
  std::uint64_t start = 0;
  std::uint64_t count = 0;
  std::uint64_t end() const { return start + count; }
  bool empty() const { return count == 0; }
};

class ReadaheadState {
 public:
  explicit ReadaheadState(ReadaheadParams p = {}) : p_(p) {}

  // A read of `n` pages from `index` whose first page missed: the range to read
  // synchronously (it contains the request's missing pages and the window).
  PageRange on_miss(std::uint64_t index, std::uint64_t n, std::uint64_t file_pages);
  // A read of [index, index+n) that found its pages cached: the range to read
  // ahead asynchronously if it crossed the marker, else empty.
  PageRange on_hit(std::uint64_t index, std::uint64_t n, std::uint64_t file_pages);

  std::uint64_t window_start() const { return start_; }
  std::uint64_t window_size() const { return size_; }
  std::uint64_t marker() const { return marker_; }

 private:
  PageRange clamp(PageRange r, std::uint64_t file_pages) const;
  std::uint64_t next_size(std::uint64_t cur) const;
  ReadaheadParams p_;
  std::uint64_t start_ = 0, size_ = 0;
  std::uint64_t marker_ = ~0ULL;     // page index with PG_readahead, none when ~0
  std::uint64_t prev_end_ = ~0ULL;   // where the previous read ended
};

}  // namespace kiosim
