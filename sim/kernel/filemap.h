// The page cache of the kernel's files (mm/filemap.c, mm/readahead.c): the files and
// their sizes, the cached pages (model/page_cache.h, its events reported for the
// thread being served), the pages being read from the disk, and filling the cache on
// a miss with readahead. It owns the `cache changed` wait queue that reclaim, dirty
// throttling and writers of pinned pages sleep on.
// Direct reclaim (mm/vmscan.c, called from the page allocator's slow path) writes no
// file page: the page cache marks dirty ones PG_reclaim and asks for the flusher;
// a thread whose reclaim frees nothing while the pages wait for writeback is
// throttled (reclaim_throttle, VMSCAN_THROTTLE_NOPROGRESS), one jiffy at a time.
// Calls accounting and the block device; wakes the flusher and kswapd through hooks.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "model/events.h"
#include "model/page_cache.h"
#include "sim/kernel/accounting.h"
#include "sim/kernel/block_device.h"
#include "sim/scenario/scenario.h"

namespace kiosim {

class Filemap final : private EventSink {
 public:
  Filemap(Accounting& acct, BlockDevice& disk, const std::vector<FileSpec>& files);

  PageCache& cache() { return cache_; }
  const PageCache& cache() const { return cache_; }
  std::uint64_t file_size(FileId f) const { return files_[f].size; }
  std::uint64_t& file_size(FileId f) { return files_[f].size; }
  std::size_t file_count() const { return files_.size(); }
  bool nowait(FileId f) const { return files_[f].nowait; }  // FMODE_NOWAIT: io_uring may try inline
  bool reading(PageKey k) const { return inflight_.count(k) > 0; }  // a disk read of k is under way

  // Something that frees room or changes page state happened: sleepers re-check.
  WaitQueue& changed() { return *changed_; }
  void notify_changed() { changed_->notify_all(); }

  struct Hooks {
    std::function<void()> wake_flusher;      // wakeup_flusher_threads(WB_REASON_VMSCAN)
    std::function<void(Thread&)> allocating;  // a page is about to be allocated: kswapd's watermark check
    std::function<void(Thread&, PageKey)> mapped_write;  // a store through a shared mapping dirtied a page
  };
  void set_hooks(Hooks h) { hooks_ = std::move(h); }
  // Inserts a page, making room (direct reclaim); false when setup finds no room.
  bool insert_page(Thread& t, PageKey k, bool readahead = false);
  // A store through a MAP_SHARED mapping dirtied `k` (folio_mark_dirty from the fault path).
  void dirtied_by_store(Thread& t, PageKey k) {
    if (hooks_.mapped_write) hooks_.mapped_write(t, k);
    else cache_.mark_dirty(k);
  }
  // Reclaim asked for the flusher: wake it.
  void wake_flusher_if_asked() {
    if (cache_.take_flusher_wakeup() && hooks_.wake_flusher) hooks_.wake_flusher();
  }
  // While `lane` is not 0, the page cache's events are kswapd's: counted for `charge`
  // and traced on kswapd's lane.
  void set_background_reclaim(std::uint32_t lane, Process* charge) {
    bg_lane_ = lane;
    bg_charge_ = charge;
    in_kswapd_ = charge != nullptr || lane != 0;
  }
  std::uint32_t disk_lane() const { return disk_.lane(); }
  // Reads the pages of `r` that are neither cached nor being read (`readahead`: the
  // disk requests are asynchronous readahead), in folios of `order` where they fit
  // (page_cache_ra_order). Every page comes in not used yet.
  void read_into_cache(Thread& t, FileId file, PageRange r, bool wait, bool readahead, unsigned order = 0);
  // The largest folio of the files (mapping_max_folio_order): mm.folio.
  unsigned max_folio_order() const { return ilog2(acct_.machine().mm.folio_pages); }
  // Makes the folios a write of [pos, pos + bytes) creates (generic_perform_write);
  // `absent(index)`: the page was not cached before the write.
  template <class Absent>
  void form_write_folios(FileId file, std::uint64_t pos, std::uint64_t bytes, Absent&& absent) {
    for (const FolioSpan& f : write_folios(pos, bytes, max_folio_order(), absent))
      if (f.order > 0) cache_.set_folio(file, f);
  }
  void wait_for_pages(Thread& t, FileId file, std::uint64_t first, std::uint64_t n);
  // filemap_read's page walk: look up, read ahead, wait for the pages needed.
  void fill_pages(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n);
  // filemap_read's folio_mark_accessed of the pages a read of [pos, pos + bytes) copied
  // from: each one, except the first when the previous read of `f` ended in it
  // (pos_same_folio with file_ra_state.prev_pos). A run of small reads marks a page once.
  void mark_read(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes);
  // The same without waiting for a miss (io_uring's async buffered reads).
  void request_pages(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n, bool wait_for_miss);

  void disk_done(const DiskRequest& r);  // the interrupt of one of this cache's requests
  // A `readahead` event: `pages` read ahead of use from `page` on, and why.
  void trace_readahead(Thread& t, FileId file, std::uint64_t page, std::uint64_t pages, const char* why);

 private:
  void record(const ModelEvent& e) override;  // the page cache's own events
  void reclaim_throttle(Thread& t);

  Accounting& acct_;
  BlockDevice& disk_;
  std::vector<FileSpec> files_;
  PageCache cache_;
  std::unordered_map<PageKey, DiskRequestPtr, PageKeyHash> inflight_;
  std::unique_ptr<WaitQueue> changed_;
  Hooks hooks_;
  std::uint32_t bg_lane_ = 0;
  Process* bg_charge_ = nullptr;
  bool in_kswapd_ = false;
};

}  // namespace kiosim
