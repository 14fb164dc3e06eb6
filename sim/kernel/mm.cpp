#include "sim/kernel/mm.h"

#include <algorithm>
#include <vector>

#include "sim/trace/schema.h"

namespace kiosim {

namespace {

// A fault taken in user mode is a request of its own: the events that serve it carry
// its id on every lane (seed 003: one fault, from the user address to the disk and back).
class FaultRequest {
 public:
  FaultRequest(Accounting& a, Thread& t) : t_(t), saved_(t.req) {
    if (!t.setup) t.req = a.next_req();
  }
  ~FaultRequest() { t_.req = saved_; }
  FaultRequest(const FaultRequest&) = delete;
  FaultRequest& operator=(const FaultRequest&) = delete;

 private:
  Thread& t_;
  std::uint64_t saved_;
};

}  // namespace

Mapping Mm::mmap(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t length, bool shared,
                                  bool writable) {
  Syscall sc(acct_, t, "mmap");
  acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.vma_ns);
  std::uint64_t size = filemap_.file_size(f.file);
  if (length == 0) length = size > offset ? size - offset : 0;
  Vma v;
  v.kind = shared ? VmaKind::file_shared : VmaKind::file_private;
  v.file = f.file;
  v.file_first_page = first_page(offset);
  v.pages = std::max<std::uint64_t>(1, pages_spanned(offset, length));
  v.writable = writable;
  Mapping m;
  m.start = t.proc->mm.map(v);
  m.pages = v.pages;
  m.file = f.file;
  m.file_offset = v.file_first_page * kPageSize;
  m.cursor = offset;
  m.ra = ReadaheadState(acct_.machine().readahead);
  rmap_.add(&t.proc->mm, m.start);
  return m;
}

Mapping Mm::mmap_anon(Thread& t, std::uint64_t length, bool writable) {
  Syscall sc(acct_, t, "mmap");
  acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.vma_ns);
  Vma v;
  v.kind = VmaKind::anonymous;
  v.file = kAnonFile;
  v.pages = std::max<std::uint64_t>(1, pages_spanned(0, length));
  v.writable = writable;
  Mapping m;
  m.start = t.proc->mm.map(v);
  m.pages = v.pages;
  m.file = kAnonFile;
  return m;
}

void Mm::munmap(Thread& t, Mapping& m) {
  Syscall sc(acct_, t, "munmap");
  tlbs_.ran_on_core(t);
  std::vector<std::uint64_t> present = t.proc->mm.present_in(m.start);
  std::vector<PageKey> file_pages;
  rmap_.remove(&t.proc->mm, m.start);
  t.proc->mm.unmap(m.start, &frames_, &file_pages);
  unmapped_file_pages(file_pages);
  acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.vma_ns + double(present.size()) * acct_.machine().cpu.map_page_ns);
  tlbs_.flush_pages(t, present);
}

// ---- faults -------------------------------------------------------------------------

