// Per-open-file readahead state, after mm/readahead.c (struct file_ra_state,
// page_cache_sync_ra / page_cache_async_ra):
//  - a miss at the start of the file, or right after the previous read, starts a
//    window of get_init_ra_size(request, max): the request rounded up to a power of
//    two, times 4 up to max/32, times 2 up to max/4, else max (a 64 KiB first read
//    with a 128 KiB maximum gets 128 KiB);
//  - any other miss is a random read: exactly the request is read, no window;
//  - the window is read with the request (synchronous readahead) and marks its
//    first page beyond the request (PG_readahead: async_size = size - request);
//  - a reader reaching the marked page starts the next window without waiting for
//    it (asynchronous readahead), of get_next_ra_size: 4x below max/16, 2x up to
//    max/2, else max; the new window's first page carries the marker;
//  - mmap read-around (do_sync_mmap_readahead) centres a window of max on the
//    faulting page and marks its page at size - max/4; a fault on the marked page
//    starts the next window (do_async_mmap_readahead, on_mmap_hit).
// max_pages == 0 turns readahead off: page_cache_sync_ra then reads one page at a
// time (req_count = 1); the caller issues one I/O per page (on_miss says `off`).
// Simplified: a random read is read as is without page_cache_prev_miss's look at
// the cached history before it; no thrashing detection; a request larger than max
// is read whole (Linux raises max to the request up to the device's io_pages).
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

  // The mmap read-around window of a major fault at `index` (do_sync_mmap_readahead).
  PageRange on_mmap_miss(std::uint64_t index, std::uint64_t file_pages);
  // A fault that found page `index` cached (do_async_mmap_readahead): the window to
  // read asynchronously if it is the marked page, else empty.
  PageRange on_mmap_hit(std::uint64_t index, std::uint64_t file_pages);
  bool off() const { return p_.max_pages == 0; }
  // The folio order page_cache_ra_order gives the last window: 2 for a new window
  // (sync or mmap read-around), the previous order + 2 for each async window, never
  // above the mapping's `max_order` nor ilog2 of the window; 0 for windows under 4
  // pages and for reads as asked (page_cache_ra_unbounded).
  unsigned folio_order(unsigned max_order) const;

  // mm/readahead.c get_init_ra_size / get_next_ra_size.
  static std::uint64_t init_size(std::uint64_t request, std::uint64_t max);
  static std::uint64_t next_size(std::uint64_t cur, std::uint64_t max);

  std::uint64_t window_start() const { return start_; }
  std::uint64_t window_size() const { return size_; }
  std::uint64_t marker() const { return marker_; }

 private:
  PageRange clamp(PageRange r, std::uint64_t file_pages) const;
  PageRange next_window(std::uint64_t file_pages);
  ReadaheadParams p_;
  std::uint64_t start_ = 0, size_ = 0;
  unsigned order_ = 0;  // before the caps of folio_order
  std::uint64_t marker_ = ~0ULL;     // page index with PG_readahead, none when ~0
  std::uint64_t prev_end_ = ~0ULL;   // where the previous read ended
};

}  // namespace kiosim
