#include "sim/trace/schema.h"
#include "sim/kernel/file_io.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "sim/program/program.h"

namespace kiosim {

OpenFile FileIo::open(Thread& t, FileId f, std::uint64_t offset, std::uint32_t flags) {
  Syscall sc(acct_, t, "open");
  OpenFile of;
  of.file = f;
  of.pos = offset;
  of.ra = ReadaheadState(acct_.machine().readahead);
  of.direct = flags & open_flags::direct;
  of.append = flags & open_flags::append;
  of.dsync = flags & open_flags::dsync;
  of.sync = flags & open_flags::sync;
  return of;
}

void FileIo::close(Thread& t) { Syscall sc(acct_, t, "close"); }

std::uint64_t FileIo::read(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset) {
  Syscall sc(acct_, t, offset ? "pread" : "read");
  std::uint64_t pos = offset.value_or(f.pos);
  std::uint64_t size = filemap_.file_size(f.file);
  std::uint64_t n = pos >= size ? 0 : std::min(bytes, size - pos);
  if (f.direct) {
    n = read_direct(t, f, pos, bytes);
  } else if (n) {
    filemap_.fill_pages(t, f, first_page(pos), pages_spanned(pos, n));
    filemap_.mark_read(t, f, pos, n);
    acct_.cpu_copy(t, n, Place::page_cache, Place::user_buffer);
  }
  acct_.count(t, &Counters::read_bytes, n);
  if (!offset) f.pos = pos + n;
  return n;
}

// One io_uring_enter submits `depth` reads of `bytes` at the file position and waits
// for all of them. A buffered read whose pages are cached completes inline, in the
// submitter (its IOCB_NOWAIT attempt succeeds): the lookups and the copy of read(),
// without a system call of its own; each request costs cpu.uring_op (its SQE read,
// its CQE posted). Missing pages are requested for every read first and waited for
// together (async buffered reads), so their disk reads overlap; with more than 2 reads
// the submission is plugged (io_submit_sqes), and adjacent disk reads merge in the plug.
// On an O_DIRECT file each read is a disk request of its own into the user buffer
// (io_read -> iomap_dio_rw without waiting, io_uring/rw.c): all are submitted before
// any is waited for, so a multi-queue disk has `depth` of them in flight; no copy.
std::uint64_t FileIo::uring_read(Thread& t, OpenFile& f, std::uint64_t bytes, std::uint32_t depth) {
  Syscall sc(acct_, t, "io_uring_enter");
  if (f.direct) return uring_read_direct(t, f, bytes, depth);
  const std::uint64_t size = filemap_.file_size(f.file);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reads;  // (position, bytes)
  std::uint64_t pos = f.pos;
  for (std::uint32_t i = 0; i < depth; ++i) {
    std::uint64_t n = pos >= size ? 0 : std::min(bytes, size - pos);
    reads.emplace_back(pos, n);
    pos += n;
    acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.uring_op_ns);
  }
  {
    // io_submit_sqes' plug (more than 2 SQEs, IORING_OP_READ has .plug): each miss's
    // readahead plug (read_pages) nests into it, so adjacent windows merge there.
    std::optional<BlockDevice::Plug> plug;
    if (depth > 2) plug.emplace(disk_, false, &t);
    for (auto [p, n] : reads)
      if (n) filemap_.request_pages(t, f, first_page(p), pages_spanned(p, n), false);
  }
  std::uint64_t done = 0;
  for (auto [p, n] : reads) {
    if (!n) continue;
    filemap_.wait_for_pages(t, f.file, first_page(p), pages_spanned(p, n));
    filemap_.mark_read(t, f, p, n);
    acct_.cpu_copy(t, n, Place::page_cache, Place::user_buffer);
    done += n;
  }
  acct_.count(t, &Counters::read_bytes, done);
  f.pos = pos;
  return done;
}