// Read faults on file mappings map the fault-around window and the folio; a write
// fault on a private file page copies it (do_cow_fault); an anonymous page gets a
// zeroed frame (do_anonymous_page).
void Mm::fault(Thread& t, Mapping& m, std::uint64_t vpage, bool user_mode, bool write) {
  AddressSpace& mm = t.proc->mm;
  const Vma* vma = mm.vma_at(vpage);
  if (!vma) return;
  const Vma v = *vma;
  const auto& cpu = acct_.machine().cpu;
  acct_.flush_cpu(t);
  double t0 = acct_.now();
  if (user_mode) acct_.count(t, &Counters::mode_switches, 2);
  TraceEvent e;
  e.to = Place::mapping;
  e.user_mode = user_mode;
  if (v.kind == VmaKind::anonymous) return anonymous_fault(t, v, vpage, write, t0, e);

  const std::uint64_t fpage = v.file_page(vpage);
  const bool major = file_fault_read(t, m, fpage);
  std::uint64_t mapped = 0;
  if (write && v.kind == VmaKind::file_private && v.writable) {
    // do_cow_fault: a private copy of the file page, mapped writable; no fault-around.
    acct_.count(t, &Counters::cow_faults, 1);
    acct_.cpu_copy(t, kPageSize, Place::page_cache, Place::mapping);
    mm.set_pte(vpage, Pte{PageKey{kAnonFile, frames_.alloc()}, true});
    mm.set_anon_vma(vpage);  // vmf_anon_prepare: fork copies this VMA's PTEs from now on
    mapped = 1;
  } else if (write && v.kind == VmaKind::file_shared && v.writable) {
    // do_shared_fault: __do_fault, then do_page_mkwrite (ext4_page_mkwrite), then
    // finish_fault maps this page alone, writable; no fault-around. The caller dirties it.
    const PageKey k{m.file, fpage};
    mm.set_pte(vpage, Pte{k, true});
    filemap_.cache().map(k);
    mapped = 1;
  } else {
    mapped = map_fault_around(t, m, v, vpage);
  }
  acct_.cpu(t, TimeCat::fault, double(mapped) * cpu.map_page_ns);
  acct_.count(t, &Counters::pages_mapped, mapped);
  acct_.flush_cpu(t);
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(acct_.now() - t0);
  e.kind = major ? EventKind::page_fault_major : EventKind::page_fault_minor;
  if (write && v.kind == VmaKind::file_private) e.name = schema::note::cow;
  if (write && v.kind == VmaKind::file_shared && v.writable) e.name = "do_shared_fault: page_mkwrite";
  e.file = m.file;
  e.page = std::int64_t(fpage);
  e.pages = mapped;
  acct_.trace(t, e);
}

// do_anonymous_page: a read maps the shared zero page, read-only, with nothing to
// allocate or clear; a write gets a zeroed frame (clear_page) and the VMA its anon_vma.
void Mm::anonymous_fault(Thread& t, const Vma& v, std::uint64_t vpage, bool write, double t0, TraceEvent e) {
  const auto& cpu = acct_.machine().cpu;
  AddressSpace& mm = t.proc->mm;
  acct_.count(t, &Counters::page_faults_minor, 1);
  if (write) {
    acct_.cpu(t, TimeCat::fault, cpu.minor_fault_ns + double(kPageSize) / cpu.copy_bytes_per_s * 1e9);  // clear_page
    mm.set_pte(vpage, Pte{PageKey{kAnonFile, frames_.alloc()}, v.writable});
    mm.set_anon_vma(vpage);
  } else {
    acct_.cpu(t, TimeCat::fault, cpu.minor_fault_ns);
    mm.set_pte(vpage, Pte{PageKey{kAnonFile, kZeroFrame}, false});
  }
  acct_.cpu(t, TimeCat::fault, cpu.map_page_ns);
  acct_.count(t, &Counters::pages_mapped, 1);
  acct_.flush_cpu(t);
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(acct_.now() - t0);
  e.kind = EventKind::page_fault_minor;
  e.name = write ? "anonymous" : "anonymous: the zero page";
  e.page = std::int64_t(vpage);
  e.pages = 1;
  acct_.trace(t, e);
}

// filemap_fault: the page from the cache (a minor fault; on the PG_readahead page,
// do_async_mmap_readahead starts the next window without waiting), or from the disk
// with the read-around window (do_sync_mmap_readahead; a major fault).
bool Mm::file_fault_read(Thread& t, Mapping& m, std::uint64_t fpage) {
  const auto& mc = acct_.machine();
  PageCache& cache = filemap_.cache();
  const PageKey key{m.file, fpage};
  const std::uint64_t file_pages = pages_spanned(0, filemap_.file_size(m.file));
  bool cached = t.setup ? cache.contains(key) : cache.lookup(key, false);  // filemap_get_folio: not marked
  acct_.count(t, cached ? &Counters::page_cache_hits : &Counters::page_cache_misses, 1);
  if (cached) {
    acct_.count(t, &Counters::page_faults_minor, 1);
    acct_.cpu(t, TimeCat::fault, mc.cpu.minor_fault_ns);
    PageRange next = m.ra.on_mmap_hit(fpage, file_pages);
    if (!next.empty()) read_ahead(t, m, next, fpage, "mmap async (do_async_mmap_readahead)", false);
    filemap_.wait_for_pages(t, m.file, fpage, 1);
    return false;
  }
  acct_.count(t, &Counters::page_faults_major, 1);
  acct_.cpu(t, TimeCat::fault, mc.cpu.major_fault_ns);
  read_ahead(t, m, m.ra.on_mmap_miss(fpage, file_pages), fpage, "mmap fault", true);
  return true;
}

