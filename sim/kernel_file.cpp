// File paths: open, read, buffered write, and filling the page cache from the disk
// with readahead (mm/filemap.c filemap_read, mm/readahead.c, generic_perform_write).
#include <algorithm>

#include "sim/kernel.h"
#include "sim/kernel_internal.h"

namespace kiosim {

std::unique_ptr<OpenFile> Kernel::open(Thread& t, FileId f, std::uint64_t offset) {
  Syscall sc(*this, t, "open");
  auto of = std::make_unique<OpenFile>();
  of->file = f;
  of->pos = offset;
  of->ra = ReadaheadState(m_.readahead);
  return of;
}

void Kernel::close(Thread& t) { Syscall sc(*this, t, "close"); }

// Inserts a page, making room. When every page is pinned or dirty, dirty pages are
// written back by this thread (direct reclaim) or it waits for a reference to drop.
bool Kernel::insert_page(Thread& t, PageKey k) {
  for (;;) {
    auto r = cache_.insert(k);
    if (r != PageCache::Insert::no_room) return r == PageCache::Insert::inserted;
    auto dirty = cache_.take_writeback_queue();
    if (t.setup && dirty.empty()) return false;  // setup never waits
    if (!dirty.empty()) {
      flush_cpu(t);
      for (PageKey d : dirty) {
        auto req = std::make_shared<DiskRequest>();
        req->file = d.file;
        req->pages = {d.index, 1};
        req->write = true;
        req->req = t.req;
        req->proc = t.proc;
        req->waiters = std::make_unique<WaitQueue>(engine_);
        disk_queue_.push_back(req);
        disk_wake_->notify_all();
        count(t, &Counters::writeback_pages, 1);
        block(t, TimeCat::disk, *req->waiters, [&] { return req->done; }, "writeback (direct reclaim)");
      }
      continue;
    }
    std::uint64_t before = cache_.stats().evictions;
    block(t, TimeCat::disk, *cache_room_, [&] { return cache_.size() < cache_.capacity() || before != cache_.stats().evictions; },
          "page cache full of pinned pages");
  }
}

// Reads the pages of `r` that are neither cached nor already being read.
void Kernel::read_into_cache(Thread& t, FileId file, PageRange r, bool wait, bool readahead) {
  std::vector<std::shared_ptr<DiskRequest>> issued;
  std::uint64_t i = r.start;
  while (i < r.end()) {
    PageKey k{file, i};
    if (cache_.contains(k)) {
      ++i;
      continue;
    }
    // One request per contiguous run of missing pages.
    std::uint64_t j = i;
    while (j < r.end() && !cache_.contains({file, j})) ++j;
    PageRange run{i, 0};
    for (std::uint64_t p = i; p < j; ++p) {
      if (!insert_page(t, {file, p})) break;
      if (!t.setup) {
        cache_.get({file, p});  // locked for I/O: reclaim must not take it
      }
      ++run.count;
    }
    if (run.count && !t.setup) {
      auto req = std::make_shared<DiskRequest>();
      req->file = file;
      req->pages = run;
      req->readahead = readahead;
      req->req = t.req;
      req->proc = t.proc;
      req->waiters = std::make_unique<WaitQueue>(engine_);
      for (std::uint64_t p = run.start; p < run.end(); ++p) inflight_[{file, p}] = req;
      disk_queue_.push_back(req);
      disk_wake_->notify_all();
      issued.push_back(req);
    }
    i = std::max(j, i + 1);
  }
  if (!wait) return;
  for (auto& req : issued) block(t, TimeCat::disk, *req->waiters, [&] { return req->done; }, "disk read");
}

void Kernel::wait_for_pages(Thread& t, FileId file, std::uint64_t first, std::uint64_t n) {
  if (inflight_.empty()) return;  // the common, warm case: nothing is being read
  for (std::uint64_t p = first; p < first + n; ++p) {
    auto it = inflight_.find({file, p});
    if (it == inflight_.end()) continue;
    auto req = it->second;
    block(t, TimeCat::disk, *req->waiters, [&] { return req->done; }, "disk read");
  }
}

// filemap_read's page walk: look each page up, start readahead on a miss (or on the
// marked page), and wait for the pages this request needs.
void Kernel::fill_pages(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n) {
  const std::uint64_t file_pages = pages_spanned(0, files_[f.file].size);
  std::optional<std::uint64_t> first_miss;
  for (std::uint64_t p = first; p < first + n; ++p) {
    cpu(t, TimeCat::syscall, m_.cpu.page_lookup_ns);
    bool hit = t.setup ? cache_.contains({f.file, p}) : cache_.lookup({f.file, p});
    count(t, hit ? &Counters::page_cache_hits : &Counters::page_cache_misses, 1);
    if (!hit && !first_miss) first_miss = p;
  }
  if (first_miss) {
    PageRange r = f.ra.on_miss(*first_miss, first + n - *first_miss, file_pages);
    std::uint64_t beyond = r.end() > first + n ? r.end() - (first + n) : 0;
    count(t, &Counters::readahead_pages, beyond);
    if (beyond && !t.setup) {
      TraceEvent e;
      e.t_ns = std::int64_t(engine_.now_ns());
      e.kind = EventKind::readahead;
      e.file = f.file;
      e.page = std::int64_t(first + n);
      e.pages = beyond;
      e.name = "sync";
      trace(t, e);
    }
    read_into_cache(t, f.file, r, true, false);
  } else {
    PageRange r = f.ra.on_hit(first, n, file_pages);
    if (!r.empty()) {
      std::uint64_t missing = 0;
      for (std::uint64_t p = r.start; p < r.end(); ++p) missing += !cache_.contains({f.file, p});
      count(t, &Counters::readahead_pages, missing);
      if (missing && !t.setup) {
        TraceEvent e;
        e.t_ns = std::int64_t(engine_.now_ns());
        e.kind = EventKind::readahead;
        e.file = f.file;
        e.page = std::int64_t(r.start);
        e.pages = missing;
        e.name = "async";
        trace(t, e);
      }
      read_into_cache(t, f.file, r, false, true);
    }
  }
  wait_for_pages(t, f.file, first, n);
}

std::uint64_t Kernel::read(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset) {
  Syscall sc(*this, t, offset ? "pread" : "read");
  std::uint64_t pos = offset.value_or(f.pos);
  std::uint64_t size = files_[f.file].size;
  std::uint64_t n = pos >= size ? 0 : std::min(bytes, size - pos);
  if (n) {
    fill_pages(t, f, first_page(pos), pages_spanned(pos, n));
    cpu_copy(t, n, Place::page_cache, Place::user_buffer);
  }
  count(t, &Counters::read_bytes, n);
  if (!offset) f.pos = pos + n;
  return n;
}

std::uint64_t Kernel::write_file(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset,
                                 WriteSource src) {
  Syscall sc(*this, t, offset ? "pwrite" : "write");
  std::uint64_t pos = offset.value_or(f.pos);
  if (src.mapping) {
    for (std::uint64_t b = src.mapping->cursor; b < src.mapping->cursor + bytes; b += kPageSize) {
      std::uint64_t vp = src.mapping->start + (b - src.mapping->file_offset) / kPageSize;
      if (!t.proc->mm.pte(vp)) fault(t, *src.mapping, vp, false);
    }
  }
  std::uint64_t& size = files_[f.file].size;
  std::uint64_t first = first_page(pos), n = pages_spanned(pos, bytes);
  for (std::uint64_t p = first; p < first + n; ++p) {
    PageKey k{f.file, p};
    cpu(t, TimeCat::syscall, m_.cpu.page_lookup_ns);
    if (!cache_.lookup(k)) {
      // A page partly written and partly holding old data must be read first.
      std::uint64_t page_start = p * kPageSize, page_end = page_start + kPageSize;
      bool partial = pos > page_start || pos + bytes < page_end;
      if (partial && page_start < size) read_into_cache(t, f.file, {p, 1}, true, false);
      else insert_page(t, k);
    }
    cache_.mark_dirty(k);
  }
  cpu_copy(t, bytes, src.mapping ? Place::mapping : Place::user_buffer, Place::page_cache);
  size = std::max(size, pos + bytes);
  count(t, &Counters::file_write_bytes, bytes);
  if (!offset) f.pos = pos + bytes;
  if (src.mapping) src.mapping->cursor += bytes;
  return bytes;
}

}  // namespace kiosim
