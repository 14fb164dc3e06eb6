// The page cache: pages of files keyed by (file, index), as in mm/filemap.c
// (filemap_get_folio, filemap_add_folio, filemap_remove_folio), with reference
// counts (folio_get / folio_put), the dirty and writeback flags of
// mm/page-writeback.c (folio_mark_dirty, folio_clear_dirty_for_io,
// folio_start_writeback, folio_end_writeback), and reclaim as in mm/vmscan.c
// shrink_folio_list: take the policy's victim (the inactive tail); a pinned page
// is rotated to the head and skipped; a page under writeback, or a dirty one, is
// not written by reclaim (only kswapd may call pageout() for a file folio, and
// kiosim's never does): it gets PG_reclaim (folio_set_reclaim, NR_VMSCAN_IMMEDIATE)
// and is activated out of the way (activate_locked); the first clean, unpinned
// page is evicted. When its writeback ends (folio_end_writeback), a PG_reclaim page
// that is still clean moves to the inactive tail (folio_rotate_reclaimable), to be
// the next one reclaimed. Reclaim takes pages in batches of SWAP_CLUSTER_MAX (32)
// (shrink_inactive_list): a batch that was all dirty pages not yet under writeback
// (nr_unqueued_dirty == nr_taken) asks for the flusher (wakeup_flusher_threads,
// WB_REASON_VMSCAN: take_flusher_wakeup). One scan looks at each page at most
// twice and stops when it meets a page it marked itself: if nothing can go,
// insert says no_room and the caller is throttled (sim/kernel: reclaim_throttle).
// Dirty pages are also kept in the order they were dirtied (like an inode's
// dirtied_when on the bdi's b_dirty list), so a flusher can write the oldest
// first and find the expired ones; the caller supplies the "when" (a stamp; the
// model has no clock).
// Mapped pages (mm/rmap.c): a page counts the PTEs that map it (its mapcount, kept
// by map/unmap, folio_add_file_rmap_ptes / folio_remove_rmap_ptes). Reclaim asks the
// rmap about a mapped victim (folio_check_references): PTEs with the accessed bit
// (folio_referenced, which clears them) plus PG_referenced decide: referenced by more
// than one PTE, or by one and PG_referenced, it is activated; by one, it gets
// PG_referenced and another trip round the inactive list; by none, it is unmapped
// (try_to_unmap: the PTEs go and their TLB entries are invalidated, by the walker)
// and evicted like any page. So no page is ever evicted while a PTE maps it.
// Shadow entries (mm/workingset.c): when the policy gives one at eviction, the cache
// keeps it under the page's key and hands it back to the policy when the page comes
// back (insert_refault). Only the shadows young enough to matter are kept: at most
// twice the capacity, oldest dropped first (Linux's shadow shrinker bounds them too).
// Folios (large folios, mm/filemap.c): a page belongs to a folio of 2^order pages,
// aligned in the file; set_folio makes one of cached pages, folio_of says which.
// Simplified: the LRU and reclaim work per page (evicting one page of a large folio
// splits it: its other pages become single-page folios), no per-cgroup lists, every
// page of every file in one LRU; a scan that met only unreclaimable pages also asks
// for the flusher when some page is dirty (Linux's batches would, sooner or later).
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/events.h"
#include "model/folio.h"
#include "model/page.h"
#include "model/page_cache_index.h"
#include "model/replacement_policy.h"

