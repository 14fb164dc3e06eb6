#include "gui/page_lists_state.h"

#include <algorithm>

namespace kiosim::gui {

namespace {
constexpr std::int64_t kMaxPagesPerEvent = std::int64_t{1} << 20;  // a doctored trace stays cheap

bool named(const RunTrace& run, const Event& e, std::string_view note) {
  return run.nameOf(e).startsWith(QLatin1String(note.data(), static_cast<qsizetype>(note.size())));
}
constexpr std::string_view kDirtyThrottle = "dirty throttling (balance_dirty_pages)";  // sim/kernel/writeback.cpp
}  // namespace

bool PageListsState::onActive(CachedPage p) const {
  const auto it = where_.find(key(p));
  return it != where_.end() && it->second.active;
}

void PageListsState::remove(CachedPage p) {
  const auto it = where_.find(key(p));
  if (it == where_.end()) return;
  (it->second.active ? active_ : inactive_).erase(it->second.it);
  where_.erase(it);
}

void PageListsState::toHead(CachedPage p, bool active, bool tail) {
  remove(p);
  auto& list = active ? active_ : inactive_;
  const auto it = tail ? list.insert(list.end(), p) : list.insert(list.begin(), p);
  where_[key(p)] = {active, it};
  moved_.push_back(p);
}

void PageListsState::forPages(const Event& e, auto&& fn) {
  if (e.page < 0) return;
  const std::int64_t n = std::clamp<std::int64_t>(static_cast<std::int64_t>(e.pages), 1, kMaxPagesPerEvent);
  for (std::int64_t p = e.page; p < e.page + n; ++p) fn(CachedPage{e.file, p});
}

void PageListsState::apply(const Event& e, std::size_t index, const RunTrace& run) {
  ++applied_;
  if (e.observed) return;  // the kernel's own events (kernel_lanes.h)
  throttled_.erase(std::remove_if(throttled_.begin(), throttled_.end(), [&](const Throttle& t) { return t.end <= e.t; }),
                   throttled_.end());
  auto touches = [&] {
    if (movedAt_ != index) moved_.clear();
    movedAt_ = index;
  };
  switch (e.kind) {
    case Kind::cache_insert:
      touches();
      {
        const bool written = e.bytes > 0 && e.to == Place::page_cache && e.lane < run.lanes.size() &&
                             run.lanes[e.lane].kind == LaneKind::user;
        forPages(e, [&](CachedPage p) {
          if (!cached(p)) toHead(p, false);
          if (written) dirty_.insert(key(p));
        });
      }
      return;
    case Kind::activate:
      touches();
      forPages(e, [&](CachedPage p) {
        if (!cached(p) || onActive(p)) ++mismatches_;
        toHead(p, true);
        ++activations_;
      });
      return;
    case Kind::deactivate:
      touches();
      forPages(e, [&](CachedPage p) {
        if (!onActive(p)) ++mismatches_;
        toHead(p, false);
        ++deactivations_;
      });
      return;
    case Kind::rotate:
      touches();
      forPages(e, [&](CachedPage p) {
        if (!cached(p)) ++mismatches_;
        toHead(p, onActive(p));
      });
      return;
    case Kind::reclaim_marked:  // the activation that follows (activate_locked) is an `activate` of its own
      forPages(e, [&](CachedPage p) {
        if (!cached(p)) ++mismatches_;
        reclaim_.insert(key(p));
      });
      return;
    case Kind::reclaim_rotate:
      touches();
      forPages(e, [&](CachedPage p) {
        if (!cached(p)) ++mismatches_;
        reclaim_.erase(key(p));
        toHead(p, false, true);
      });
      return;
    case Kind::evict: {
      touches();
      const bool dropped = named(run, e, schema::note::fadvise_dontneed);
      forPages(e, [&](CachedPage p) {
        if (!cached(p)) ++mismatches_;
        remove(p);
        writeback_.erase(key(p));
        reclaim_.erase(key(p));
        dirty_.erase(key(p));
        moved_.push_back(p);
        if (!dropped) ++evictions_;
      });
      return;
    }
    case Kind::writeback_start: forPages(e, [&](CachedPage p) { writeback_.insert(key(p)); }); return;
    case Kind::writeback:
      if (!named(run, e, schema::note::journal_blocks))
        forPages(e, [&](CachedPage p) {
          writeback_.erase(key(p));
          dirty_.erase(key(p));
        });
      return;
    case Kind::readahead: {
      const QString& why = run.nameOf(e);
      const bool async = why.startsWith(QLatin1String("async")), sync = why.startsWith(QLatin1String("sync"));
      readahead_ = {e.file, e.page, static_cast<std::int64_t>(e.pages), async || sync ? e.page : -1, async, index};
      readaheadPages_ += e.pages;
      return;
    }
    case Kind::block: {
      const bool reclaim = named(run, e, schema::note::reclaim_throttle);
      if (reclaim || named(run, e, kDirtyThrottle)) {
        ++throttles_;
        if (e.dur > 0) throttled_.push_back({e.lane, e.t, e.end(), reclaim});
      }
      return;
    }
    default: return;
  }
}

}  // namespace kiosim::gui
