#include "sim/kernel/filemap.h"

#include "sim/kernel/invariants.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

namespace kiosim {

Filemap::Filemap(Accounting& acct, BlockDevice& disk, const std::vector<FileSpec>& files)
    : acct_(acct),
      disk_(disk),
      files_(files),
      cache_(acct.machine().page_cache, this),
      changed_(std::make_unique<WaitQueue>(acct.engine())) {
  // Files marked cached start with every page in the cache (in file order, all
  // inactive), in the folios that writing them in 1 MiB writes makes (as real mode
  // creates its files: sim/host/runner.cpp).
  for (FileId f = 0; f < files_.size(); ++f) {
    if (!files_[f].cached) continue;
    std::uint64_t n = pages_spanned(0, files_[f].size);
    for (std::uint64_t i = 0; i < n; ++i) cache_.insert({f, i});
    constexpr std::uint64_t kWrite = 1 << 20;
    for (std::uint64_t off = 0; off < files_[f].size; off += kWrite) {
      const std::uint64_t len = std::min(kWrite, files_[f].size - off);
      const std::uint64_t lo = first_page(off), hi = lo + pages_spanned(off, len);
      form_write_folios(f, off, len, [&](std::uint64_t i) { return i >= lo && i < hi; });
    }
  }
}

// __alloc_pages_slowpath: wake kswapd below the low watermark, then reclaim directly
// (try_to_free_pages) when the cache is full. Reclaim writes nothing; when it frees
// nothing, the thread is throttled until a page may have become reclaimable.
bool Filemap::insert_page(Thread& t, PageKey k, bool readahead) {
  for (;;) {
    acct_.set_current(&t);  // reclaim's events are this thread's, also after it slept
    if (!t.setup && hooks_.allocating && !cache_.contains(k)) hooks_.allocating(t);
    auto r = cache_.insert(k, readahead);
    wake_flusher_if_asked();
    if (r != PageCache::Insert::no_room) return r == PageCache::Insert::inserted;
    if (t.setup) return false;  // setup never waits
    reclaim_throttle(t);
  }
}

// mm/vmscan.c consider_reclaim_throttle -> reclaim_throttle(VMSCAN_THROTTLE_NOPROGRESS):
// the thread sleeps one jiffy (timeout = 1; HZ 1000 here) and tries again, unless
// skip_throttle_noprogress: it is throttled only while dirty and writeback pages are
// more than half of what could be reclaimed (2 * write_pending > reclaimable).
// kiosim sleeps until something may have become reclaimable (a writeback ends, a
// reference or a mapping goes) and then to the end of that jiffy: when Linux's
// one-jiffy retries would first find it. A cache full of pinned pages is not
// throttling: Linux retries at once (and, in the end, OOMs); the thread waits for a
// reference to go.
void Filemap::reclaim_throttle(Thread& t) {
  const std::uint64_t seen = cache_.reclaim_progress();
  auto progress = [&] { return cache_.reclaim_progress() != seen; };
  const std::uint64_t write_pending = cache_.dirty_pages() + cache_.writeback_pages();
  if (2 * write_pending <= cache_.size()) {
    acct_.block(t, TimeCat::disk, *changed_, progress, "page cache full of pinned pages");
    return;
  }
  acct_.flush_cpu(t);
  const double t0 = acct_.now();
  acct_.count(t, &Counters::context_switches_voluntary, 1);
  t.waiting_for = std::string(schema::note::reclaim_throttle);
  while (!progress()) changed_->wait();
  constexpr double kJiffy = 1e6;
  const double slept = acct_.now() - t0;
  const double jiffies = std::max(1.0, std::ceil(slept / kJiffy));
  acct_.engine().sleep_ns(jiffies * kJiffy - slept + acct_.machine().cpu.wakeup_ns);
  t.waiting_for.clear();
  const double waited = acct_.now() - t0;
  t.time[std::size_t(TimeCat::throttle)] += waited;
  acct_.count(t, &Counters::reclaim_throttled, 1);
  acct_.count(t, &Counters::reclaim_throttle_ns, std::uint64_t(waited + 0.5));
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(waited);
  e.kind = EventKind::block;
  e.name = std::string(schema::note::reclaim_throttle);
  e.pages = write_pending;
  acct_.trace(t, e);
  acct_.switched_in(t, TimeCat::throttle, waited);
}

void Filemap::read_into_cache(Thread& t, FileId file, PageRange r, bool wait, bool readahead, unsigned order) {
  std::vector<DiskRequestPtr> issued;
  std::uint64_t i = r.start;
  while (i < r.end()) {
    if (cache_.contains({file, i})) {
      ++i;
      continue;
    }
    // One request per contiguous run of missing pages.
    std::uint64_t j = i;
    while (j < r.end() && !cache_.contains({file, j})) ++j;
    PageRange run{i, 0};
    for (std::uint64_t p = i; p < j; ++p) {
      // Not used yet: the reader's mark after the read is the page's first use.
      if (!insert_page(t, {file, p}, !t.setup)) break;
      if (!t.setup) cache_.get({file, p});  // locked for I/O: reclaim must not take it
      ++run.count;
    }
    if (order > 0)
      for (const FolioSpan& fo : readahead_folios(run.start, run.end(), order))
        if (fo.order > 0) cache_.set_folio(file, fo);
    if (run.count && !t.setup) {
      auto req = disk_.request(file, run, false, t.req, t.proc);
      req->readahead = readahead;
      for (std::uint64_t p = run.start; p < run.end(); ++p) inflight_[{file, p}] = req;
      // read_pages: a plug around ->readahead (ext4_mpage_readpages), whose bios take up to
      // BIO_MAX_VECS folios each; each is split at max_sectors_kb, and the pieces merge in the plug.
      // Inside an io_uring submission's plug it is that one (blk_start_plug nests).
      BlockDevice::Plug plug(disk_, false, &t);
      for (const BioSpan& bio : readahead_bios(readahead_folios(run.start, run.end(), order)))
        plug.add(req, {bio.first, bio.pages});
      plug.finish();
      issued.push_back(req);
    }
    i = std::max(j, i + 1);
  }
  if (!wait) return;
  for (auto& req : issued) disk_.wait(t, req, "disk read");
}

void Filemap::wait_for_pages(Thread& t, FileId file, std::uint64_t first, std::uint64_t n) {
  if (inflight_.empty()) return;  // the common, warm case: nothing is being read
  for (std::uint64_t p = first; p < first + n; ++p) {
    auto it = inflight_.find({file, p});
    if (it == inflight_.end()) continue;
    auto req = it->second;
    disk_.wait(t, req, "disk read");
  }
}

void Filemap::fill_pages(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n) {
  request_pages(t, f, first, n, true);
  wait_for_pages(t, f.file, first, n);
}

void Filemap::mark_read(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes) {
  if (t.setup || bytes == 0) return;
  const std::uint64_t first = first_page(pos), n = pages_spanned(pos, bytes);
  const bool same_folio = f.prev_pos != 0 && (f.prev_pos - 1) / kPageSize == first;
  for (std::uint64_t p = first; p < first + n; ++p)
    if (p != first || !same_folio) cache_.mark_accessed({f.file, p});
  f.prev_pos = pos + bytes;
}

void Filemap::trace_readahead(Thread& t, FileId file, std::uint64_t page, std::uint64_t pages, const char* why) {
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = EventKind::readahead;
  e.file = file;
  e.page = std::int64_t(page);
  e.pages = pages;
  e.name = why;
  acct_.trace(t, e);
}

// Lookups of every page, then readahead: synchronous from the first miss
// (page_cache_sync_readahead), or asynchronous at the marked page (page_cache_async_ra).
void Filemap::request_pages(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n, bool wait_for_miss) {
  const std::uint64_t file_pages = pages_spanned(0, files_[f.file].size);
  std::optional<std::uint64_t> first_miss;
  for (std::uint64_t p = first; p < first + n; ++p) {
    acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.page_lookup_ns);
    bool hit = t.setup ? cache_.contains({f.file, p}) : cache_.lookup({f.file, p}, false);  // marked by mark_read
    acct_.count(t, hit ? &Counters::page_cache_hits : &Counters::page_cache_misses, 1);
    if (!hit && !first_miss) first_miss = p;
  }
  if (first_miss) {
    PageRange r = f.ra.on_miss(*first_miss, first + n - *first_miss, file_pages);
    std::uint64_t beyond = r.end() > first + n ? r.end() - (first + n) : 0;
    acct_.count(t, &Counters::readahead_pages, beyond);
    if (beyond && !t.setup) trace_readahead(t, f.file, first + n, beyond, "sync");
    if (!f.ra.off()) return read_into_cache(t, f.file, r, wait_for_miss, false, f.ra.folio_order(max_folio_order()));
    // Readahead off: page_cache_sync_ra reads req_count = 1 page, and filemap_read
    // comes back for the next: one I/O per page, each waited for in turn.
    for (std::uint64_t p = r.start; p < r.end(); ++p) read_into_cache(t, f.file, {p, 1}, wait_for_miss, false);
    return;
  }
  PageRange r = f.ra.on_hit(first, n, file_pages);
  if (r.empty()) return;
  std::uint64_t missing = 0;
  for (std::uint64_t p = r.start; p < r.end(); ++p) missing += !cache_.contains({f.file, p});
  acct_.count(t, &Counters::readahead_pages, missing);
  if (missing && !t.setup) trace_readahead(t, f.file, r.start, missing, "async");
  read_into_cache(t, f.file, r, false, true, f.ra.folio_order(max_folio_order()));
}

