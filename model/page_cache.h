// The page cache: pages of files keyed by (file, index), as in mm/filemap.c
// (filemap_get_folio, filemap_add_folio), with reference counts (get_page /
// put_page), dirty and writeback flags, and reclaim as in mm/vmscan.c
// (shrink_folio_list): take the policy's tail; a pinned page is rotated and
// skipped; a dirty page is queued for writeback and skipped; the first clean,
// unpinned page is evicted. If nothing can go, the caller must wait (a stall).
// Simplified: one page per folio here (large folios live in the fault path),
// no shadow entries, no per-cgroup lists.
#pragma once
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "model/events.h"
#include "model/page.h"
#include "model/replacement_policy.h"

namespace kiosim {

struct PageCacheParams {
  std::uint64_t capacity_pages = 262144;  // page_cache.size / 4 KiB: pages the cache may hold
  CachePolicy policy = CachePolicy::two_list;  // page_cache.policy
};

struct PageCacheStats {
  std::uint64_t hits = 0, misses = 0, inserts = 0;
  std::uint64_t activations = 0, deactivations = 0, evictions = 0, rotations = 0;
  std::uint64_t writeback_queued = 0, stalls = 0;
};

class PageCache final : private ReplacementPolicy::Observer {
 public:
  explicit PageCache(PageCacheParams params, EventSink* sink = nullptr);
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  // A lookup for a reader (filemap_get_folio + folio_mark_accessed): counts a hit or
  // a miss; a hit informs the policy. A miss does not insert.
  bool lookup(PageKey k);
  // Present? No counting, no policy change.
  bool contains(PageKey k) const { return index_.count(k) != 0; }

  enum class Insert { inserted, already_cached, no_room };
  // Adds a page that was just read (filemap_add_folio), making room first.
  // no_room: every page is pinned or dirty; the caller waits for writeback.
  Insert insert(PageKey k);

  // Reference counts: a pinned page is never evicted.
  void get(PageKey k);
  void put(PageKey k);
  std::uint32_t refcount(PageKey k) const;

  void mark_dirty(PageKey k);
  void writeback_done(PageKey k);  // clears dirty and writeback
  bool is_dirty(PageKey k) const;
  std::vector<PageKey> take_writeback_queue();

  // Drops a page (posix_fadvise DONTNEED, truncate); refuses pinned or dirty pages.
  bool remove(PageKey k);

  std::uint64_t size() const { return index_.size(); }
  std::uint64_t capacity() const { return params_.capacity_pages; }
  const PageCacheStats& stats() const { return stats_; }
  CachePolicy policy() const { return params_.policy; }
  LruList list_of(PageKey k) const;
  std::vector<PageKey> order(LruList l) const;  // head first

 private:
  struct Entry {
    PageKey key;
    std::uint32_t refcount = 0;
    bool dirty = false;
    bool writeback = false;  // queued or under writeback
    bool used = false;
  };
  void on_activate(Slot s) override;
  void on_deactivate(Slot s) override;
  bool make_room();
  void emit(EventKind kind, PageKey k) {
    if (sink_) sink_->record(ModelEvent{kind, k, 0, 1});
  }
  Entry* find(PageKey k);
  const Entry* find(PageKey k) const;

  PageCacheParams params_;
  EventSink* sink_;
  std::unique_ptr<ReplacementPolicy> policy_;
  std::unordered_map<PageKey, Slot, PageKeyHash> index_;
  std::vector<Entry> entries_;
  std::vector<Slot> free_;
  std::vector<PageKey> writeback_queue_;
  PageCacheStats stats_;
};

}  // namespace kiosim