namespace kiosim {

struct PageCacheParams {
  std::uint64_t capacity_pages = 262144;       // page_cache.size / 4 KiB: pages the cache may hold
  CachePolicy policy = CachePolicy::linux_lru;  // page_cache.policy
};

struct PageCacheStats {
  std::uint64_t hits = 0, misses = 0, inserts = 0;
  std::uint64_t activations = 0, deactivations = 0, evictions = 0, rotations = 0;
  std::uint64_t reclaim_marked = 0, stalls = 0, dropped = 0;  // reclaim_marked: PG_reclaim set (NR_VMSCAN_IMMEDIATE)
  std::uint64_t rotated_reclaimable = 0;  // folio_rotate_reclaimable moves (PGROTATED)
  std::uint64_t flusher_wakeups = 0;      // wakeup_flusher_threads(WB_REASON_VMSCAN) asked
  std::uint64_t unmapped = 0, refaults = 0;  // try_to_unmap calls; inserts that found a shadow entry
  std::uint64_t put_underflows = 0;  // put() of a page nobody held: a reference count below zero
};

// The reverse map, as reclaim sees it (mm/rmap.c rmap_walk): whoever owns the page
// tables implements it (sim/kernel/mm).
class RmapWalker {
 public:
  virtual ~RmapWalker() = default;
  // folio_referenced: how many PTEs mapping `k` have the accessed bit; clears them.
  virtual int referenced(PageKey k) = 0;
  // try_to_unmap: removes every PTE mapping `k` (the walker calls PageCache::unmap for
  // each) and invalidates their TLB entries.
  virtual void unmap(PageKey k) = 0;
  // folio_mkclean: `k` goes under writeback: every writable PTE mapping it becomes
  // read-only (the next store faults: page_mkwrite), its TLB entries invalidated.
  virtual void mkclean(PageKey) {}
};

class PageCache final : private ReplacementPolicy::Observer {
 public:
  explicit PageCache(PageCacheParams params, EventSink* sink = nullptr);
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  // A lookup for a reader (filemap_get_folio + folio_mark_accessed): counts a hit or
  // a miss; a hit informs the policy. A miss does not insert.
  // `mark` false: the lookup counts, but the policy hears nothing (filemap_get_folio
  // without FGP_ACCESSED: faults and writes; reads mark with mark_accessed).
  bool lookup(PageKey k, bool mark = true);
  // folio_mark_accessed of a cached page; nothing when it is not cached.
  void mark_accessed(PageKey k);
  // Present? No counting, no policy change.
  bool contains(PageKey k) const { return index_.find(k) != PageCacheIndex::kNone; }

  enum class Insert { inserted, already_cached, no_room };
  // Adds a page that was just read (filemap_add_folio), making room first.
  // no_room: every page is pinned, dirty or under writeback; the caller is throttled.
  // `readahead`: brought in ahead of use; its first lookup is a first use.
  Insert insert(PageKey k, bool readahead = false);
  // lookup, and insert on a miss: one access of a replayed trace. True on a hit.
  // The access marks the page, a missed one too (its first use, as filemap_read marks
  // the page it has just read). A miss that finds no room still counts as a miss and
  // leaves the cache as it was.
  bool access(PageKey k);

  // Reclaims one page (shrink_folio_list, as kswapd's balance_pgdat calls it); false
  // when the scan found nothing it could free.
  bool reclaim_one();
  // True once after a reclaim batch of only unqueued dirty pages, or a scan that freed
  // nothing while pages were dirty: the caller wakes the flusher (wakeup_flusher_threads).
  bool take_flusher_wakeup() {
    const bool w = flusher_wakeup_;
    flusher_wakeup_ = false;
    return w;
  }
  // Grows each time something may have made a page reclaimable: a writeback ended, a
  // reference or a mapping went, a page left. A throttled reclaimer waits for it to move.
  std::uint64_t reclaim_progress() const { return progress_; }
  bool marked_for_reclaim(PageKey k) const;  // PG_reclaim

  // Reference counts: a page with references is never evicted or dropped.
  void get(PageKey k);
  void put(PageKey k);
  std::uint32_t refcount(PageKey k) const;
  std::uint64_t pinned_pages() const { return pinned_; }

  // The rmap: a PTE now maps `k` / no longer does. A mapped page is never dropped, and
  // reclaim unmaps it (through the walker) before it evicts it.
  void map(PageKey k);
  void unmap(PageKey k);
  std::uint32_t mapcount(PageKey k) const;
  void set_rmap(RmapWalker* r) { rmap_ = r; }
  bool has_shadow(PageKey k) const { return shadows_.count(k) > 0; }

  // The folio `k` belongs to; {k.index, 0} when it is not cached.
  FolioSpan folio_of(PageKey k) const;
  // Pages [f.first, f.end()) of `file`, all cached, become one folio (false, and
  // nothing changes, when one is missing).
  bool set_folio(FileId file, FolioSpan f);

