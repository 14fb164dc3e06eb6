// The page cache's LRU lists as a run's trace tells them (mm/vmscan.c, mm/swap.c,
// mm/workingset.c), replayed event by event, in order:
//  - `cache_insert`: a new page goes to the head of the inactive list (folio_add_lru);
//  - `activate`: to the head of the active list (folio_activate, the second access);
//  - `deactivate`: from the active list to the head of the inactive one
//    (shrink_active_list); `rotate`: back to the head of its list (folio_referenced);
//  - `reclaim_marked`: a dirty or writeback page reclaim met is marked PG_reclaim (the
//    `activate` after it moves it out of the way); `reclaim_rotate`: its writeback ended, to the
//    inactive tail (folio_rotate_reclaimable); `evict`: it leaves the cache;
//  - `writeback_start` / `writeback`: pages under writeback until written (on the disk
//    lane; not the journal's own blocks);
//  - `readahead`: the window read ahead and its marker (PG_readahead), on its first
//    page for `sync` (the first page beyond the request) and `async` (the new
//    window's first page), as model/readahead.h marks them;
//  - `block` named dirty throttling (balance_dirty_pages) or reclaim_throttle: a thread
//    asleep, throttled.
//  - dirty: the pages of a write() (the writer's `cache_insert` with the write's bytes,
//    `to` page_cache) until their `writeback` ends or they are evicted.
// Pinned pages are RunState's (gui/run_state.h); this adds the lists' order.
// `mismatches` counts events whose page is not where the kind says it must be (an
// activation of a page not on the inactive list, an eviction of one not cached, ...).
#pragma once
#include <QString>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

struct CachedPage {
  std::uint32_t file = 0;
  std::int64_t page = 0;
  bool operator==(const CachedPage& o) const { return file == o.file && page == o.page; }
};

struct ReadaheadWindow {
  std::uint32_t file = 0;
  std::int64_t first = -1, pages = 0, marker = -1;  // marker -1: none known (mmap read-around)
  bool async = false;
  std::size_t event = 0;
};

struct Throttle {
  std::uint32_t lane = 0;
  std::int64_t start = 0, end = 0;
  bool reclaim = false;  // reclaim_throttle, else balance_dirty_pages
};

class PageListsState {
 public:
  void apply(const Event& e, std::size_t index, const RunTrace& run);
  std::size_t applied() const { return applied_; }

  // Head first (the most recently added), tail last (reclaim's next).
  const std::list<CachedPage>& active() const { return active_; }
  const std::list<CachedPage>& inactive() const { return inactive_; }
  bool onActive(CachedPage p) const;
  bool cached(CachedPage p) const { return where_.count(key(p)) != 0; }
  bool underWriteback(CachedPage p) const { return writeback_.count(key(p)) != 0; }
  bool dirty(CachedPage p) const { return dirty_.count(key(p)) != 0; }
  std::size_t dirtyPages() const { return dirty_.size(); }
  bool markedForReclaim(CachedPage p) const { return reclaim_.count(key(p)) != 0; }
  std::size_t writebackPages() const { return writeback_.size(); }
  // The pages the last event moved, and where (for the outline).
  const std::vector<CachedPage>& moved() const { return moved_; }
  std::size_t movedAt() const { return movedAt_; }

  const ReadaheadWindow& readahead() const { return readahead_; }
  const std::vector<Throttle>& throttled() const { return throttled_; }  // asleep now

  std::uint64_t activations() const { return activations_; }
  std::uint64_t deactivations() const { return deactivations_; }
  std::uint64_t evictions() const { return evictions_; }  // reclaim's, not fadvise DONTNEED
  std::uint64_t throttles() const { return throttles_; }
  std::uint64_t readaheadPages() const { return readaheadPages_; }
  std::uint64_t mismatches() const { return mismatches_; }

 private:
  struct Where {
    bool active;
    std::list<CachedPage>::iterator it;
  };
  static std::uint64_t key(CachedPage p) { return (std::uint64_t{p.file} << 40) ^ static_cast<std::uint64_t>(p.page); }
  void toHead(CachedPage p, bool active, bool tail = false);
  void remove(CachedPage p);
  void forPages(const Event& e, auto&& fn);

  std::size_t applied_ = 0, movedAt_ = 0;
  std::list<CachedPage> active_, inactive_;
  std::unordered_map<std::uint64_t, Where> where_;
  std::unordered_set<std::uint64_t> writeback_, reclaim_, dirty_;
  std::vector<CachedPage> moved_;
  ReadaheadWindow readahead_;
  std::vector<Throttle> throttled_;
  std::uint64_t activations_ = 0, deactivations_ = 0, evictions_ = 0, throttles_ = 0, readaheadPages_ = 0,
                mismatches_ = 0;
};

}  // namespace kiosim::gui