void Filemap::disk_done(const DiskRequest& r) {
  for (std::uint64_t i = 0; !r.direct && !r.journal && i < r.pages.count; ++i) {
    PageKey k{r.file, r.pages.start + i};
    if (r.write) {
      cache_.end_writeback(k);  // folio_end_writeback: a PG_reclaim page rotates (record)
    } else {
      inflight_.erase(k);
      cache_.put(k);
    }
  }
}

void Filemap::record(const ModelEvent& e) {
  if (e.kind == EventKind::reclaim_rotate) {  // at a disk write's interrupt: on the disk lane
    if (acct_.tracing()) {
      TraceEvent te = acct_.device_event(disk_.lane(), e.kind, acct_.now(), 0);
      te.file = e.page.file;
      te.page = std::int64_t(e.page.index);
      te.pages = 1;
      acct_.trace_device(te);
    }
    return;
  }
  Thread* t = acct_.current();
  Process* p = in_kswapd_ ? bg_charge_ : t && !t->setup ? t->proc : nullptr;
  switch (e.kind) {
    case EventKind::activate: Accounting::count(p, &Counters::activations, 1); break;
    case EventKind::deactivate: Accounting::count(p, &Counters::deactivations, 1); break;
    case EventKind::evict:
      // MODEL.md section 3: a page held by a pipe, an skb or a DMA is never evicted, nor
      // one not yet written (sim/kernel/invariants.h).
      if (auto problem = eviction_problem(cache_, e.page); !problem.empty())
        throw std::logic_error("kiosim: a model invariant is broken: " + problem);
      Accounting::count(p, &Counters::evictions, 1);
      if (in_kswapd_) Accounting::count(p, &Counters::kswapd_evictions, 1);
      break;
    case EventKind::reclaim_marked: Accounting::count(p, &Counters::reclaim_marked, 1); break;
    case EventKind::cache_insert:
    case EventKind::rotate:
      break;
    default:
      return;  // hits, misses and references are counted where they happen
  }
  if (in_kswapd_) {
    if (!p || !acct_.tracing() || !bg_lane_) return;
    TraceEvent te = acct_.device_event(bg_lane_, e.kind, acct_.now(), 0);
    te.file = e.page.file;
    te.page = std::int64_t(e.page.index);
    te.pages = 1;
    acct_.trace_device(te);
    return;
  }
  if (!t || t->setup || !acct_.tracing()) return;
  TraceEvent te;
  te.t_ns = std::int64_t(acct_.now());
  te.kind = e.kind;
  te.file = e.page.file;
  te.page = std::int64_t(e.page.index);
  te.pages = 1;
  acct_.trace(*t, te);
}

}  // namespace kiosim