std::uint64_t FileIo::uring_read_direct(Thread& t, OpenFile& f, std::uint64_t bytes, std::uint32_t depth) {
  const std::uint64_t size = filemap_.file_size(f.file);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reads;  // (position, bytes)
  std::uint64_t pos = f.pos;
  for (std::uint32_t i = 0; i < depth; ++i) {
    acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.uring_op_ns);
    if (refuse_misaligned(t, pos, bytes)) continue;
    std::uint64_t n = pos >= size ? 0 : std::min(bytes, size - pos);
    if (n) writeback_.write_back_range(t, f.file, first_page(pos), pages_spanned(pos, n), true);
    reads.emplace_back(pos, n);
    pos += n;
  }
  std::uint64_t done = 0;
  for (auto [p, n] : reads) done += n;
  f.pos = pos;
  acct_.count(t, &Counters::read_bytes, done);
  if (t.setup) return done;
  acct_.flush_cpu(t);
  std::vector<DiskRequestPtr> reqs;
  {
    // io_submit_sqes' plug, as IoUring::enter has it: more than 2 SQEs (need_plug), all
    // reads (.plug); contiguous reads merge in it; finished before the wait.
    std::optional<BlockDevice::Plug> plug;
    if (depth > 2) plug.emplace(disk_, false, &t);
    for (auto [p, n] : reads) {
      if (!n) continue;
      auto req = disk_.request(f.file, {first_page(p), pages_spanned(p, n)}, false, t.req, t.proc);
      req->direct = true;
      req->bytes = n;
      req->core = t.core;
      if (plug) plug->submit(req);
      else disk_.submit(req);
      reqs.push_back(req);
    }
  }
  for (auto& r : reqs) disk_.wait(t, r, "io_uring O_DIRECT read");
  return done;
}

std::uint64_t FileIo::write(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset,
                            WriteSource src) {
  Syscall sc(acct_, t, offset ? "pwrite" : "write");
  std::uint64_t& size = filemap_.file_size(f.file);
  const std::uint64_t size_before = size;
  std::uint64_t pos = f.append && !offset ? size : offset.value_or(f.pos);
  if (src.mapping) {  // copy_from_user from a mapping: faults inside the syscall
    for (std::uint64_t b = src.mapping->cursor; b < src.mapping->cursor + bytes; b += kPageSize) {
      std::uint64_t vp = src.mapping->start + (b - src.mapping->file_offset) / kPageSize;
      if (!t.proc->mm.pte(vp)) mm_.fault(t, *src.mapping, vp, false);
      t.proc->mm.mark_young(vp);  // the kernel's access through the user mapping sets it too
    }
  }
  if (f.direct) {
    std::uint64_t n = write_direct(t, f, pos, bytes);
    if (!offset) f.pos = pos + n;
    if (src.mapping) src.mapping->cursor += n;
    jbd2_.after_write(t, f, pos, n, size_before);
    return n;
  }
  copy_into_cache(t, f, pos, bytes);
  acct_.cpu_copy(t, bytes, src.mapping ? Place::mapping : Place::user_buffer, Place::page_cache);
  size = std::max(size, pos + bytes);
  acct_.count(t, &Counters::file_write_bytes, bytes);
  if (!offset) f.pos = pos + bytes;
  if (src.mapping) src.mapping->cursor += bytes;
  jbd2_.after_write(t, f, pos, bytes, size_before);
  return bytes;
}

// generic_perform_write's page walk: each page looked up (a page partly written and
// partly holding old data read first), then dirtied.
void FileIo::copy_into_cache(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes) {
  std::uint64_t first = first_page(pos), n = pages_spanned(pos, bytes);
  std::vector<bool> absent(n);
  for (std::uint64_t p = first; p < first + n; ++p) absent[p - first] = !filemap_.cache().contains({f.file, p});
  for (std::uint64_t p = first; p < first + n; ++p) {
    PageKey k{f.file, p};
    acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.page_lookup_ns);
    if (!filemap_.cache().lookup(k, false)) {  // FGP_WRITEBEGIN: no folio_mark_accessed
      std::uint64_t page_start = p * kPageSize, page_end = page_start + kPageSize;
      bool partial = pos > page_start || pos + bytes < page_end;
      if (partial && page_start < filemap_.file_size(f.file)) filemap_.read_into_cache(t, f.file, {p, 1}, true, false);
      else filemap_.insert_page(t, k);
    } else {
      mm_.write_to_held_page(t, k, false);  // an skb or pipe may still hold it
    }
    writeback_.dirtied(t, k);
  }
  filemap_.form_write_folios(f.file, pos, bytes,
                             [&](std::uint64_t i) { return i >= first && i < first + n && absent[i - first]; });
}

// ---- O_DIRECT ----------------------------------------------------------------------

