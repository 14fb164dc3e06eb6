// Memory mapping paths: mmap, munmap, user-space touches, page faults, copy-on-write
// and fork's address-space copy (mm/mmap.c; mm/memory.c do_read_fault /
// do_fault_around / do_cow_fault / do_shared_fault / do_anonymous_page / do_wp_page;
// mm/filemap.c filemap_fault with its mmap readahead window; kernel/fork.c dup_mmap).
// A MAP_SHARED file VMA wants write notification (vma_wants_writenotify: ext4 has
// page_mkwrite), so its pages are mapped read-only: a write to an unmapped page is
// do_shared_fault (that page alone, no fault-around, page_mkwrite, mapped writable);
// a write to a read-only one is wp_page_shared (page_mkwrite, made writable); writeback
// write-protects them again (folio_mkclean), so the next store after it faults again.
//
// Counting rules (MODEL.md sections 1 and 4):
// - every fault is a minor or a major fault, as ru_minflt / ru_majflt count them;
//   a CoW fault is also counted in cow_faults (so cow_faults <= faults);
// - a fault taken in user mode adds two mode switches, one taken inside a syscall none;
// - user-space touches look each page up once in the TLB of the thread's core
//   (one access per page per touch); copy_from_user inside write() is not looked up,
//   so the copy table's time stays that of the foundation.
// Owns the private frames (anonymous pages, CoW copies). Calls accounting, the page
// cache and the TLBs.
#pragma once
#include <cstdint>
#include <memory>

#include "model/address_space.h"
#include "model/rmap.h"
#include "sim/kernel/accounting.h"
#include "sim/kernel/filemap.h"
#include "sim/kernel/tlbs.h"

namespace kiosim {

// Also the reverse map of file pages (model/rmap.h) that reclaim walks: Mm keeps each
// cached page's mapcount as PTEs come and go, and answers folio_referenced and
// try_to_unmap for the page cache.
class Mm final : private RmapWalker {
 public:
  Mm(Accounting& acct, Filemap& filemap, Tlbs& tlbs) : acct_(acct), filemap_(filemap), tlbs_(tlbs) {
    filemap_.cache().set_rmap(this);
  }
  ~Mm() override { filemap_.cache().set_rmap(nullptr); }
  Mm(const Mm&) = delete;
  Mm& operator=(const Mm&) = delete;

  Mapping mmap(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t length, bool shared,
                                bool writable);
  // mmap(MAP_PRIVATE | MAP_ANONYMOUS): zero-filled memory, a frame per page on first touch.
  Mapping mmap_anon(Thread& t, std::uint64_t length, bool writable);
  void munmap(Thread& t, Mapping& m);
  void touch(Thread& t, Mapping& m, std::uint64_t offset, std::uint64_t bytes, bool write);
  // A fault at a not-present `vpage`, in user mode or inside a syscall (copy_from_user).
  void fault(Thread& t, Mapping& m, std::uint64_t vpage, bool user_mode, bool write = false);

  // fork: the child's copy of the parent's address space (dup_mmap / copy_page_range),
  // private pages write-protected in both; and exit_mmap when the child ends.
  void fork_mm(Thread& parent, Process& child);
  void exit_mm(Process& p);
  // unmap_mapping_folio: every PTE of page-cache page `k` goes, in every address
  // space, with its TLB entries (before the page is invalidated: O_DIRECT write).
  void unmap_mapping_page(Thread& t, PageKey k);

  // A write to cached page `k` (a store through a shared mapping, or write()): if an
  // skb or a pipe still holds it, what mm.write_during_send does.
  // True when it took a fault in user mode (the what-if policies copy and wait).
  bool write_to_held_page(Thread& t, PageKey k, bool user_mode);

 private:
  void anonymous_fault(Thread& t, const Vma& v, std::uint64_t vpage, bool write, double t0, TraceEvent e);
  bool file_fault_read(Thread& t, Mapping& m, std::uint64_t fpage);  // true: a major fault
  void read_ahead(Thread& t, Mapping& m, PageRange r, std::uint64_t fpage, const char* why, bool wait);
  std::uint64_t map_fault_around(Thread& t, Mapping& m, const Vma& v, std::uint64_t vpage);
  void write_protect_fault(Thread& t, std::uint64_t vpage, bool user_mode);
  void unmapped_file_pages(const std::vector<PageKey>& pages);  // their mapcounts drop
  int referenced(PageKey k) override;  // folio_referenced
  void unmap(PageKey k) override;      // try_to_unmap
  void mkclean(PageKey k) override;    // folio_mkclean
  // do_wp_page -> wp_page_shared on a MAP_SHARED file page: page_mkwrite, writable PTE.
  void shared_write_fault(Thread& t, std::uint64_t vpage, bool user_mode);

  Accounting& acct_;
  Filemap& filemap_;
  Tlbs& tlbs_;
  FrameTable frames_;
  FileRmap rmap_;
};

}  // namespace kiosim
