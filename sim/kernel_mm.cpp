// Memory mapping paths: mmap, munmap, user-space touches and page faults
// (mm/mmap.c, mm/memory.c do_read_fault / do_fault_around / do_cow_fault,
// mm/filemap.c filemap_fault with its mmap readahead window).
#include <algorithm>

#include "sim/kernel.h"
#include "sim/kernel_internal.h"

namespace kiosim {

std::unique_ptr<Mapping> Kernel::mmap(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t length,
                                      bool shared, bool writable) {
  Syscall sc(*this, t, "mmap");
  cpu(t, TimeCat::syscall, m_.cpu.vma_ns);
  std::uint64_t size = files_[f.file].size;
  if (length == 0) length = size > offset ? size - offset : 0;
  Vma v;
  v.kind = shared ? VmaKind::file_shared : VmaKind::file_private;
  v.file = f.file;
  v.file_first_page = first_page(offset);
  v.pages = std::max<std::uint64_t>(1, pages_spanned(offset, length));
  v.writable = writable;
  auto m = std::make_unique<Mapping>();
  m->start = t.proc->mm.map(v);
  m->pages = v.pages;
  m->file = f.file;
  m->file_offset = v.file_first_page * kPageSize;
  m->cursor = offset;
  return m;
}

void Kernel::munmap(Thread& t, Mapping& m) {
  Syscall sc(*this, t, "munmap");
  std::uint64_t present = t.proc->mm.unmap(m.start);
  cpu(t, TimeCat::syscall, m_.cpu.vma_ns + double(present) * m_.cpu.map_page_ns);
}

// A fault at `vpage`. Taken in user mode it crosses into the kernel and back (two
// mode switches); taken inside a syscall (copy_from_user) it adds none.
void Kernel::fault(Thread& t, Mapping& m, std::uint64_t vpage, bool user_mode) {
  const Vma* vma = t.proc->mm.vma_at(vpage);
  if (!vma) return;
  flush_cpu(t);
  double t0 = engine_.now_ns();
  if (user_mode) count(t, &Counters::mode_switches, 2);
  const std::uint64_t fpage = vma->file_page(vpage);
  const PageKey key{m.file, fpage};
  const std::uint64_t file_pages = pages_spanned(0, files_[m.file].size);
  bool cached = t.setup ? cache_.contains(key) : cache_.lookup(key);
  count(t, cached ? &Counters::page_cache_hits : &Counters::page_cache_misses, 1);
  bool major = !cached;
  if (major) {
    // filemap_fault -> do_sync_mmap_readahead: a window of readahead pages around the fault.
    count(t, &Counters::page_faults_major, 1);
    cpu(t, TimeCat::fault, m_.cpu.major_fault_ns);
    std::uint64_t ra = std::max<std::uint64_t>(m_.readahead.max_pages, 1);
    std::uint64_t start = fpage > ra / 2 ? fpage - ra / 2 : 0;
    PageRange r{start, std::min(ra, file_pages > start ? file_pages - start : 0)};
    if (r.empty() || fpage < r.start || fpage >= r.end()) r = {fpage, 1};
    std::uint64_t extra = 0;
    for (std::uint64_t p = r.start; p < r.end(); ++p) extra += p != fpage && !cache_.contains({m.file, p});
    count(t, &Counters::readahead_pages, extra);
    read_into_cache(t, m.file, r, true, false);
  } else {
    count(t, &Counters::page_faults_minor, 1);
    cpu(t, TimeCat::fault, m_.cpu.minor_fault_ns);
    wait_for_pages(t, m.file, fpage, 1);
  }
  // do_fault_around / filemap_map_pages: map the faulting page and its cached,
  // up-to-date neighbours in the aligned window.
  PageRange win = t.proc->mm.fault_around_range(vpage, m_.mm);
  std::uint64_t mapped = 0;
  for (std::uint64_t vp = win.start; vp < win.end(); ++vp) {
    if (t.proc->mm.pte(vp)) continue;
    PageKey k{m.file, vma->file_page(vp)};
    if (vp != vpage && (!cache_.contains(k) || inflight_.count(k))) continue;
    bool writable = vma->writable && vma->kind == VmaKind::file_shared;
    t.proc->mm.set_pte(vp, Pte{k, writable});
    ++mapped;
  }
  cpu(t, TimeCat::fault, double(mapped) * m_.cpu.map_page_ns);
  count(t, &Counters::pages_mapped, mapped);
  flush_cpu(t);
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(engine_.now_ns() - t0);
  e.kind = major ? EventKind::page_fault_major : EventKind::page_fault_minor;
  e.file = m.file;
  e.page = std::int64_t(fpage);
  e.pages = mapped;
  e.to = Place::mapping;
  e.user_mode = user_mode;
  trace(t, e);
}

void Kernel::touch(Thread& t, Mapping& m, std::uint64_t offset, std::uint64_t bytes, bool write) {
  current_ = &t;
  std::uint64_t first = m.start + offset / kPageSize;
  std::uint64_t n = pages_spanned(offset % kPageSize, bytes);
  n = std::min(n, m.pages > offset / kPageSize ? m.pages - offset / kPageSize : 0);
  for (std::uint64_t vp = first; vp < first + n; ++vp) {
    const Pte* pte = t.proc->mm.pte(vp);
    if (!pte) {
      fault(t, m, vp, true);
      pte = t.proc->mm.pte(vp);
    }
    if (write && pte) {
      const Vma* vma = t.proc->mm.vma_at(vp);
      if (vma && vma->kind == VmaKind::file_private && !pte->writable) {
        // do_cow_fault / wp_page_copy: a private copy of the page, then a writable PTE.
        flush_cpu(t);
        double t0 = engine_.now_ns();
        count(t, &Counters::cow_faults, 1);
        count(t, &Counters::mode_switches, 2);
        cpu(t, TimeCat::fault, m_.cpu.minor_fault_ns);
        cpu_copy(t, kPageSize, Place::page_cache, Place::mapping);
        t.proc->mm.set_pte(vp, Pte{PageKey{~0u, vp}, true});
        TraceEvent e;
        e.t_ns = std::int64_t(t0);
        e.dur_ns = std::int64_t(engine_.now_ns() - t0);
        e.kind = EventKind::cow_fault;
        e.page = std::int64_t(vp);
        e.pages = 1;
        e.user_mode = true;
        trace(t, e);
      } else if (vma && vma->kind == VmaKind::file_shared) {
        cache_.mark_dirty(pte->page);
      }
    }
  }
  cpu(t, TimeCat::user, double(bytes) / m_.cpu.touch_bytes_per_s * 1e9);
  current_ = nullptr;
}

}  // namespace kiosim