// O_DIRECT needs 512-byte aligned offset and size: otherwise the call fails (EINVAL),
// shown in the trace, and moves nothing.
bool FileIo::refuse_misaligned(Thread& t, std::uint64_t pos, std::uint64_t bytes) {
  if (pos % kDirectAlign == 0 && bytes % kDirectAlign == 0) return false;
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = EventKind::dma_copy;
  e.name = schema::note::direct_einval;  // a dma_copy that did not happen: 0 bytes, not counted
  acct_.trace(t, e);
  return true;
}

// iomap_dio_rw, reading: the disk controller DMAs straight into the user buffer.
// Cached dirty pages of the range are written first, so the disk has the newest data.
std::uint64_t FileIo::read_direct(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes) {
  if (refuse_misaligned(t, pos, bytes)) return 0;
  std::uint64_t size = filemap_.file_size(f.file);
  std::uint64_t n = pos >= size ? 0 : std::min(bytes, size - pos);
  if (n == 0) return 0;
  writeback_.write_back_range(t, f.file, first_page(pos), pages_spanned(pos, n), true);
  if (t.setup) return n;
  acct_.flush_cpu(t);
  auto req = disk_.request(f.file, {first_page(pos), pages_spanned(pos, n)}, false, t.req, t.proc);
  req->direct = true;
  req->bytes = n;
  req->core = t.core;
  disk_.submit(req);
  disk_.wait(t, req, "O_DIRECT read");
  return n;
}

// iomap_dio_rw, writing: DMA from the user buffer to the disk; then the cached
// copies of the range are stale: unmapped from every mapping and dropped
// (invalidate_inode_pages2_range, unmap_mapping_folio).
std::uint64_t FileIo::write_direct(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes) {
  if (refuse_misaligned(t, pos, bytes)) return 0;
  if (bytes == 0) return 0;
  const std::uint64_t first = first_page(pos), n = pages_spanned(pos, bytes);
  writeback_.write_back_range(t, f.file, first, n, true);
  if (!t.setup) {
    acct_.flush_cpu(t);
    auto req = disk_.request(f.file, {first, n}, true, t.req, t.proc);
    req->direct = true;
    req->bytes = bytes;
    disk_.submit(req);
    disk_.wait(t, req, "O_DIRECT write");
  }
  for (std::uint64_t p = first; p < first + n; ++p) {
    mm_.unmap_mapping_page(t, {f.file, p});  // mapped readers fault the new data in
    filemap_.cache().remove({f.file, p});
  }
  std::uint64_t& size = filemap_.file_size(f.file);
  size = std::max(size, pos + bytes);
  acct_.count(t, &Counters::file_write_bytes, bytes);
  return bytes;
}

// ---- posix_fadvise and fsync -------------------------------------------------------

// generic_fadvise. DONTNEED starts writeback of the range's dirty pages (without
// waiting) and drops the clean, unreferenced ones; WILLNEED reads the range in the
// background (force_page_cache_readahead). `bytes` 0 means to the end of the file.
void FileIo::fadvise(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t bytes, Advice advice) {
  Syscall sc(acct_, t, "fadvise64");
  PageCache& cache = filemap_.cache();
  const std::uint64_t size = filemap_.file_size(f.file);
  if (offset >= size) return;
  const std::uint64_t len = bytes == 0 ? size - offset : std::min(bytes, size - offset);
  const std::uint64_t first = first_page(offset), n = pages_spanned(offset, len);
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.file = f.file;
  e.page = std::int64_t(first);
  if (advice == Advice::dontneed) {
    writeback_.write_back_range(t, f.file, first, n, false);
    std::uint64_t dropped = 0;
    for (std::uint64_t p = first; p < first + n; ++p) {
      acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.page_lookup_ns);
      PageKey k{f.file, p};
      if (cache.contains(k) && cache.remove(k)) ++dropped;
    }
    e.kind = EventKind::evict;
    e.pages = dropped;
    e.name = schema::note::fadvise_dontneed;
  } else {
    std::uint64_t missing = 0;
    for (std::uint64_t p = first; p < first + n; ++p) missing += !cache.contains({f.file, p});
    acct_.count(t, &Counters::readahead_pages, missing);
    e.kind = EventKind::readahead;
    e.pages = missing;
    e.name = "fadvise WILLNEED";
    filemap_.read_into_cache(t, f.file, {first, n}, false, true);
  }
  acct_.trace(t, e);
}

void FileIo::fsync(Thread& t, OpenFile& f, bool datasync) {
  Syscall sc(acct_, t, datasync ? "fdatasync" : "fsync");
  if (t.setup) return;
  jbd2_.sync(t, f.file, datasync);
}

}  // namespace kiosim