  // Dirty and writeback. `stamp` is when the page was dirtied (the caller's clock).
  // Putting a mapped page under writeback write-protects its PTEs first
  // (folio_clear_dirty_for_io -> folio_mkclean, through the rmap walker).
  bool mark_dirty(PageKey k, std::uint64_t stamp = 0);  // true when the page was clean
  bool is_dirty(PageKey k) const;
  bool under_writeback(PageKey k) const;
  // The flusher's pick (wb_writeback): up to `max` dirty pages, oldest first, only
  // those dirtied before `dirtied_before`; each is put under writeback (no longer
  // dirty, PG_writeback set). The caller writes them and calls end_writeback.
  std::vector<PageKey> start_writeback_oldest(std::size_t max, std::uint64_t dirtied_before = ~0ULL);
  // Puts one dirty page under writeback (fsync, fadvise); false if it was not dirty.
  bool start_writeback(PageKey k);
  // folio_end_writeback: clears PG_writeback; a page re-dirtied meanwhile stays dirty.
  // A PG_reclaim page loses the flag and, if clean, moves to the inactive tail
  // (folio_rotate_reclaimable): true when it moved.
  bool end_writeback(PageKey k);
  std::uint64_t dirty_pages() const { return dirty_; }
  std::uint64_t writeback_pages() const { return writeback_; }
  // The stamp of the oldest dirty page, or ~0 when none is dirty.
  std::uint64_t oldest_dirty_stamp();

  // Drops a page (posix_fadvise DONTNEED, truncate); refuses pinned, mapped, dirty or
  // under-writeback pages (false; mapping_evict_folio). A page that is not cached counts as dropped.
  bool remove(PageKey k);

  std::uint64_t size() const { return index_.size(); }
  std::uint64_t capacity() const { return params_.capacity_pages; }
  const PageCacheStats& stats() const { return stats_; }
  CachePolicy policy() const { return params_.policy; }
  LruList list_of(PageKey k) const;
  std::size_t list_size(LruList l) const { return policy_->size(l); }  // pages on one list (invariants)
  std::vector<PageKey> order(LruList l) const;  // head first

 private:
  struct Entry {
    PageKey key;
    std::uint64_t dirtied = 0;  // stamp of the clean -> dirty change
    std::uint32_t refcount = 0;
    std::uint32_t mapcount = 0;
    std::uint8_t order = 0;  // the folio's: 2^order pages from index & ~(2^order - 1)
    bool dirty = false;
    bool writeback = false;  // PG_writeback: being written (or queued to be)
    bool reclaim = false;    // PG_reclaim: reclaim met it dirty or under writeback
    std::uint32_t marked_in = 0;  // the scan that last set PG_reclaim
  };
  struct DirtyRecord {
    PageKey key;
    std::uint64_t stamp;
  };
  void on_activate(Slot s) override;
  void on_deactivate(Slot s) override;
  bool make_room();
  void note_taken(const Entry& e);  // one page of shrink_inactive_list's batch
  void end_batch();
  enum class Verdict { evict, next };
  Verdict check_mapped(Slot s, Entry& e);  // folio_check_references + try_to_unmap
  void mark_for_reclaim(Slot s, Entry& e);  // folio_set_reclaim + activate_locked
  void evict(Slot s, Entry& e);
  void forget_old_shadows();
  void split_folio(const Entry& e);  // the folio of `e` loses a page: its others become single
  Slot add(PageKey k, bool readahead = false);
  void hit(Slot s);
  void set_writeback(Entry& e);
  bool fresh(const DirtyRecord& r) const;
  void emit(EventKind kind, PageKey k) {
    if (sink_) sink_->record(ModelEvent{kind, k, 0, 1});
  }
  Entry* find(PageKey k) {
    Slot s = index_.find(k);
    return s == PageCacheIndex::kNone ? nullptr : &entries_[s];
  }
  const Entry* find(PageKey k) const {
    Slot s = index_.find(k);
    return s == PageCacheIndex::kNone ? nullptr : &entries_[s];
  }

  PageCacheParams params_;
  EventSink* sink_;
  std::unique_ptr<ReplacementPolicy> policy_;
  PageCacheIndex index_;
  std::vector<Entry> entries_;
  // Per slot: brought in by readahead and not read yet. Apart from the entries,
  // so that a hit reads one byte, not a cache line of entry.
  std::vector<std::uint8_t> unused_;
  std::vector<Slot> free_;
  std::deque<DirtyRecord> dirty_order_;  // oldest first; stale records are skipped
  RmapWalker* rmap_ = nullptr;
  std::unordered_map<PageKey, std::uint64_t, PageKeyHash> shadows_;  // key -> the policy's shadow
  std::deque<std::pair<PageKey, std::uint64_t>> shadow_order_;        // oldest first; stale ones skipped
  std::uint64_t dirty_ = 0, writeback_ = 0, pinned_ = 0;
  std::uint32_t scan_ = 0;                         // the current scan's number (marked_in)
  std::uint32_t batch_taken_ = 0, batch_unqueued_dirty_ = 0;
  bool flusher_wakeup_ = false;
  std::uint64_t progress_ = 0;
  PageCacheStats stats_;
};

}  // namespace kiosim
