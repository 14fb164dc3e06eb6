#include "model/page_cache.h"

namespace kiosim {

PageCache::PageCache(PageCacheParams params, EventSink* sink)
    : params_(params), sink_(sink), policy_(make_policy(params.policy, this)) {
  if (params_.capacity_pages == 0) params_.capacity_pages = 1;
}

PageCache::Entry* PageCache::find(PageKey k) {
  auto it = index_.find(k);
  return it == index_.end() ? nullptr : &entries_[it->second];
}
const PageCache::Entry* PageCache::find(PageKey k) const {
  auto it = index_.find(k);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

bool PageCache::lookup(PageKey k) {
  auto it = index_.find(k);
  if (it == index_.end()) {
    ++stats_.misses;
    emit(EventKind::cache_miss, k);
    return false;
  }
  ++stats_.hits;
  emit(EventKind::cache_hit, k);
  policy_->touch(it->second);
  return true;
}

PageCache::Insert PageCache::insert(PageKey k) {
  if (index_.count(k)) return Insert::already_cached;
  if (index_.size() >= params_.capacity_pages && !make_room()) {
    ++stats_.stalls;
    return Insert::no_room;
  }
  Slot s;
  if (!free_.empty()) {
    s = free_.back();
    free_.pop_back();
  } else {
    s = Slot(entries_.size());
    entries_.emplace_back();
  }
  entries_[s] = Entry{k, 0, false, false, true};
  index_.emplace(k, s);
  ++stats_.inserts;
  emit(EventKind::cache_insert, k);
  policy_->insert(s);
  return Insert::inserted;
}

bool PageCache::make_room() {
  // Each page may be looked at twice before we give up: bounded even when all are pinned.
  std::uint64_t budget = 2 * index_.size() + 2;
  while (budget-- > 0) {
    Slot s = policy_->victim();
    if (s == kNoSlot) return false;
    Entry& e = entries_[s];
    if (e.refcount > 0) {
      ++stats_.rotations;
      emit(EventKind::rotate, e.key);
      policy_->rotate(s);
      continue;
    }
    if (e.dirty || e.writeback) {
      if (!e.writeback) {
        e.writeback = true;
        writeback_queue_.push_back(e.key);
        ++stats_.writeback_queued;
        emit(EventKind::writeback_queued, e.key);
      }
      policy_->rotate(s);
      continue;
    }
    policy_->remove(s);
    index_.erase(e.key);
    e.used = false;
    free_.push_back(s);
    ++stats_.evictions;
    emit(EventKind::evict, e.key);
    return true;
  }
  return false;
}

void PageCache::get(PageKey k) {
  if (Entry* e = find(k)) {
    ++e->refcount;
    emit(EventKind::page_get, k);
  }
}

void PageCache::put(PageKey k) {
  if (Entry* e = find(k); e && e->refcount > 0) {
    --e->refcount;
    emit(EventKind::page_put, k);
  }
}

std::uint32_t PageCache::refcount(PageKey k) const {
  const Entry* e = find(k);
  return e ? e->refcount : 0;
}

void PageCache::mark_dirty(PageKey k) {
  if (Entry* e = find(k)) e->dirty = true;
}

void PageCache::writeback_done(PageKey k) {
  if (Entry* e = find(k)) e->dirty = e->writeback = false;
}

bool PageCache::is_dirty(PageKey k) const {
  const Entry* e = find(k);
  return e && e->dirty;
}

std::vector<PageKey> PageCache::take_writeback_queue() {
  std::vector<PageKey> out;
  out.swap(writeback_queue_);
  return out;
}

bool PageCache::remove(PageKey k) {
  auto it = index_.find(k);
  if (it == index_.end()) return true;
  Entry& e = entries_[it->second];
  if (e.refcount > 0 || e.dirty || e.writeback) return false;
  policy_->remove(it->second);
  e.used = false;
  free_.push_back(it->second);
  index_.erase(it);
  return true;
}

LruList PageCache::list_of(PageKey k) const {
  auto it = index_.find(k);
  return it == index_.end() ? LruList::none : policy_->list_of(it->second);
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
