// File paths: open, read, buffered write, and filling the page cache from the disk
// with readahead (mm/filemap.c filemap_read, mm/readahead.c, generic_perform_write);
// O_DIRECT (fs/iomap/direct-io.c) and posix_fadvise (mm/fadvise.c).
#include <algorithm>

#include "sim/kernel/kernel.h"
#include "sim/kernel/kernel_internal.h"

namespace kiosim {

std::unique_ptr<OpenFile> Kernel::open(Thread& t, FileId f, std::uint64_t offset, std::uint32_t flags) {
  Syscall sc(*this, t, "open");
  auto of = std::make_unique<OpenFile>();
  of->file = f;
  of->pos = offset;
  of->ra = ReadaheadState(m_.readahead);
  of->direct = flags & open_flags::direct;
  of->append = flags & open_flags::append;
  of->dsync = flags & open_flags::dsync;
  of->sync = flags & open_flags::sync;
  return of;
}

void Kernel::close(Thread& t) { Syscall sc(*this, t, "close"); }

// Inserts a page, making room. When reclaim found only dirty pages, this thread
// writes them (direct reclaim) and waits; when every page is pinned or under
// writeback, it waits until a reference drops or a write ends (a visible stall).
bool Kernel::insert_page(Thread& t, PageKey k, bool readahead) {
  for (;;) {
    auto r = cache_.insert(k, readahead);
    if (r != PageCache::Insert::no_room) return r == PageCache::Insert::inserted;
    auto dirty = cache_.take_writeback_queue();
    if (t.setup && dirty.empty()) return false;  // setup never waits
    if (!dirty.empty()) {
      flush_cpu(t);
      count(t, &Counters::writeback_pages, dirty.size());
      for (auto& req : submit_writeback(std::move(dirty), t.proc, t.req))
        block(t, TimeCat::disk, *req->waiters, [&] { return req->done; }, "writeback (direct reclaim)");
      continue;
    }
    const std::uint64_t pinned = cache_.pinned_pages(), wb = cache_.writeback_pages();
    block(t, TimeCat::disk, *cache_room_,
          [&] {
            return cache_.size() < cache_.capacity() || cache_.pinned_pages() < pinned ||
                   cache_.writeback_pages() < wb;
          },
          "page cache full of pinned pages");
  }
}

// Reads the pages of `r` that are neither cached nor already being read.
void Kernel::read_into_cache(Thread& t, FileId file, PageRange r, bool wait, bool readahead,
                             std::uint64_t unused_from) {
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
      if (!insert_page(t, {file, p}, !t.setup && (readahead || p >= unused_from))) break;
      if (!t.setup) {
        cache_.get({file, p});  // locked for I/O: reclaim must not take it
      }
      ++run.count;
    }
    if (run.count && !t.setup) {
      auto req = disk_request(file, run, false, t.req, t.proc);
      req->readahead = readahead;
      for (std::uint64_t p = run.start; p < run.end(); ++p) inflight_[{file, p}] = req;
      submit(req);
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
  request_pages(t, f, first, n, true);
  wait_for_pages(t, f.file, first, n);
}

// With `wait_for_miss` false, the disk reads for a miss are only started (io_uring's
// async buffered reads); wait_for_pages waits for them later.
void Kernel::request_pages(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n, bool wait_for_miss) {
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
    read_into_cache(t, f.file, r, wait_for_miss, false, first + n);
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
}

// io_uring (io_uring/rw.c io_read): one io_uring_enter submits `depth` reads of `bytes`
// at the file position and waits for all of them. A buffered read whose pages are cached
// completes inline, in the submitter (its IOCB_NOWAIT attempt succeeds): the lookups and
// the copy of read(), without a system call of its own; each request costs cpu.uring_op
// (its SQE read, its CQE posted). Missing pages are requested for every read first and
// waited for together (async buffered reads), so their disk reads overlap.
std::uint64_t Kernel::uring_read(Thread& t, OpenFile& f, std::uint64_t bytes, std::uint32_t depth) {
  Syscall sc(*this, t, "io_uring_enter");
  const std::uint64_t size = files_[f.file].size;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reads;  // (position, bytes)
  std::uint64_t pos = f.pos;
  for (std::uint32_t i = 0; i < depth; ++i) {
    std::uint64_t n = pos >= size ? 0 : std::min(bytes, size - pos);
    reads.emplace_back(pos, n);
    pos += n;
    cpu(t, TimeCat::syscall, m_.cpu.uring_op_ns);
  }
  for (auto [p, n] : reads)
    if (n) request_pages(t, f, first_page(p), pages_spanned(p, n), false);
  std::uint64_t done = 0;
  for (auto [p, n] : reads) {
    if (!n) continue;
    wait_for_pages(t, f.file, first_page(p), pages_spanned(p, n));
    cpu_copy(t, n, Place::page_cache, Place::user_buffer);
    done += n;
  }
  count(t, &Counters::read_bytes, done);
  f.pos = pos;
  return done;
}

std::uint64_t Kernel::read(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset) {
  Syscall sc(*this, t, offset ? "pread" : "read");
  std::uint64_t pos = offset.value_or(f.pos);
  std::uint64_t size = files_[f.file].size;
  std::uint64_t n = pos >= size ? 0 : std::min(bytes, size - pos);
  if (f.direct) {
    n = read_direct(t, f, pos, bytes);
  } else if (n) {
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
  std::uint64_t& size = files_[f.file].size;
  const std::uint64_t size_before = size;
  std::uint64_t pos = f.append && !offset ? size : offset.value_or(f.pos);
  if (src.mapping) {
    for (std::uint64_t b = src.mapping->cursor; b < src.mapping->cursor + bytes; b += kPageSize) {
      std::uint64_t vp = src.mapping->start + (b - src.mapping->file_offset) / kPageSize;
      if (!t.proc->mm.pte(vp)) fault(t, *src.mapping, vp, false);
    }
  }
  if (f.direct) {
    std::uint64_t n = write_direct(t, f, pos, bytes);
    if (!offset) f.pos = pos + n;
    if (src.mapping) src.mapping->cursor += n;
    journal_after_write(t, f, pos, n, size_before);  // kernel_journal.cpp
    return n;
  }
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
    dirtied(t, k);
  }
  cpu_copy(t, bytes, src.mapping ? Place::mapping : Place::user_buffer, Place::page_cache);
  size = std::max(size, pos + bytes);
  count(t, &Counters::file_write_bytes, bytes);
  if (!offset) f.pos = pos + bytes;
  if (src.mapping) src.mapping->cursor += bytes;
  balance_dirty_pages(t);
  journal_after_write(t, f, pos, bytes, size_before);  // kernel_journal.cpp
  return bytes;
}

// ---- O_DIRECT ----------------------------------------------------------------------

// O_DIRECT needs 512-byte aligned offset and size: otherwise the call fails (EINVAL),
// shown in the trace, and moves nothing.
bool Kernel::refuse_misaligned(Thread& t, std::uint64_t pos, std::uint64_t bytes) {
  if (pos % kDirectAlign == 0 && bytes % kDirectAlign == 0) return false;
  TraceEvent e;
  e.t_ns = std::int64_t(engine_.now_ns());
  e.kind = EventKind::dma_copy;
  e.name = "EINVAL: O_DIRECT needs 512-byte aligned offset and size";
  trace(t, e);
  return true;
}

// Writes back the dirty cached pages of a range (filemap_write_and_wait_range when
// `wait`, __filemap_fdatawrite_range when not).
void Kernel::write_back_range(Thread& t, FileId f, std::uint64_t first, std::uint64_t n, bool wait) {
  std::vector<PageKey> dirty;
  for (std::uint64_t p = first; p < first + n; ++p)
    if (cache_.start_writeback({f, p})) dirty.push_back({f, p});
  if (dirty.empty() || t.setup) return;
  count(t, &Counters::writeback_pages, dirty.size());
  auto reqs = submit_writeback(std::move(dirty), t.proc, t.req);
  if (!wait) return;
  for (auto& req : reqs) block(t, TimeCat::disk, *req->waiters, [&] { return req->done; }, "writeback");
}

// iomap_dio_rw, reading: the disk controller DMAs straight into the user buffer.
// Cached dirty pages of the range are written first, so the disk has the newest data.
std::uint64_t Kernel::read_direct(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes) {
  if (refuse_misaligned(t, pos, bytes)) return 0;
  std::uint64_t size = files_[f.file].size;
  std::uint64_t n = pos >= size ? 0 : std::min(bytes, size - pos);
  if (n == 0) return 0;
  write_back_range(t, f.file, first_page(pos), pages_spanned(pos, n), true);
  if (t.setup) return n;
  flush_cpu(t);
  auto req = disk_request(f.file, {first_page(pos), pages_spanned(pos, n)}, false, t.req, t.proc);
  req->direct = true;
  req->bytes = n;
  submit(req);
  block(t, TimeCat::disk, *req->waiters, [&] { return req->done; }, "O_DIRECT read");
  return n;
}

// iomap_dio_rw, writing: DMA from the user buffer to the disk; then the cached
// copies of the range are stale and dropped (invalidate_inode_pages2_range).
std::uint64_t Kernel::write_direct(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes) {
  if (refuse_misaligned(t, pos, bytes)) return 0;
  if (bytes == 0) return 0;
  const std::uint64_t first = first_page(pos), n = pages_spanned(pos, bytes);
  write_back_range(t, f.file, first, n, true);
  if (!t.setup) {
    flush_cpu(t);
    auto req = disk_request(f.file, {first, n}, true, t.req, t.proc);
    req->direct = true;
    req->bytes = bytes;
    submit(req);
    block(t, TimeCat::disk, *req->waiters, [&] { return req->done; }, "O_DIRECT write");
  }
  for (std::uint64_t p = first; p < first + n; ++p) cache_.remove({f.file, p});
  std::uint64_t& size = files_[f.file].size;
  size = std::max(size, pos + bytes);
  count(t, &Counters::file_write_bytes, bytes);
  return bytes;
}

// ---- posix_fadvise -----------------------------------------------------------------

// mm/fadvise.c generic_fadvise. DONTNEED starts writeback of the range's dirty pages
// (without waiting) and drops the clean, unreferenced ones; WILLNEED reads the range
// in the background (force_page_cache_readahead). `bytes` 0 means to the end of the file.
void Kernel::fadvise(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t bytes, Advice advice) {
  Syscall sc(*this, t, "fadvise64");
  const std::uint64_t size = files_[f.file].size;
  if (offset >= size) return;
  const std::uint64_t len = bytes == 0 ? size - offset : std::min(bytes, size - offset);
  const std::uint64_t first = first_page(offset), n = pages_spanned(offset, len);
  TraceEvent e;
  e.t_ns = std::int64_t(engine_.now_ns());
  e.file = f.file;
  e.page = std::int64_t(first);
  if (advice == Advice::dontneed) {
    write_back_range(t, f.file, first, n, false);
    std::uint64_t dropped = 0;
    for (std::uint64_t p = first; p < first + n; ++p) {
      cpu(t, TimeCat::syscall, m_.cpu.page_lookup_ns);
      PageKey k{f.file, p};
      if (cache_.contains(k) && cache_.remove(k)) ++dropped;
    }
    e.kind = EventKind::evict;
    e.pages = dropped;
    e.name = "fadvise DONTNEED";
  } else {
    std::uint64_t missing = 0;
    for (std::uint64_t p = first; p < first + n; ++p) missing += !cache_.contains({f.file, p});
    count(t, &Counters::readahead_pages, missing);
    e.kind = EventKind::readahead;
    e.pages = missing;
    e.name = "fadvise WILLNEED";
    read_into_cache(t, f.file, {first, n}, false, true);
  }
  trace(t, e);
}

}  // namespace kiosim
