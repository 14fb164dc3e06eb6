#include "sim/kernel/writeback.h"

#include <algorithm>

#include <fmt/format.h>

namespace kiosim {

Writeback::Writeback(Accounting& acct, Filemap& filemap, BlockDevice& disk)
    : acct_(acct),
      filemap_(filemap),
      disk_(disk),
      flusher_wake_(std::make_unique<WaitQueue>(acct.engine())),
      timer_wake_(std::make_unique<WaitQueue>(acct.engine())),
      file_dirtier_(filemap.file_count(), nullptr) {}

// domain_dirty_limits: both thresholds are shares of the dirtyable memory (the
// cache); a background threshold at or above the limit becomes half the limit.
std::uint64_t Writeback::background_pages() const {
  const std::uint64_t bg = filemap_.cache().capacity() * acct_.machine().dirty_background_ratio / 100;
  return bg >= limit_pages() ? limit_pages() / 2 : bg;
}

std::uint64_t Writeback::limit_pages() const {
  return std::max<std::uint64_t>(1, filemap_.cache().capacity() * acct_.machine().dirty_ratio / 100);
}

std::int64_t Writeback::jiffies() const { return std::int64_t(acct_.now() / 1e6); }

void Writeback::dirtied(Thread& t, PageKey k) {
  PageCache& cache = filemap_.cache();
  if (!cache.mark_dirty(k, std::uint64_t(acct_.now()))) return;
  if (!t.setup && k.file < file_dirtier_.size()) file_dirtier_[k.file] = t.proc;
  if (cache.dirty_pages() == 1) timer_wake_->notify_all();  // the first dirty page arms the timer
  if (t.setup) return;
  ++dirtied_total_;
  // balance_dirty_pages_ratelimited: over the limit, look every 8 pages (32 KiB).
  const std::uint64_t ratelimit = dirty_exceeded_ ? std::min<std::uint64_t>(t.nr_dirtied_pause, 8) : t.nr_dirtied_pause;
  if (++t.nr_dirtied >= ratelimit) balance_dirty_pages(t);
}

void Writeback::written(std::uint64_t pages) {
  written_total_ += pages;
  // wb_update_bandwidth from the writeback side: the bandwidth, not the rate.
  if (bandwidth_.due(jiffies())) bandwidth_.update(jiffies(), dirtied_total_, written_total_, false, 0);
}

void Writeback::dirtied_by_store(Thread& t, PageKey k) {
  PageCache& cache = filemap_.cache();
  if (!cache.mark_dirty(k, std::uint64_t(acct_.now()))) return;
  if (k.file < file_dirtier_.size()) file_dirtier_[k.file] = t.proc;
  if (cache.dirty_pages() == 1) timer_wake_->notify_all();  // the first dirty page arms the timer
  ++dirtied_total_;
}

// wb_check_start_all: nr_pages = get_nr_dirty_pages(), written as WB_SYNC_NONE work.
void Writeback::wakeup_for_reclaim() {
  start_all_pages_ = std::max(start_all_pages_, filemap_.cache().dirty_pages());
  flusher_wake_->notify_all();
}

void Writeback::balance_dirty_pages(Thread& t) {
  const PageCache& cache = filemap_.cache();
  const std::uint64_t thresh = limit_pages(), bg = background_pages();
  for (;;) {
    if (cache.dirty_pages() > bg) flusher_wake_->notify_all();  // wb_start_background_writeback
    dirty::Inputs in;
    in.dirty = cache.dirty_pages() + cache.writeback_pages();
    in.thresh = thresh;
    in.bg_thresh = bg;
    in.now = jiffies();
    in.pages_dirtied = t.nr_dirtied;
    in.paused_when = t.dirty_paused_when;
    dirty_exceeded_ = in.dirty > thresh;
    if (in.dirty > dirty::freerun_ceiling(thresh, bg)) {
      flusher_wake_->notify_all();  // writeback even below the background threshold
      if (bandwidth_.due(in.now))
        bandwidth_.update(in.now, dirtied_total_, written_total_, true,
                          dirty::position_ratio(in.dirty, thresh, bg, bandwidth_.write_bw()));
    }
    in.write_bw = bandwidth_.write_bw();
    in.dirty_ratelimit = bandwidth_.dirty_ratelimit();
    const dirty::Decision d = dirty::balance(in);
    t.dirty_paused_when = d.paused_when;
    if (d.keep_count) {  // a pause under a jiffy: keep counting, look less often
      if (t.nr_dirtied_pause <= t.nr_dirtied) t.nr_dirtied_pause += t.nr_dirtied;
      return;
    }
    const std::uint64_t pages_dirtied = t.nr_dirtied;
    t.nr_dirtied = 0;
    if (d.free_run || d.pause == 0) {
      if (d.free_run) t.nr_dirtied_pause = d.nr_dirtied_pause;
      return;
    }
    pause(t, d, pages_dirtied);
    t.nr_dirtied_pause = d.nr_dirtied_pause;
    if (!d.again) return;
  }
}

// io_schedule_timeout(pause): the writer sleeps; the timer wakes it (the core's
// wake-up latency, as for any sleeper).
void Writeback::pause(Thread& t, const dirty::Decision& d, std::uint64_t pages_dirtied) {
  acct_.flush_cpu(t);
  const double t0 = acct_.now();
  acct_.count(t, &Counters::context_switches_voluntary, 1);
  t.waiting_for = "dirty throttling (balance_dirty_pages)";
  acct_.engine().sleep_ns(double(d.pause) * 1e6 + acct_.machine().cpu.wakeup_ns);
  t.waiting_for.clear();
  const double waited = acct_.now() - t0;
  t.time[std::size_t(TimeCat::throttle)] += waited;
  acct_.count(t, &Counters::dirty_throttle_ns, std::uint64_t(waited + 0.5));
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(waited);
  e.kind = EventKind::block;
  e.pages = pages_dirtied;
  e.name = fmt::format("dirty throttling (balance_dirty_pages): {} pages dirtied at {} pages/s "
                       "(position ratio {:.2f}), pause {} ms",
                       pages_dirtied, d.task_ratelimit, double(d.pos_ratio) / 1024, d.pause);
  acct_.trace(t, e);
  acct_.switched_in(t, TimeCat::throttle, waited);
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
  if (start_all_pages_ > 0 || cache.dirty_pages() > background_pages()) return true;
  std::uint64_t oldest = cache.oldest_dirty_stamp();
  return oldest != ~0ULL && double(oldest) + acct_.machine().dirty_expire_ns <= acct_.now();
}

void Writeback::flusher_actor() {
  const Machine& m = acct_.machine();
  const std::uint64_t chunk = std::max<std::uint64_t>(1, m.writeback_chunk_bytes / kPageSize);
  for (;;) {
    while (!flusher_has_work()) flusher_wake_->wait();
    const bool for_reclaim = start_all_pages_ > 0;
    const bool background = filemap_.cache().dirty_pages() > background_pages();
    const double now = acct_.now();
    const std::uint64_t before =
        for_reclaim || background ? ~0ULL : std::uint64_t(std::max(0.0, now - m.dirty_expire_ns)) + 1;
    bandwidth_.start(jiffies(), dirtied_total_, written_total_);
    Thread* served = acct_.current();
    acct_.set_current(nullptr);  // the flusher's folio_mkclean is no thread's work
    auto pages = filemap_.cache().start_writeback_oldest(
        for_reclaim ? std::min<std::uint64_t>(chunk, start_all_pages_) : chunk, before);
    acct_.set_current(served);
    start_all_pages_ -= std::min<std::uint64_t>(start_all_pages_, pages.size());
    if (pages.empty()) {  // every dirty page is being written already: wait for a change
      start_all_pages_ = 0;
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
      e.name = for_reclaim ? "reclaim woke the flusher (WB_REASON_VMSCAN)"
               : background ? "background writeback"
                            : "expired pages";
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
