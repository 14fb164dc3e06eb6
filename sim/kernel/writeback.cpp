#include "sim/kernel/writeback.h"

#include <algorithm>

namespace kiosim {

Writeback::Writeback(Accounting& acct, Filemap& filemap, BlockDevice& disk)
    : acct_(acct),
      filemap_(filemap),
      disk_(disk),
      flusher_wake_(std::make_unique<WaitQueue>(acct.engine())),
      timer_wake_(std::make_unique<WaitQueue>(acct.engine())),
      file_dirtier_(filemap.file_count(), nullptr) {}

std::uint64_t Writeback::background_pages() const {
  return filemap_.cache().capacity() * acct_.machine().dirty_background_ratio / 100;
}

std::uint64_t Writeback::limit_pages() const {
  return std::max<std::uint64_t>(1, filemap_.cache().capacity() * acct_.machine().dirty_ratio / 100);
}

void Writeback::dirtied(Thread& t, PageKey k) {
  PageCache& cache = filemap_.cache();
  if (!cache.mark_dirty(k, std::uint64_t(acct_.now()))) return;
  if (!t.setup && k.file < file_dirtier_.size()) file_dirtier_[k.file] = t.proc;
  if (cache.dirty_pages() == 1) timer_wake_->notify_all();  // the first dirty page arms the timer
}

void Writeback::balance_dirty_pages(Thread& t) {
  if (t.setup) return;
  const PageCache& cache = filemap_.cache();
  if (cache.dirty_pages() > background_pages()) flusher_wake_->notify_all();
  const std::uint64_t limit = limit_pages();
  auto under = [&] { return cache.dirty_pages() + cache.writeback_pages() <= limit; };
  if (under()) return;
  flusher_wake_->notify_all();
  const double t0 = acct_.now();
  acct_.block(t, TimeCat::throttle, filemap_.changed(), under, "dirty throttling (balance_dirty_pages)");
  acct_.count(t, &Counters::dirty_throttle_ns, std::uint64_t(acct_.now() - t0 + 0.5));
}

void Writeback::write_back_range(Thread& t, FileId f, std::uint64_t first, std::uint64_t n, bool wait) {
  std::vector<PageKey> dirty;
  for (std::uint64_t p = first; p < first + n; ++p)
    if (filemap_.cache().start_writeback({f, p})) dirty.push_back({f, p});
  if (dirty.empty() || t.setup) return;
  acct_.count(t, &Counters::writeback_pages, dirty.size());
  auto reqs = disk_.submit_page_writes(std::move(dirty), t.proc, t.req);
  if (!wait) return;
  for (auto& req : reqs) disk_.wait(t, req, "writeback");
}

bool Writeback::flusher_has_work() {
  PageCache& cache = filemap_.cache();
  if (cache.dirty_pages() == 0) return false;
  if (cache.dirty_pages() > background_pages()) return true;
  std::uint64_t oldest = cache.oldest_dirty_stamp();
  return oldest != ~0ULL && double(oldest) + acct_.machine().dirty_expire_ns <= acct_.now();
}

void Writeback::flusher_actor() {
  const Machine& m = acct_.machine();
  const std::uint64_t chunk = std::max<std::uint64_t>(1, m.writeback_chunk_bytes / kPageSize);
  for (;;) {
    while (!flusher_has_work()) flusher_wake_->wait();
    const bool background = filemap_.cache().dirty_pages() > background_pages();
    const double now = acct_.now();
    const std::uint64_t before = background ? ~0ULL : std::uint64_t(std::max(0.0, now - m.dirty_expire_ns)) + 1;
    auto pages = filemap_.cache().start_writeback_oldest(chunk, before);
    if (pages.empty()) {  // every dirty page is being written already: wait for a change
      flusher_wake_->wait();
      continue;
    }
    // Charge the writeback to the process that dirtied the file.
    Process* p = pages.front().file < file_dirtier_.size() ? file_dirtier_[pages.front().file] : nullptr;
    const std::uint64_t n = pages.size();
    const FileId file = pages.front().file;
    const std::uint64_t first = pages.front().index;
    Accounting::count(p, &Counters::writeback_pages, n);
    const std::uint64_t req_id = acct_.next_req();
    for (auto& r : disk_.submit_page_writes(std::move(pages), p, req_id)) BlockDevice::wait_kernel(r);
    if (acct_.tracing()) {
      if (!lane_) lane_ = acct_.add_lane("flusher", LaneKind::kernel);
      TraceEvent e = acct_.device_event(lane_, EventKind::writeback, now);
      e.from = Place::page_cache;
      e.to = Place::disk;
      e.bytes = n * kPageSize;
      e.pages = n;
      e.req = req_id;
      e.file = file;
      e.page = std::int64_t(first);
      e.name = background ? "background writeback" : "expired pages";
      acct_.trace_device(e);
    }
    filemap_.notify_changed();
  }
}

// It only ticks while some page is dirty, so a simulation with nothing to write can
// end (and a deadlock is still seen as one).
void Writeback::timer_actor() {
  for (;;) {
    while (filemap_.cache().dirty_pages() == 0) timer_wake_->wait();
    acct_.engine().sleep_ns(acct_.machine().writeback_interval_ns);
    flusher_wake_->notify_all();
  }
}

}  // namespace kiosim
