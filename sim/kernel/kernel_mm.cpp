// Memory mapping paths: mmap, munmap, user-space touches, page faults, copy-on-write
// and the TLB (mm/mmap.c, mm/memory.c do_read_fault / do_fault_around /
// do_cow_fault / do_anonymous_page / do_wp_page, mm/filemap.c filemap_fault with its
// mmap readahead window, arch/x86/mm/tlb.c flush_tlb_mm_range).
//
// Counting rules (MODEL.md sections 1 and 4):
// - every fault is a minor or a major fault, as ru_minflt / ru_majflt count them;
//   a CoW fault is also counted in cow_faults (so cow_faults <= faults);
// - a fault taken in user mode adds two mode switches, one taken inside a syscall none;
// - user-space touches look each page up once in the TLB of the thread's core
//   (one access per page per touch); copy_from_user inside write() is not looked up,
//   so the copy table's time stays that of the foundation.
#include <algorithm>

#include "sim/kernel/kernel.h"
#include "sim/kernel/kernel_internal.h"

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

std::unique_ptr<Mapping> Kernel::mmap_anon(Thread& t, std::uint64_t length, bool writable) {
  Syscall sc(*this, t, "mmap");
  cpu(t, TimeCat::syscall, m_.cpu.vma_ns);
  Vma v;
  v.kind = VmaKind::anonymous;
  v.file = kAnonFile;
  v.pages = std::max<std::uint64_t>(1, pages_spanned(0, length));
  v.writable = writable;
  auto m = std::make_unique<Mapping>();
  m->start = t.proc->mm.map(v);
  m->pages = v.pages;
  m->file = kAnonFile;
  return m;
}

void Kernel::munmap(Thread& t, Mapping& m) {
  Syscall sc(*this, t, "munmap");
  ran_on_core(t);
  std::vector<std::uint64_t> present = t.proc->mm.present_in(m.start);
  t.proc->mm.unmap(m.start, &frames_);
  cpu(t, TimeCat::syscall, m_.cpu.vma_ns + double(present.size()) * m_.cpu.map_page_ns);
  tlb_flush_pages(t, present);
}

// ---- the TLB ------------------------------------------------------------------------

void Kernel::ran_on_core(Thread& t) { t.proc->mm.ran_on(t.core); }

void Kernel::tlb_access(Thread& t, std::uint64_t vpage) {
  if (t.setup) return;
  Tlb& tlb = tlbs_[t.core % tlbs_.size()];
  if (tlb.access(t.proc->mm.asid, vpage)) {
    count(t, &Counters::tlb_hits, 1);
    return;
  }
  count(t, &Counters::tlb_misses, 1);
  cpu(t, TimeCat::tlb, m_.cpu.tlb_miss_ns);
}

void Kernel::tlb_flush_pages(Thread& t, const std::vector<std::uint64_t>& vpages) {
  if (vpages.empty()) return;
  AddressSpace& mm = t.proc->mm;
  const bool full = vpages.size() > m_.mm.flush_threshold;
  auto flush_core = [&](Tlb& tlb) {
    if (full) tlb.flush(mm.asid);
    else
      for (auto vp : vpages) tlb.invalidate(mm.asid, vp);
  };
  flush_core(tlbs_[t.core % tlbs_.size()]);
  if (full) {
    count(t, &Counters::tlb_flushes, 1);
    cpu(t, TimeCat::tlb, m_.cpu.tlb_invalidate_ns);
  } else {
    count(t, &Counters::tlb_invalidations, vpages.size());
    cpu(t, TimeCat::tlb, double(vpages.size()) * m_.cpu.tlb_invalidate_ns);
  }
  // native_flush_tlb_multi: an IPI to every other core in mm_cpumask; the initiator
  // waits for their acknowledgements. The remote cores drop the same translations.
  auto targets = mm.shootdown_targets(t.core % tlbs_.size());
  for (auto c : targets) flush_core(tlbs_[c % tlbs_.size()]);
  if (!targets.empty()) {
    count(t, &Counters::tlb_shootdowns, targets.size());
    cpu(t, TimeCat::tlb, double(targets.size()) * m_.cpu.ipi_ns);
    if (!t.setup && trace_.enabled()) {
      flush_cpu(t);
      TraceEvent e;
      e.t_ns = std::int64_t(engine_.now_ns());
      e.kind = EventKind::tlb_flush;
      e.name = "shootdown IPI";
      e.pages = vpages.size();
      trace(t, e);
    }
  }
}

void Kernel::tlb_flush_mm(Thread& t) {
  // flush_tlb_mm: every translation of the address space, here and on the other cores.
  AddressSpace& mm = t.proc->mm;
  tlbs_[t.core % tlbs_.size()].flush(mm.asid);
  count(t, &Counters::tlb_flushes, 1);
  cpu(t, TimeCat::tlb, m_.cpu.tlb_invalidate_ns);
  auto targets = mm.shootdown_targets(t.core % tlbs_.size());
  for (auto c : targets) tlbs_[c % tlbs_.size()].flush(mm.asid);
  count(t, &Counters::tlb_shootdowns, targets.size());
  cpu(t, TimeCat::tlb, double(targets.size()) * m_.cpu.ipi_ns);
}

