// A process's address space, after mm/mmap.c, mm/memory.c and kernel/fork.c: VMAs
// (anonymous, file shared, file private; read/write) and a page table from virtual
// page to a page-cache page or a private frame, with permissions. Threads of a
// process share one.
// fault_map_ranges() is mm/memory.c do_fault_around() + mm/filemap.c filemap_map_pages()
// as Linux 6.18 has them: a read fault on a file mapping maps the pages of the aligned
// fault-around window around it (never past the end of the file), and a whole large
// folio met in the window when it lies inside the VMA and one page-table (PMD) range
// and is not the folio that ends at the end of the file (file_end >= folio_next_index).
// fork() is kernel/fork.c dup_mmap() + copy_page_range(): the child gets the VMAs and
// the page table; private writable pages become read-only in both, and the first
// write by either side copies (wp_page_copy) unless it is the frame's last user
// (wp_page_reuse).
// The ran-on set is mm_cpumask(): the cores that may cache this address space's
// translations, which a shootdown must reach (arch/x86/mm/tlb.c).
// fork() copies the PTEs of the VMAs that have an anon_vma only (vma_needs_copy): an
// anonymous VMA gets one at its first write fault, a private file VMA at its first CoW;
// the child faults the others in lazily. An anonymous read fault maps the shared zero
// page (do_anonymous_page); the first write to it gets a zeroed frame of its own.
// Simplified: page-granular virtual addresses starting at a fixed base; the PMD-range
// test is made in file pages (file mappings are taken to be PMD-aligned, as
// thp_get_unmapped_area places those of 2 MiB and more); no huge page-table entries
// (a folio is mapped by one fault, as many PTEs); anonymous frames are numbered by a
// FrameTable the kernel owns; no swap.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "model/folio.h"
#include "model/page.h"
#include "model/readahead.h"

namespace kiosim {

enum class VmaKind : std::uint8_t { anonymous, file_shared, file_private };

// The pseudo-file of private frames (anonymous pages and CoW copies): PageKey{kAnonFile, frame}.
inline constexpr FileId kAnonFile = ~FileId(0);
// The shared zero page (ZERO_PAGE): PageKey{kAnonFile, kZeroFrame}, mapped read-only.
inline constexpr std::uint64_t kZeroFrame = ~std::uint64_t(0);
inline constexpr std::uint64_t kPmdPages = 512;  // pages one page table (PMD entry) covers

struct Vma {
  std::uint64_t start = 0;      // first virtual page
  std::uint64_t pages = 0;
  VmaKind kind = VmaKind::file_shared;
  FileId file = 0;
  std::uint64_t file_first_page = 0;  // file page mapped at `start`
  bool writable = false;
  bool anon_vma = false;  // has private (anonymous) pages: fork copies its PTEs
  std::uint64_t end() const { return start + pages; }
  bool contains(std::uint64_t vpage) const { return vpage >= start && vpage < end(); }
  std::uint64_t file_page(std::uint64_t vpage) const { return file_first_page + (vpage - start); }
  bool is_private() const { return kind != VmaKind::file_shared; }
};

struct Pte {
  PageKey page{};        // the page-cache page (file mappings) or {kAnonFile, frame}
  bool writable = false;
  bool young = true;     // the accessed bit: set by the fault and by every touch; reclaim clears it
  bool anon() const { return page.file == kAnonFile; }
  bool zero_page() const { return anon() && page.index == kZeroFrame; }
};

struct MmParams {
  std::uint64_t fault_around_pages = 16;  // mm.fault_around / 4 KiB (64 KiB)
  std::uint64_t folio_pages = 512;        // mm.folio / 4 KiB: the largest folio (mapping_max_folio_order)
  std::uint64_t flush_threshold = 33;     // mm.flush_threshold: above this, munmap flushes the whole TLB
};

// Private frames and how many page tables map each (page_mapcount), for CoW.
class FrameTable {
 public:
  std::uint64_t alloc() {
    map_[next_] = 1;
    return next_++;
  }
  void get(std::uint64_t f) {
    if (f != kZeroFrame) ++map_[f];
  }
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
  // Anonymous frames go back to `frames` when given; the page-cache pages whose PTEs
  // went are added to `file_pages` when given (their mapcount drops).
  std::uint64_t unmap(std::uint64_t start, FrameTable* frames = nullptr, std::vector<PageKey>* file_pages = nullptr);
  // The virtual pages of the VMA at `start` that have a PTE (what munmap must invalidate).
  std::vector<std::uint64_t> present_in(std::uint64_t start) const;
  // exit_mmap(): every VMA goes; returns the pages that were present.
  std::uint64_t unmap_all(FrameTable* frames = nullptr, std::vector<PageKey>* file_pages = nullptr);
  // The VMAs, by start page.
  std::vector<std::uint64_t> vma_starts() const;
  const Vma* vma_at(std::uint64_t vpage) const;
  const Pte* pte(std::uint64_t vpage) const;
  void set_pte(std::uint64_t vpage, Pte p) { ptes_[vpage] = p; }
  // try_to_unmap_one: the PTE goes; true if there was one.
  bool clear_pte(std::uint64_t vpage) { return ptes_.erase(vpage) > 0; }
  // The hardware sets the accessed bit on an access; ptep_clear_flush_young tests and clears it.
  void mark_young(std::uint64_t vpage) {
    if (auto it = ptes_.find(vpage); it != ptes_.end()) it->second.young = true;
  }
  bool test_clear_young(std::uint64_t vpage) {
    auto it = ptes_.find(vpage);
    if (it == ptes_.end() || !it->second.young) return false;
    it->second.young = false;
    return true;
  }
  std::uint64_t present_pages() const { return ptes_.size(); }

  // The aligned window of fault-around pages containing `vpage`, clipped to its VMA.
  PageRange fault_around_range(std::uint64_t vpage, const MmParams& p) const;
  // The virtual page ranges a read fault at `vpage` maps (filemap_map_pages), given the
  // file's size in pages and the folio of each file page (`folio_of`).
  std::vector<PageRange> fault_map_ranges(std::uint64_t vpage, const MmParams& p, std::uint64_t file_pages,
                                          const std::function<FolioSpan(std::uint64_t)>& folio_of) const;
  // The VMA holding `vpage` now has an anon_vma (anon_vma_prepare).
  void set_anon_vma(std::uint64_t vpage);

  // fork(): the child's address space. Private writable PTEs become read-only in
  // both; anonymous frames gain a mapper. Returns the child; `protected_pages`
  // tells how many of the parent's PTEs lost write permission (the parent's TLB
  // must then be flushed).
  // `file_pages`, when given, gets the page-cache pages the child's copied PTEs map.
  AddressSpace fork(FrameTable& frames, std::uint64_t* protected_pages = nullptr,
                    std::vector<PageKey>* file_pages = nullptr);
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
