// The TLBs of the cores and their flushes (arch/x86/mm/tlb.c flush_tlb_mm_range,
// native_flush_tlb_multi): one TLB per core (model/tlb.h); a changed or removed PTE
// drops its translation here and, by a shootdown IPI, on every other core the
// address space ran on, while the initiator waits for their acknowledgements.
// Calls accounting.
#pragma once
#include <cstdint>
#include <vector>

#include "model/tlb.h"
#include "sim/kernel/accounting.h"

namespace kiosim {

class Tlbs {
 public:
  explicit Tlbs(Accounting& acct);
  std::uint32_t cores() const { return std::uint32_t(tlbs_.size()); }

  void ran_on_core(Thread& t) { t.proc->mm.ran_on(t.core); }
  // A user-space access of `vpage`: a hit, or a miss and its page walk (false).
  bool access(Thread& t, std::uint64_t vpage);
  // The misses of one touch of `span` pages from `first`, as one `tlb_miss` event (one
  // per access would flood the trace).
  void trace_misses(Thread& t, std::uint64_t misses, std::uint64_t first, std::uint64_t span);
  // After PTEs of `vpages` changed or went: one page each below the threshold, else a
  // full flush; plus a shootdown IPI to each other core of the mm.
  void flush_pages(Thread& t, const std::vector<std::uint64_t>& vpages);
  void flush_mm(Thread& t);                // flush_tlb_mm: every translation of the mm, everywhere
  // try_to_unmap_one's ptep_clear_flush: `vpage` of `mm` (not necessarily t's) goes from
  // every TLB, with an IPI to each core the mm ran on but t's; counted to t.
  // `why`: try_to_unmap, folio_mkclean.
  void unmap_page(Thread& t, AddressSpace& mm, std::uint64_t vpage, const char* why);
  // A kernel thread changed the PTE (the flusher's folio_mkclean): the translation goes
  // from every core; kiosim does not count a kernel thread's TLB work.
  void invalidate_everywhere(AddressSpace& mm, std::uint64_t vpage);
  void drop_asid(std::uint32_t asid);      // the address space is gone (exit_mmap)

 private:
  Tlb& of(std::uint32_t core) { return tlbs_[core % tlbs_.size()]; }
  void trace_tlb(Thread& t, EventKind kind, std::uint64_t pages, const char* why, std::int64_t vpage = -1,
                 std::int64_t mm = -1, std::uint64_t cpus = 0, std::uint64_t span = 0);
  static std::uint64_t mask(const std::vector<std::uint32_t>& cores);

  Accounting& acct_;
  std::vector<Tlb> tlbs_;
};

}  // namespace kiosim