// Reads the missing pages of `r` (all but `fpage` counted as readahead), waiting or not,
// in the folios page_cache_ra_order gives the window (do_sync_mmap_readahead and
// do_async_mmap_readahead both go through it, mm/filemap.c): the mapping's readahead
// state's order, as read() has it (Filemap::request_pages).
void Mm::read_ahead(Thread& t, Mapping& m, PageRange r, std::uint64_t fpage, const char* why, bool wait) {
  PageCache& cache = filemap_.cache();
  std::uint64_t extra = 0;
  for (std::uint64_t p = r.start; p < r.end(); ++p) extra += p != fpage && !cache.contains({m.file, p});
  acct_.count(t, &Counters::readahead_pages, extra);
  if (extra && !t.setup) filemap_.trace_readahead(t, m.file, r.start, extra, why);
  const unsigned order = m.ra.off() ? 0 : m.ra.folio_order(filemap_.max_folio_order());
  filemap_.read_into_cache(t, m.file, r, wait, !wait, order);
}

// do_fault_around / filemap_map_pages (Linux 6.18): the faulting page, its cached,
// up-to-date neighbours in the aligned window, and whole large folios that may be
// mapped at once (AddressSpace::fault_map_ranges says which).
std::uint64_t Mm::map_fault_around(Thread& t, Mapping& m, const Vma& v, std::uint64_t vpage) {
  AddressSpace& mm = t.proc->mm;
  PageCache& cache = filemap_.cache();
  const std::uint64_t file_pages = pages_spanned(0, filemap_.file_size(m.file));
  std::uint64_t mapped = 0;
  auto folio_of = [&](std::uint64_t fpage) { return cache.folio_of({m.file, fpage}); };
  for (const PageRange& r : mm.fault_map_ranges(vpage, acct_.machine().mm, file_pages, folio_of)) {
    for (std::uint64_t vp = r.start; vp < r.end(); ++vp) {
      if (mm.pte(vp)) continue;
      PageKey k{m.file, v.file_page(vp)};
      if (vp != vpage && (!cache.contains(k) || filemap_.reading(k))) continue;
      if (vp != vpage && k.index == m.ra.marker()) continue;  // next_uptodate_folio skips PG_readahead
      // A read fault maps read-only, a shared writable VMA too (vma_wants_writenotify):
      // the first store calls page_mkwrite (wp_page_shared).
      mm.set_pte(vp, Pte{k, false});
      cache.map(k);  // folio_add_file_rmap_ptes
      ++mapped;
    }
  }
  return mapped;
}

