// Memory mapping paths: mmap, munmap, user-space touches, page faults, copy-on-write
// and fork's address-space copy (mm/mmap.c; mm/memory.c do_read_fault /
// do_fault_around / do_cow_fault / do_anonymous_page / do_wp_page; mm/filemap.c
// filemap_fault with its mmap readahead window; kernel/fork.c dup_mmap).
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
#include "sim/kernel/accounting.h"
#include "sim/kernel/filemap.h"
#include "sim/kernel/tlbs.h"

namespace kiosim {

class Mm {
 public:
  Mm(Accounting& acct, Filemap& filemap, Tlbs& tlbs) : acct_(acct), filemap_(filemap), tlbs_(tlbs) {}

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

  // A write to cached page `k` (a store through a shared mapping, or write()): if an
  // skb or a pipe still holds it, what mm.write_during_send does.
  void write_to_held_page(Thread& t, PageKey k, bool user_mode);

 private:
  void anonymous_fault(Thread& t, const Vma& v, std::uint64_t vpage, double t0, TraceEvent e);
  bool file_fault_read(Thread& t, Mapping& m, std::uint64_t fpage);  // true: a major fault
  std::uint64_t map_fault_around(Thread& t, Mapping& m, const Vma& v, std::uint64_t vpage);
  void write_protect_fault(Thread& t, std::uint64_t vpage, bool user_mode);

  Accounting& acct_;
  Filemap& filemap_;
  Tlbs& tlbs_;
  FrameTable frames_;
};

}  // namespace kiosim