// ---- faults -------------------------------------------------------------------------

// A fault at a not-present `vpage`. Taken in user mode it crosses into the kernel and
// back (two mode switches); taken inside a syscall (copy_from_user) it adds none.
// Read faults on file mappings map the fault-around window and the folio; a write
// fault on a private file page copies it (do_cow_fault); an anonymous page gets a
// zeroed frame (do_anonymous_page).
void Kernel::fault(Thread& t, Mapping& m, std::uint64_t vpage, bool user_mode, bool write) {
  AddressSpace& mm = t.proc->mm;
  const Vma* vma = mm.vma_at(vpage);
  if (!vma) return;
  const Vma v = *vma;
  flush_cpu(t);
  double t0 = engine_.now_ns();
  if (user_mode) count(t, &Counters::mode_switches, 2);
  TraceEvent e;
  e.to = Place::mapping;
  e.user_mode = user_mode;

  if (v.kind == VmaKind::anonymous) {
    count(t, &Counters::page_faults_minor, 1);
    cpu(t, TimeCat::fault, m_.cpu.minor_fault_ns + double(kPageSize) / m_.cpu.copy_bytes_per_s * 1e9);  // clear_page
    mm.set_pte(vpage, Pte{PageKey{kAnonFile, frames_.alloc()}, v.writable});
    cpu(t, TimeCat::fault, m_.cpu.map_page_ns);
    count(t, &Counters::pages_mapped, 1);
    flush_cpu(t);
    e.t_ns = std::int64_t(t0);
    e.dur_ns = std::int64_t(engine_.now_ns() - t0);
    e.kind = EventKind::page_fault_minor;
    e.name = "anonymous";
    e.page = std::int64_t(vpage);
    e.pages = 1;
    trace(t, e);
    return;
  }

  const std::uint64_t fpage = v.file_page(vpage);
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
  std::uint64_t mapped = 0;
  if (write && v.kind == VmaKind::file_private && v.writable) {
    // do_cow_fault: a private copy of the file page, mapped writable; no fault-around.
    count(t, &Counters::cow_faults, 1);
    cpu_copy(t, kPageSize, Place::page_cache, Place::mapping);
    mm.set_pte(vpage, Pte{PageKey{kAnonFile, frames_.alloc()}, true});
    mapped = 1;
  } else {
    // do_fault_around / filemap_map_pages: map the faulting page and its cached,
    // up-to-date neighbours in the aligned window and in the faulting page's folio.
    PageRange win = mm.fault_map_range(vpage, m_.mm);
    for (std::uint64_t vp = win.start; vp < win.end(); ++vp) {
      if (mm.pte(vp)) continue;
      PageKey k{m.file, v.file_page(vp)};
      if (vp != vpage && (!cache_.contains(k) || inflight_.count(k))) continue;
      bool writable = v.writable && v.kind == VmaKind::file_shared;
      mm.set_pte(vp, Pte{k, writable});
      ++mapped;
    }
  }
  cpu(t, TimeCat::fault, double(mapped) * m_.cpu.map_page_ns);
  count(t, &Counters::pages_mapped, mapped);
  flush_cpu(t);
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(engine_.now_ns() - t0);
  e.kind = major ? EventKind::page_fault_major : EventKind::page_fault_minor;
  if (write && v.kind == VmaKind::file_private) e.name = "cow";
  e.file = m.file;
  e.page = std::int64_t(fpage);
  e.pages = mapped;
  trace(t, e);
}

// A write to a present, read-only page of a writable private VMA (do_wp_page): after
// fork or on a MAP_PRIVATE file page. A shared frame is copied (wp_page_copy); the
// last mapper of an anonymous frame just gets write permission (wp_page_reuse).
// Either way the old translation is invalidated, here and on the mm's other cores.
void Kernel::write_protect_fault(Thread& t, std::uint64_t vpage, bool user_mode) {
  AddressSpace& mm = t.proc->mm;
  WriteFault kind = mm.write_fault_kind(vpage, frames_);
  if (kind == WriteFault::none) return;
  flush_cpu(t);
  double t0 = engine_.now_ns();
  if (user_mode) count(t, &Counters::mode_switches, 2);
  count(t, &Counters::page_faults_minor, 1);
  cpu(t, TimeCat::fault, m_.cpu.minor_fault_ns);
  bool from_cache = !mm.pte(vpage)->anon();
  mm.resolve_write_fault(vpage, frames_);
  if (kind == WriteFault::copy) {
    count(t, &Counters::cow_faults, 1);
    cpu_copy(t, kPageSize, from_cache ? Place::page_cache : Place::mapping, Place::mapping);
  }
  cpu(t, TimeCat::fault, m_.cpu.map_page_ns);
  tlb_flush_pages(t, {vpage});
  flush_cpu(t);
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(engine_.now_ns() - t0);
  e.kind = kind == WriteFault::copy ? EventKind::cow_fault : EventKind::page_fault_minor;
  e.name = kind == WriteFault::copy ? "wp_page_copy" : "wp_page_reuse";
  e.page = std::int64_t(vpage);
  e.pages = 1;
  e.user_mode = user_mode;
  trace(t, e);
}