// A write to a present, read-only page of a writable private VMA (do_wp_page): after
// fork or on a MAP_PRIVATE file page. A shared frame is copied (wp_page_copy); the
// last mapper of an anonymous frame just gets write permission (wp_page_reuse).
// Either way the old translation is invalidated, here and on the mm's other cores.
void Mm::write_protect_fault(Thread& t, std::uint64_t vpage, bool user_mode) {
  AddressSpace& mm = t.proc->mm;
  WriteFault kind = mm.write_fault_kind(vpage, frames_);
  if (kind == WriteFault::none) return;
  const auto& cpu = acct_.machine().cpu;
  acct_.flush_cpu(t);
  double t0 = acct_.now();
  if (user_mode) acct_.count(t, &Counters::mode_switches, 2);
  acct_.count(t, &Counters::page_faults_minor, 1);
  acct_.cpu(t, TimeCat::fault, cpu.minor_fault_ns);
  const PageKey old = mm.pte(vpage)->page;
  const bool from_cache = !mm.pte(vpage)->anon(), zero = mm.pte(vpage)->zero_page();
  mm.resolve_write_fault(vpage, frames_);
  if (kind == WriteFault::copy) mm.set_anon_vma(vpage);
  if (from_cache && kind == WriteFault::copy) filemap_.cache().unmap(old);  // the PTE now maps a private copy
  if (zero) {  // wp_page_copy from the zero page: a zeroed frame, nothing copied
    acct_.cpu(t, TimeCat::fault, double(kPageSize) / cpu.copy_bytes_per_s * 1e9);
    acct_.count(t, &Counters::pages_mapped, 1);
  } else if (kind == WriteFault::copy) {
    acct_.count(t, &Counters::cow_faults, 1);
    acct_.cpu_copy(t, kPageSize, from_cache ? Place::page_cache : Place::mapping, Place::mapping);
  }
  acct_.cpu(t, TimeCat::fault, cpu.map_page_ns);
  tlbs_.flush_pages(t, {vpage});
  acct_.flush_cpu(t);
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(acct_.now() - t0);
  e.kind = kind == WriteFault::copy && !zero ? EventKind::cow_fault : EventKind::page_fault_minor;
  e.name = zero ? "wp_page_copy: a zeroed frame for the zero page"
                : kind == WriteFault::copy ? "wp_page_copy" : schema::note::wp_page_reuse.data();
  e.page = std::int64_t(vpage);
  e.pages = 1;
  e.user_mode = user_mode;
  if (const Pte* now = mm.pte(vpage); now && now->anon() && !now->zero_page()) e.frame = std::int64_t(now->page.index);
  if (kind == WriteFault::copy && !from_cache && !zero) e.old_frame = std::int64_t(old.index);
  acct_.trace(t, e);
}

// do_wp_page on a read-only PTE of a shared writable file VMA -> wp_page_shared:
// do_page_mkwrite (the file system may allocate blocks: ext4_page_mkwrite), then
// wp_page_reuse makes the PTE writable and dirty. A minor fault, nothing newly mapped.
void Mm::shared_write_fault(Thread& t, std::uint64_t vpage, bool user_mode) {
  AddressSpace& mm = t.proc->mm;
  Pte p = *mm.pte(vpage);
  const auto& cpu = acct_.machine().cpu;
  acct_.flush_cpu(t);
  const double t0 = acct_.now();
  if (user_mode) acct_.count(t, &Counters::mode_switches, 2);
  acct_.count(t, &Counters::page_faults_minor, 1);
  acct_.cpu(t, TimeCat::fault, cpu.minor_fault_ns);
  p.writable = true;
  mm.set_pte(vpage, p);
  tlbs_.flush_pages(t, {vpage});
  acct_.flush_cpu(t);
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(acct_.now() - t0);
  e.kind = EventKind::page_fault_minor;
  e.name = "wp_page_shared: page_mkwrite";
  e.file = p.page.file;
  e.page = std::int64_t(p.page.index);
  e.pages = 0;  // nothing newly mapped
  e.user_mode = user_mode;
  acct_.trace(t, e);
}

