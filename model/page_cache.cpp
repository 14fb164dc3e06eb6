#include "model/page_cache.h"

#include "model/linux_policy.h"

namespace kiosim {

PageCache::PageCache(PageCacheParams params, EventSink* sink)
    : params_(params), sink_(sink) {
  if (params_.capacity_pages == 0) params_.capacity_pages = 1;
  policy_ = make_policy(params_.policy, this, params_.capacity_pages);
}

bool PageCache::lookup(PageKey k, bool mark) {
  Slot s = index_.find(k);
  if (s == PageCacheIndex::kNone) {
    ++stats_.misses;
    emit(EventKind::cache_miss, k);
    return false;
  }
  ++stats_.hits;
  emit(EventKind::cache_hit, k);
  if (mark) hit(s);
  return true;
}

void PageCache::mark_accessed(PageKey k) {
  Slot s = index_.find(k);
  if (s != PageCacheIndex::kNone) hit(s);
}

void PageCache::hit(Slot s) {
  if (unused_[s]) {
    unused_[s] = 0;
    policy_->first_use(s);
  } else {
    policy_->touch(s);
  }
}

bool PageCache::access(PageKey k) {
  Slot s = index_.find(k);
  if (s != PageCacheIndex::kNone) {
    ++stats_.hits;
    emit(EventKind::cache_hit, k);
    hit(s);
    return true;
  }
  ++stats_.misses;
  emit(EventKind::cache_miss, k);
  if (index_.size() >= params_.capacity_pages && !make_room()) {
    ++stats_.stalls;
    return false;
  }
  hit(add(k, true));  // the access that missed uses the page it brought in: its first use
  return false;
}

PageCache::Insert PageCache::insert(PageKey k, bool readahead) {
  if (contains(k)) return Insert::already_cached;
  if (index_.size() >= params_.capacity_pages && !make_room()) {
    ++stats_.stalls;
    return Insert::no_room;
  }
  add(k, readahead);
  return Insert::inserted;
}

Slot PageCache::add(PageKey k, bool readahead) {
  Slot s;
  if (!free_.empty()) {
    s = free_.back();
    free_.pop_back();
  } else {
    s = Slot(entries_.size());
    entries_.emplace_back();
    unused_.push_back(0);
  }
  entries_[s] = Entry{k};
  unused_[s] = readahead;
  index_.insert(k, s);
  ++stats_.inserts;
  emit(EventKind::cache_insert, k);
  auto sh = shadows_.empty() ? shadows_.end() : shadows_.find(k);
  if (sh == shadows_.end()) {
    policy_->insert(s);
  } else {
    ++stats_.refaults;
    const std::uint64_t shadow = sh->second;
    shadows_.erase(sh);
    policy_->insert_refault(s, shadow);
  }
  return s;
}

void PageCache::set_writeback(Entry& e) {
  if (e.mapcount > 0 && rmap_) rmap_->mkclean(e.key);  // folio_clear_dirty_for_io
  if (e.dirty) {
    e.dirty = false;
    --dirty_;
  }
  if (!e.writeback) {
    e.writeback = true;
    ++writeback_;
  }
}

bool PageCache::reclaim_one() { return make_room(); }

// shrink_inactive_list: isolate_lru_folios takes up to SWAP_CLUSTER_MAX pages; after
// shrink_folio_list, `if (stat.nr_unqueued_dirty == nr_taken) wakeup_flusher_threads`.
void PageCache::note_taken(const Entry& e) {
  ++batch_taken_;
  if (e.dirty && !e.writeback) ++batch_unqueued_dirty_;
  if (batch_taken_ == LinuxPolicy::kSwapClusterMax) end_batch();
}

void PageCache::end_batch() {
  if (batch_taken_ > 0 && batch_unqueued_dirty_ == batch_taken_) {
    flusher_wakeup_ = true;
    ++stats_.flusher_wakeups;
  }
  batch_taken_ = batch_unqueued_dirty_ = 0;
}

// shrink_folio_list, one page at a time until one is freed.
bool PageCache::make_room() {
  policy_->age_active();
  if (++scan_ == 0) scan_ = 1;
  // Each page may be looked at twice before we give up: bounded even when all are pinned.
  std::uint64_t budget = 2 * index_.size() + 2;
  while (budget-- > 0) {
    Slot s = policy_->victim();
    if (s == kNoSlot) break;
    Entry& e = entries_[s];
    if (e.reclaim && e.marked_in == scan_) break;  // round again to a page this scan marked: nothing left
    note_taken(e);
    if (e.refcount > 0) {
      ++stats_.rotations;
      emit(EventKind::rotate, e.key);
      policy_->rotate(s);
      continue;
    }
    // folio_test_writeback, case 2 (global reclaim): folio_set_reclaim, activate_locked.
    if (e.writeback) {
      mark_for_reclaim(s, e);
      continue;
    }
    if (e.mapcount > 0 && check_mapped(s, e) == Verdict::next) continue;
    // folio_test_dirty on a file folio, not kswapd with PGDAT_DIRTY: no pageout(),
    // NR_VMSCAN_IMMEDIATE, folio_set_reclaim, activate_locked; the flusher writes it.
    if (e.dirty) {
      mark_for_reclaim(s, e);
      continue;
    }
    evict(s, e);
    return true;
  }
  end_batch();
  if (dirty_ > 0 && !flusher_wakeup_) {
    flusher_wakeup_ = true;
    ++stats_.flusher_wakeups;
  }
  return false;
}

void PageCache::mark_for_reclaim(Slot s, Entry& e) {
  e.reclaim = true;
  e.marked_in = scan_;
  ++stats_.reclaim_marked;
  emit(EventKind::reclaim_marked, e.key);
  policy_->activate(s);
}

bool PageCache::marked_for_reclaim(PageKey k) const {
  const Entry* e = find(k);
  return e && e->reclaim;
}

// mm/vmscan.c folio_check_references, then try_to_unmap (mm/rmap.c) for a page
// that may go. Without a walker a mapped page cannot be unmapped: it stays.
PageCache::Verdict PageCache::check_mapped(Slot s, Entry& e) {
  if (!rmap_) {
    ++stats_.rotations;
    policy_->rotate(s);
    return Verdict::next;
  }
  const int ptes = rmap_->referenced(e.key);
  const bool referenced_folio = policy_->test_clear_referenced(s);
  if (ptes > 0) {
    policy_->set_referenced(s);
    if (referenced_folio || ptes > 1) {
      policy_->activate(s);  // FOLIOREF_ACTIVATE
    } else {
      ++stats_.rotations;  // FOLIOREF_KEEP: one more trip round the inactive list
      emit(EventKind::rotate, e.key);
      policy_->rotate(s);
    }
    return Verdict::next;
  }
  ++stats_.unmapped;
  rmap_->unmap(e.key);
  if (e.mapcount > 0) {  // the walker could not remove every PTE
    ++stats_.rotations;
    policy_->rotate(s);
    return Verdict::next;
  }
  return Verdict::evict;
}

void PageCache::evict(Slot s, Entry& e) {
  split_folio(e);
  ++progress_;
  ++stats_.evictions;
  emit(EventKind::evict, e.key);  // before it goes: a listener may still look at it
  const std::uint64_t shadow = policy_->eviction_shadow(s);
  policy_->remove(s);
  if (shadow != kNoShadow) {
    shadows_[e.key] = shadow;
    shadow_order_.emplace_back(e.key, shadow);
    forget_old_shadows();
  }
  index_.erase(e.key);
  free_.push_back(s);
}

void PageCache::forget_old_shadows() {
  while (shadow_order_.size() > 2 * params_.capacity_pages) {
    auto [k, v] = shadow_order_.front();
    shadow_order_.pop_front();
    auto it = shadows_.find(k);
    if (it != shadows_.end() && it->second == v) shadows_.erase(it);
  }
}

FolioSpan PageCache::folio_of(PageKey k) const {
  const Entry* e = find(k);
  if (!e) return {k.index, 0};
  const std::uint64_t n = std::uint64_t(1) << e->order;
  return {k.index & ~(n - 1), e->order};
}

bool PageCache::set_folio(FileId file, FolioSpan f) {
  for (std::uint64_t p = f.first; p < f.end(); ++p)
    if (!contains({file, p})) return false;
  for (std::uint64_t p = f.first; p < f.end(); ++p) find({file, p})->order = std::uint8_t(f.order);
  return true;
}

void PageCache::split_folio(const Entry& e) {
  if (e.order == 0) return;
  const FolioSpan f = folio_of(e.key);
  for (std::uint64_t p = f.first; p < f.end(); ++p)
    if (Entry* o = find({e.key.file, p})) o->order = 0;
}

void PageCache::map(PageKey k) {
  if (Entry* e = find(k)) ++e->mapcount;
}

void PageCache::unmap(PageKey k) {
  if (Entry* e = find(k); e && e->mapcount > 0) {
    --e->mapcount;
    ++progress_;
  }
}

std::uint32_t PageCache::mapcount(PageKey k) const {
  const Entry* e = find(k);
  return e ? e->mapcount : 0;
}

void PageCache::get(PageKey k) {
  if (Entry* e = find(k)) {
    if (e->refcount++ == 0) ++pinned_;
    emit(EventKind::page_get, k);
  }
}

void PageCache::put(PageKey k) {
  if (Entry* e = find(k); e && e->refcount > 0) {
    if (--e->refcount == 0) {
      --pinned_;
      ++progress_;
    }
    emit(EventKind::page_put, k);
  } else if (e) {
    ++stats_.put_underflows;  // folio_put() of a free folio: the kernel would warn (VM_BUG_ON)
  }
}

std::uint32_t PageCache::refcount(PageKey k) const {
  const Entry* e = find(k);
  return e ? e->refcount : 0;
}

bool PageCache::mark_dirty(PageKey k, std::uint64_t stamp) {
  Entry* e = find(k);
  if (!e || e->dirty) return false;
  e->dirty = true;
  e->dirtied = stamp;
  ++dirty_;
  // Keep the record list bounded: drop stale records when it outgrows the cache.
  if (dirty_order_.size() > 2 * index_.size() + 64) {
    std::deque<DirtyRecord> kept;
    for (const auto& r : dirty_order_)
      if (fresh(r)) kept.push_back(r);
    dirty_order_.swap(kept);
  }
  dirty_order_.push_back({k, stamp});
  return true;
}

bool PageCache::fresh(const DirtyRecord& r) const {
  const Entry* e = find(r.key);
  return e && e->dirty && e->dirtied == r.stamp;
}

bool PageCache::is_dirty(PageKey k) const {
  const Entry* e = find(k);
  return e && e->dirty;
}

bool PageCache::under_writeback(PageKey k) const {
  const Entry* e = find(k);
  return e && e->writeback;
}

std::uint64_t PageCache::oldest_dirty_stamp() {
  while (!dirty_order_.empty() && !fresh(dirty_order_.front())) dirty_order_.pop_front();
  return dirty_order_.empty() ? ~0ULL : dirty_order_.front().stamp;
}

std::vector<PageKey> PageCache::start_writeback_oldest(std::size_t max, std::uint64_t dirtied_before) {
  std::vector<PageKey> out;
  std::size_t skipped = 0;
  while (out.size() < max && !dirty_order_.empty()) {
    const DirtyRecord r = dirty_order_.front();
    if (!fresh(r)) {
      dirty_order_.pop_front();
      continue;
    }
    if (r.stamp >= dirtied_before) break;
    dirty_order_.pop_front();
    Entry& e = *find(r.key);
    if (e.writeback) {  // re-dirtied while being written: its turn comes after that write
      dirty_order_.push_back(r);
      if (++skipped > dirty_order_.size()) break;
      continue;
    }
    set_writeback(e);
    out.push_back(r.key);
  }
  return out;
}

bool PageCache::start_writeback(PageKey k) {
  Entry* e = find(k);
  if (!e || !e->dirty || e->writeback) return false;
  set_writeback(*e);
  return true;
}

// folio_end_writeback: `if (folio_test_reclaim(folio)) { folio_clear_reclaim(folio);
// folio_rotate_reclaimable(folio); }`, which leaves a dirty folio where it is.
bool PageCache::end_writeback(PageKey k) {
  Slot s = index_.find(k);
  if (s == PageCacheIndex::kNone) return false;
  Entry& e = entries_[s];
  if (!e.writeback) return false;
  e.writeback = false;
  --writeback_;
  ++progress_;
  if (!e.reclaim) return false;
  e.reclaim = false;
  if (e.dirty) return false;
  policy_->rotate_reclaimable(s);
  ++stats_.rotated_reclaimable;
  emit(EventKind::reclaim_rotate, k);
  return true;
}

bool PageCache::remove(PageKey k) {
  Slot s = index_.find(k);
  if (s == PageCacheIndex::kNone) return true;
  Entry& e = entries_[s];
  if (e.refcount > 0 || e.mapcount > 0 || e.dirty || e.writeback) return false;
  split_folio(e);
  policy_->remove(s);
  index_.erase(k);
  free_.push_back(s);
  ++stats_.dropped;
  ++progress_;
  return true;
}

LruList PageCache::list_of(PageKey k) const {
  Slot s = index_.find(k);
  return s == PageCacheIndex::kNone ? LruList::none : policy_->list_of(s);
}

std::vector<PageKey> PageCache::order(LruList l) const {
  std::vector<PageKey> out;
  for (Slot s : policy_->order(l)) out.push_back(entries_[s].key);
  return out;
}

void PageCache::on_activate(Slot s) {
  ++stats_.activations;
  emit(EventKind::activate, entries_[s].key);
}

void PageCache::on_deactivate(Slot s) {
  ++stats_.deactivations;
  emit(EventKind::deactivate, entries_[s].key);
}

}  // namespace kiosim