// A write through a shared mapping to a page-cache page that an skb still references
// (sendfile, splice, MSG_ZEROCOPY in flight): the wire must keep the old bytes.
// copy: the kernel copies the page first, and the skb keeps the copy (counted as a
// CoW fault with its CPU copy); wait: the writer sleeps until the NIC's TX completion
// drops the reference (a voluntary context switch, its time under `wire`). Either
// way the page was write-protected while in flight, so the write is a minor fault
// taken in user mode.
void Kernel::write_to_pinned_page(Thread& t, PageKey k) {
  if (t.setup || cache_.refcount(k) == 0 || inflight_.count(k)) return;
  flush_cpu(t);
  double t0 = engine_.now_ns();
  count(t, &Counters::mode_switches, 2);
  count(t, &Counters::page_faults_minor, 1);
  cpu(t, TimeCat::fault, m_.cpu.minor_fault_ns);
  if (m_.write_during_send_wait) {
    block(t, TimeCat::wire, *cache_room_, [&] { return cache_.refcount(k) == 0; }, "TX completion of a page it writes");
    return;
  }
  count(t, &Counters::cow_faults, 1);
  cpu_copy(t, kPageSize, Place::page_cache, Place::socket_buffer);
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(engine_.now_ns() - t0);
  e.kind = EventKind::cow_fault;
  e.name = "write during send: copy for the wire";
  e.file = k.file;
  e.page = std::int64_t(k.index);
  e.pages = 1;
  e.user_mode = true;
  trace(t, e);
}

void Kernel::touch(Thread& t, Mapping& m, std::uint64_t offset, std::uint64_t bytes, bool write) {
  current_ = &t;
  ran_on_core(t);
  std::uint64_t first = m.start + offset / kPageSize;
  std::uint64_t n = pages_spanned(offset % kPageSize, bytes);
  n = std::min(n, m.pages > offset / kPageSize ? m.pages - offset / kPageSize : 0);
  for (std::uint64_t vp = first; vp < first + n; ++vp) {
    tlb_access(t, vp);
    const Pte* pte = t.proc->mm.pte(vp);
    if (!pte) {
      fault(t, m, vp, true, write);
      pte = t.proc->mm.pte(vp);
    }
    if (!write || !pte) continue;
    const Vma* vma = t.proc->mm.vma_at(vp);
    if (!vma) continue;
    if (!pte->writable && vma->is_private()) {
      write_protect_fault(t, vp, true);
    } else if (vma->kind == VmaKind::file_shared) {
      PageKey k = pte->page;
      write_to_pinned_page(t, k);
      if (!t.setup) cache_.mark_dirty(k);
    }
  }
  cpu(t, TimeCat::user, double(bytes) / m_.cpu.touch_bytes_per_s * 1e9);
  current_ = nullptr;
}

// ---- fork ---------------------------------------------------------------------------

// kernel/fork.c: copy the VMAs and page tables (dup_mmap / copy_page_range), write-
// protect private pages in both, flush the parent's TLB if any PTE lost its write
// permission, and start the child's thread on the next core (wake_up_new_task).
Thread& Kernel::fork(Thread& t, const std::string& child_name, std::function<void(Thread&)> body) {
  Syscall sc(*this, t, "fork");
  ran_on_core(t);
  Process& child = new_process(child_name);
  std::uint32_t asid = child.mm.asid;
  std::uint64_t ptes = t.proc->mm.present_pages(), prot = 0;
  child.mm = t.proc->mm.fork(frames_, &prot);
  child.mm.asid = asid;
  cpu(t, TimeCat::syscall, m_.cpu.vma_ns + double(ptes) * m_.cpu.map_page_ns);
  if (prot) tlb_flush_mm(t);
  Thread& ct = new_thread(child, child_name);
  ct.core = std::uint32_t((t.core + 1) % tlbs_.size());
  thread_started(ct);  // counted as running now, so the run cannot end before it starts
  // When the child ends, exit_mmap drops its mappings: frames it shared with the parent
  // have one mapper again, and the parent's later writes reuse them without a copy.
  engine_.spawn(child_name, [this, &ct, body = std::move(body)] {
    body(ct);
    ct.proc->mm.unmap_all(&frames_);
    for (auto& tlb : tlbs_) tlb.flush(ct.proc->mm.asid);
  });
  return ct;
}

}  // namespace kiosim
