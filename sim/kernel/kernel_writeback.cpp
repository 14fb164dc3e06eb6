// Dirty pages and writeback (mm/page-writeback.c, fs/fs-writeback.c):
//  - write() dirties pages and returns (dirtied);
//  - the flusher kernel thread (wb_workfn -> wb_writeback) writes dirty pages back,
//    oldest first, while more than dirty_background_ratio of the cache is dirty
//    (background writeback), and any page dirty for longer than dirty_expire
//    (kupdate-style writeback, checked every writeback_interval);
//  - a writer that leaves more than dirty_ratio of the cache dirty or under
//    writeback is throttled (balance_dirty_pages): it sleeps until writeback has
//    brought the total back under the limit. The sleep is a voluntary context
//    switch and counts as dirty_throttle_ns.
// Simplified: global thresholds (no per-device bandwidth estimate, no pause
// curve: Linux sleeps in pauses of up to 200 ms sized to the disk's speed; kiosim
// wakes the writer at the first write completion that brings it under the limit),
// one flusher for the one disk. Writeback is charged to the process that last
// dirtied the file (as cgroup writeback charges an inode's owner).
#include <algorithm>

#include "sim/kernel/kernel.h"
#include "sim/kernel/kernel_internal.h"

namespace kiosim {

std::uint64_t Kernel::dirty_background_pages() const {
  return cache_.capacity() * m_.dirty_background_ratio / 100;
}

std::uint64_t Kernel::dirty_limit_pages() const {
  return std::max<std::uint64_t>(1, cache_.capacity() * m_.dirty_ratio / 100);
}

void Kernel::dirtied(Thread& t, PageKey k) {
  if (!cache_.mark_dirty(k, std::uint64_t(engine_.now_ns()))) return;
  if (!t.setup && k.file < file_dirtier_.size()) file_dirtier_[k.file] = t.proc;
  if (cache_.dirty_pages() == 1) timer_wake_->notify_all();  // the first dirty page arms the timer
}

void Kernel::balance_dirty_pages(Thread& t) {
  if (t.setup) return;
  if (cache_.dirty_pages() > dirty_background_pages()) flusher_wake_->notify_all();
  const std::uint64_t limit = dirty_limit_pages();
  auto under = [&] { return cache_.dirty_pages() + cache_.writeback_pages() <= limit; };
  if (under()) return;
  flusher_wake_->notify_all();
  const double t0 = engine_.now_ns();
  block(t, TimeCat::throttle, *cache_room_, under, "dirty throttling (balance_dirty_pages)");
  count(t, &Counters::dirty_throttle_ns, std::uint64_t(engine_.now_ns() - t0 + 0.5));
}

std::vector<std::shared_ptr<Kernel::DiskRequest>> Kernel::submit_writeback(std::vector<PageKey> pages, Process* p,
                                                                            std::uint64_t req_id) {
  std::sort(pages.begin(), pages.end(), [](PageKey a, PageKey b) {
    return a.file != b.file ? a.file < b.file : a.index < b.index;
  });
  const std::uint64_t chunk = std::max<std::uint64_t>(1, m_.writeback_chunk_bytes / kPageSize);
  std::vector<std::shared_ptr<DiskRequest>> out;
  for (std::size_t i = 0; i < pages.size();) {
    std::size_t j = i + 1;
    while (j < pages.size() && j - i < chunk && pages[j].file == pages[i].file &&
           pages[j].index == pages[j - 1].index + 1)
      ++j;
    auto r = disk_request(pages[i].file, {pages[i].index, std::uint64_t(j - i)}, true, req_id, p);
    submit(r);
    out.push_back(r);
    i = j;
  }
  return out;
}

bool Kernel::flusher_has_work() {
  if (cache_.dirty_pages() == 0) return false;
  if (cache_.dirty_pages() > dirty_background_pages()) return true;
  std::uint64_t oldest = cache_.oldest_dirty_stamp();
  return oldest != ~0ULL && double(oldest) + m_.dirty_expire_ns <= engine_.now_ns();
}

void Kernel::flusher_actor() {
  const std::uint64_t chunk = std::max<std::uint64_t>(1, m_.writeback_chunk_bytes / kPageSize);
  for (;;) {
    while (!flusher_has_work()) flusher_wake_->wait();
    const bool background = cache_.dirty_pages() > dirty_background_pages();
    const double now = engine_.now_ns();
    const std::uint64_t before =
        background ? ~0ULL : std::uint64_t(std::max(0.0, now - m_.dirty_expire_ns)) + 1;
    auto pages = cache_.start_writeback_oldest(chunk, before);
    if (pages.empty()) {  // every dirty page is being written already: wait for a change
      flusher_wake_->wait();
      continue;
    }
    // Charge the writeback to the process that dirtied the file.
    Process* p = pages.front().file < file_dirtier_.size() ? file_dirtier_[pages.front().file] : nullptr;
    const std::uint64_t n = pages.size();
    const FileId file = pages.front().file;
    const std::uint64_t first = pages.front().index;
    count(p, &Counters::writeback_pages, n);
    const std::uint64_t req_id = next_req_++;
    auto reqs = submit_writeback(std::move(pages), p, req_id);
    for (auto& r : reqs)
      while (!r->done) r->waiters->wait();
    if (trace_.enabled()) {
      if (!flusher_lane_) flusher_lane_ = trace_.add_lane("flusher", LaneKind::kernel);
      TraceEvent e = device_event(flusher_lane_, EventKind::writeback, now);
      e.from = Place::page_cache;
      e.to = Place::disk;
      e.bytes = n * kPageSize;
      e.pages = n;
      e.req = req_id;
      e.file = file;
      e.page = std::int64_t(first);
      e.name = background ? "background writeback" : "expired pages";
      trace_.add(e);
    }
    cache_room_->notify_all();
  }
}

// The flusher's periodic wake-up (dirty_writeback_interval). It only ticks while
// some page is dirty, so a simulation with nothing to write can end (and a
// deadlock is still seen as one).
void Kernel::writeback_timer_actor() {
  for (;;) {
    while (cache_.dirty_pages() == 0) timer_wake_->wait();
    engine_.sleep_ns(m_.writeback_interval_ns);
    flusher_wake_->notify_all();
  }
}

}  // namespace kiosim
