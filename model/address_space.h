// A process's address space, after mm/mmap.c, mm/memory.c and kernel/fork.c: VMAs
// (anonymous, file shared, file private; read/write) and a page table from virtual
// page to a page-cache page or a private frame, with permissions. Threads of a
// process share one.
// fault_map_range() is mm/memory.c do_fault_around() + filemap_map_pages(): a read
// fault on a file mapping maps the cached pages of the aligned fault-around window
// around it, and (large folios) the whole folio the page belongs to.
// fork() is kernel/fork.c dup_mmap() + copy_page_range(): the child gets the VMAs and
// the page table; private writable pages become read-only in both, and the first
// write by either side copies (wp_page_copy) unless it is the frame's last user
// (wp_page_reuse).
// The ran-on set is mm_cpumask(): the cores that may cache this address space's
// translations, which a shootdown must reach (arch/x86/mm/tlb.c).
// Simplified: page-granular virtual addresses starting at a fixed base; no huge
// page-table entries (a folio is mapped by one fault, as many PTEs); anonymous frames
// are numbered by a FrameTable the kernel owns; no swap.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "model/page.h"
#include "model/readahead.h"

namespace kiosim {

enum class VmaKind : std::uint8_t { anonymous, file_shared, file_private };

// The pseudo-file of private frames (anonymous pages and CoW copies): PageKey{kAnonFile, frame}.
inline constexpr FileId kAnonFile = ~FileId(0);

struct Vma {
  std::uint64_t start = 0;      // first virtual page
  std::uint64_t pages = 0;
  VmaKind kind = VmaKind::file_shared;
  FileId file = 0;
  std::uint64_t file_first_page = 0;  // file page mapped at `start`
  bool writable = false;
  std::uint64_t end() const { return start + pages; }
  bool contains(std::uint64_t vpage) const { return vpage >= start && vpage < end(); }
  std::uint64_t file_page(std::uint64_t vpage) const { return file_first_page + (vpage - start); }
  bool is_private() const { return kind != VmaKind::file_shared; }
};

struct Pte {
  PageKey page{};        // the page-cache page (file mappings) or {kAnonFile, frame}
  bool writable = false;
  bool anon() const { return page.file == kAnonFile; }
};

struct MmParams {
  std::uint64_t fault_around_pages = 16;  // mm.fault_around / 4 KiB (64 KiB)
  std::uint64_t folio_pages = 1;          // mm.folio / 4 KiB: pages one fault maps as a folio
  std::uint64_t flush_threshold = 33;     // mm.flush_threshold: above this, munmap flushes the whole TLB
};

// Private frames and how many page tables map each (page_mapcount), for CoW.
class FrameTable {
 public:
  std::uint64_t alloc() {
    map_[next_] = 1;
    return next_++;
  }
  void get(std::uint64_t f) { ++map_[f]; }
  void put(std::uint64_t f) {
    auto it = map_.find(f);
    if (it != map_.end() && --it->second == 0) map_.erase(it);
  }
  std::uint32_t mapcount(std::uint64_t f) const {
    auto it = map_.find(f);
    return it == map_.end() ? 0 : it->second;
  }
  std::uint64_t frames() const { return map_.size(); }

 private:
  std::unordered_map<std::uint64_t, std::uint32_t> map_;
  std::uint64_t next_ = 0;
};

// What a write to a present, read-only page of a private VMA does (do_wp_page).
enum class WriteFault : std::uint8_t {
  none,   // the PTE is writable already (or the VMA is not writable: not ours to decide)
  copy,   // wp_page_copy: a new frame, one page copied by the CPU
  reuse,  // wp_page_reuse: the last user of an anonymous frame just gets write permission
};

class AddressSpace {
 public:
  std::uint32_t asid = 0;  // the TLB tag (PCID); the kernel numbers address spaces

  // mmap(): returns the first virtual page of the new VMA.
  std::uint64_t map(Vma v);
  // munmap() of the VMA starting at `start`; returns the pages that were present.
  // Anonymous frames go back to `frames` when given.
  std::uint64_t unmap(std::uint64_t start, FrameTable* frames = nullptr);
  // The virtual pages of the VMA at `start` that have a PTE (what munmap must invalidate).
  std::vector<std::uint64_t> present_in(std::uint64_t start) const;
  // exit_mmap(): every VMA goes; returns the pages that were present.
  std::uint64_t unmap_all(FrameTable* frames = nullptr);
  const Vma* vma_at(std::uint64_t vpage) const;
  const Pte* pte(std::uint64_t vpage) const;
  void set_pte(std::uint64_t vpage, Pte p) { ptes_[vpage] = p; }
  std::uint64_t present_pages() const { return ptes_.size(); }

  // The aligned window of fault-around pages containing `vpage`, clipped to its VMA.
  PageRange fault_around_range(std::uint64_t vpage, const MmParams& p) const;
  // The aligned folio containing `vpage` (folio_pages, aligned in the file), clipped to its VMA.
  PageRange folio_range(std::uint64_t vpage, const MmParams& p) const;
  // Pages a read fault at `vpage` may map: the fault-around window and the folio, together.
  PageRange fault_map_range(std::uint64_t vpage, const MmParams& p) const;

  // fork(): the child's address space. Private writable PTEs become read-only in
  // both; anonymous frames gain a mapper. Returns the child; `protected_pages`
  // tells how many of the parent's PTEs lost write permission (the parent's TLB
  // must then be flushed).
  AddressSpace fork(FrameTable& frames, std::uint64_t* protected_pages = nullptr);
  // What a write to `vpage` needs (the PTE must be present).
  WriteFault write_fault_kind(std::uint64_t vpage, const FrameTable& frames) const;
  // Resolves a write fault: copy -> a new frame (the old one loses a mapper), writable;
  // reuse -> the same frame, writable. Returns what it did.
  WriteFault resolve_write_fault(std::uint64_t vpage, FrameTable& frames);

  // mm_cpumask: the cores a thread of this address space ran on since their last flush.
  void ran_on(std::uint32_t core) { cpus_ |= 1ULL << (core % 64); }
  bool has_run_on(std::uint32_t core) const { return cpus_ >> (core % 64) & 1; }
  // The other cores a shootdown must reach from `self`; they leave the set (their
  // TLBs are flushed by the IPI) until a thread runs there again.
  std::vector<std::uint32_t> shootdown_targets(std::uint32_t self);

 private:
  std::map<std::uint64_t, Vma> vmas_;  // by start page
  std::unordered_map<std::uint64_t, Pte> ptes_;
  std::uint64_t next_start_ = 0x10000;  // virtual page where the next mapping goes
  std::uint64_t cpus_ = 0;
};

}  // namespace kiosim
