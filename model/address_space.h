// A process's address space, after mm/mmap.c and mm/memory.c: VMAs (anonymous,
// file shared, file private; read/write) and a page table from virtual page to a
// file page with permissions. Threads of a process share one.
// fault_around_range() is mm/memory.c do_fault_around(): a read fault on a file
// mapping maps the cached pages of the aligned fault_around window around it.
// Simplified: page-granular virtual addresses starting at a fixed base; no
// huge pages in page tables; anonymous pages are numbered per address space.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>

#include "model/page.h"
#include "model/readahead.h"

namespace kiosim {

enum class VmaKind : std::uint8_t { anonymous, file_shared, file_private };

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
};

struct Pte {
  PageKey page{};        // the page-cache page (file mappings) or anonymous page
  bool writable = false;
};

struct MmParams {
  std::uint64_t fault_around_pages = 16;  // mm.fault_around / 4 KiB (64 KiB)
};

class AddressSpace {
 public:
  // mmap(): returns the first virtual page of the new VMA.
  std::uint64_t map(Vma v);
  // munmap() of the VMA starting at `start`; returns the pages that were present.
  std::uint64_t unmap(std::uint64_t start);
  const Vma* vma_at(std::uint64_t vpage) const;
  const Pte* pte(std::uint64_t vpage) const;
  void set_pte(std::uint64_t vpage, Pte p) { ptes_[vpage] = p; }
  std::uint64_t present_pages() const { return ptes_.size(); }

  // The aligned window of fault-around pages containing `vpage`, clipped to its VMA.
  PageRange fault_around_range(std::uint64_t vpage, const MmParams& p) const;

 private:
  std::map<std::uint64_t, Vma> vmas_;  // by start page
  std::unordered_map<std::uint64_t, Pte> ptes_;
  std::uint64_t next_start_ = 0x10000;  // virtual page where the next mapping goes
};

}  // namespace kiosim