// A write to a page-cache page that an skb or a pipe still references (sendfile,
// splice in flight; an skb holds its pages until the ACK). Linux write-protects
// nothing for them: tcp_sendmsg_locked (MSG_SPLICE_PAGES), splice_to_socket and
// filemap_splice_read take page references only, and folio_wait_stable waits for
// block writeback alone. So by default (overwrite) the write lands, the new bytes go
// out (or go out again, when the skb is resent), and it is counted and traced.
// copy and wait are what-if policies, what a stable-pages design would cost: the page
// is write-protected while held, so a store through a mapping faults (a minor fault
// in user mode; write() takes none), then copy: the kernel copies the page for the
// skb (a CoW fault with its CPU copy); wait: the writer sleeps until the references go.
bool Mm::write_to_held_page(Thread& t, PageKey k, bool user_mode) {
  PageCache& cache = filemap_.cache();
  if (t.setup || cache.refcount(k) == 0 || filemap_.reading(k)) return false;
  const auto policy = acct_.machine().write_during_send;
  if (policy == Machine::WriteDuringSend::overwrite) {
    acct_.count(t, &Counters::inflight_overwrites, 1);
    TraceEvent e;
    e.t_ns = std::int64_t(acct_.now());
    e.kind = EventKind::page_ref_move;
    e.to = Place::wire;
    e.name = schema::note::inflight_overwrite;
    e.file = k.file;
    e.page = std::int64_t(k.index);
    e.pages = 1;
    e.user_mode = user_mode;
    acct_.trace(t, e);
    return false;
  }
  acct_.flush_cpu(t);
  double t0 = acct_.now();
  if (user_mode) {
    acct_.count(t, &Counters::mode_switches, 2);
    acct_.count(t, &Counters::page_faults_minor, 1);
    acct_.cpu(t, TimeCat::fault, acct_.machine().cpu.minor_fault_ns);
  }
  if (policy == Machine::WriteDuringSend::wait) {
    if (user_mode) {
      TraceEvent f;
      f.t_ns = std::int64_t(t0);
      f.kind = EventKind::page_fault_minor;
      f.name = schema::note::pinned_write_wait;
      f.file = k.file;
      f.page = std::int64_t(k.index);
      f.user_mode = true;  // pages 0: nothing newly mapped
      acct_.trace(t, f);
    }
    acct_.block(t, TimeCat::wire, filemap_.changed(), [&] { return cache.refcount(k) == 0; },
                schema::note::pinned_write_wait.data());
    return user_mode;
  }
  if (user_mode) acct_.count(t, &Counters::cow_faults, 1);
  acct_.cpu_copy(t, kPageSize, Place::page_cache, Place::socket_buffer);
  if (!user_mode) return false;
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(acct_.now() - t0);
  e.kind = EventKind::cow_fault;
  e.name = "write during send: copy for the wire (what-if)";
  e.file = k.file;
  e.page = std::int64_t(k.index);
  e.pages = 1;
  e.user_mode = true;
  acct_.trace(t, e);
  return true;
}

void Mm::touch(Thread& t, Mapping& m, std::uint64_t offset, std::uint64_t bytes, bool write) {
  acct_.set_current(&t);
  tlbs_.ran_on_core(t);
  AddressSpace& mm = t.proc->mm;
  std::uint64_t first = m.start + offset / kPageSize;
  std::uint64_t n = pages_spanned(offset % kPageSize, bytes);
  n = std::min(n, m.pages > offset / kPageSize ? m.pages - offset / kPageSize : 0);
  std::uint64_t misses = 0, from = first;
  // The misses so far go in the trace before a fault, so that a player of the trace
  // sees the fills before the fault's invalidation (the order the TLB saw them).
  auto trace_misses = [&](std::uint64_t end) {
    tlbs_.trace_misses(t, misses, from, end - from);
    misses = 0;
    from = end;
  };
  for (std::uint64_t vp = first; vp < first + n; ++vp) {
    misses += !tlbs_.access(t, vp);
    const Pte* pte = mm.pte(vp);
    if (!pte) {
      FaultRequest fault_request(acct_, t);
      fault(t, m, vp, true, write);
      pte = mm.pte(vp);
    }
    mm.mark_young(vp);
    if (!write || !pte) continue;
    const Vma* vma = mm.vma_at(vp);
    if (!vma) continue;
    if (!pte->writable && vma->is_private()) {
      trace_misses(vp + 1);
      FaultRequest fault_request(acct_, t);
      write_protect_fault(t, vp, true);
    } else if (vma->kind == VmaKind::file_shared) {
      const PageKey k = pte->page;
      // A what-if stable-pages policy faults on a held page: page_mkwrite is that fault's.
      const bool faulted = write_to_held_page(t, k, true);
      pte = mm.pte(vp);  // the wait policy slept: the PTE may have gone meanwhile
      if (pte && !pte->writable && vma->writable) {
        if (faulted) {
          mm.set_pte(vp, Pte{k, true, true});
        } else {
          FaultRequest fault_request(acct_, t);
          shared_write_fault(t, vp, true);
        }
      }
      if (!t.setup) filemap_.dirtied_by_store(t, k);
    }
  }
  acct_.cpu(t, TimeCat::user, double(bytes) / acct_.machine().cpu.touch_bytes_per_s * 1e9);
  trace_misses(first + n);
  acct_.set_current(nullptr);
}

// ---- fork ---------------------------------------------------------------------------

// Copy the VMAs and page tables, write-protect private pages in both, and flush the
// parent's TLB if any PTE lost its write permission.
void Mm::fork_mm(Thread& parent, Process& child) {
  const auto& cpu = acct_.machine().cpu;
  std::uint32_t asid = child.mm.asid;
  std::uint64_t ptes = parent.proc->mm.present_pages(), prot = 0;
  std::vector<PageKey> file_pages;
  child.mm = parent.proc->mm.fork(frames_, &prot, &file_pages);
  child.mm.asid = asid;
  for (const PageKey& k : file_pages) filemap_.cache().map(k);
  for (std::uint64_t start : child.mm.vma_starts()) rmap_.add(&child.mm, start);
  acct_.cpu(parent, TimeCat::syscall, cpu.vma_ns + double(ptes) * cpu.map_page_ns);
  if (prot) tlbs_.flush_mm(parent);
}

// Frames the child shared with the parent have one mapper again, and the parent's
// later writes reuse them without a copy.
void Mm::exit_mm(Process& p) {
  std::vector<PageKey> file_pages;
  rmap_.remove_all(&p.mm);
  p.mm.unmap_all(&frames_, &file_pages);
  unmapped_file_pages(file_pages);
  tlbs_.drop_asid(p.mm.asid);
}

// ---- the reverse map, for reclaim ----------------------------------------------------

void Mm::unmapped_file_pages(const std::vector<PageKey>& pages) {
  for (const PageKey& k : pages) filemap_.cache().unmap(k);
}

// folio_referenced -> folio_referenced_one: each PTE's accessed bit, tested and cleared.
int Mm::referenced(PageKey k) {
  int young = 0;
  rmap_.walk(k, [&](AddressSpace& as, std::uint64_t vp) { young += as.test_clear_young(vp); });
  return young;
}

// try_to_unmap -> try_to_unmap_one: the PTE goes, its TLB entries with it, here and on
// the other cores of that mm (counted to the reclaiming thread). A later touch faults.
void Mm::unmap(PageKey k) {
  Thread* t = acct_.current();
  rmap_.walk(k, [&](AddressSpace& as, std::uint64_t vp) {
    as.clear_pte(vp);
    filemap_.cache().unmap(k);
    if (t) tlbs_.unmap_page(*t, as, vp, "try_to_unmap");
  });
}

// folio_mkclean -> page_vma_mkclean_one: each writable PTE of `k` is write-protected
// and flushed (counted to the thread that started the writeback, if one did: fsync;
// the flusher's own TLB work is not counted).
void Mm::mkclean(PageKey k) {
  Thread* t = acct_.current();
  rmap_.walk(k, [&](AddressSpace& as, std::uint64_t vp) {
    Pte p = *as.pte(vp);
    if (!p.writable) return;
    p.writable = false;
    as.set_pte(vp, p);
    if (t && !t->setup) tlbs_.unmap_page(*t, as, vp, "folio_mkclean");
    else tlbs_.invalidate_everywhere(as, vp);
  });
}

void Mm::unmap_mapping_page(Thread& t, PageKey k) {
  if (filemap_.cache().mapcount(k) == 0) return;
  Thread* was = acct_.current();
  acct_.set_current(&t);
  unmap(k);
  acct_.set_current(was);
}

}  // namespace kiosim
