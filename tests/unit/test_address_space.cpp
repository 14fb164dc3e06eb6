// VMAs and the fault-around window (model/address_space.h).
#include <catch2/catch.hpp>

#include "model/address_space.h"

using namespace kiosim;

TEST_CASE("fault-around takes the aligned 16-page window, clipped to the VMA", "[mm]") {
  AddressSpace as;
  MmParams p;  // 64 KiB = 16 pages
  Vma v;
  v.pages = 40;  // file pages 0..39
  std::uint64_t start = as.map(v);
  // A fault on file page 20 maps the window of pages 16..31.
  PageRange w = as.fault_around_range(start + 20, p);
  CHECK(w.start == start + 16);
  CHECK(w.count == 16);
  // A fault on page 37 maps 32..39: the VMA ends at 40.
  w = as.fault_around_range(start + 37, p);
  CHECK(w.start == start + 32);
  CHECK(w.count == 8);
}

TEST_CASE("a mapping of a file from page 8 aligns the window in the file", "[mm]") {
  AddressSpace as;
  MmParams p;
  Vma v;
  v.pages = 32;
  v.file_first_page = 8;  // virtual page start maps file page 8
  std::uint64_t start = as.map(v);
  // File page 8 is in the file window 0..15, of which only 8..15 are mapped: 8 pages.
  PageRange w = as.fault_around_range(start, p);
  CHECK(w.start == start);
  CHECK(w.count == 8);
}

TEST_CASE("munmap removes the VMA and its page-table entries", "[mm]") {
  AddressSpace as;
  Vma v;
  v.pages = 4;
  std::uint64_t start = as.map(v);
  as.set_pte(start, Pte{PageKey{0, 0}, false});
  as.set_pte(start + 1, Pte{PageKey{0, 1}, false});
  CHECK(as.vma_at(start + 3) != nullptr);
  CHECK(as.unmap(start) == 2);
  CHECK(as.vma_at(start) == nullptr);
  CHECK(as.pte(start) == nullptr);
}

// ---- faults, folios, fork and CoW, and the shootdown set (issue 4) ----------------

namespace {
// Touches `n` pages of a file mapping whose pages are all cached, in single-page folios,
// the way the kernel's fault() does: a touch of a page without a PTE is a fault, which
// maps every page of fault_map_ranges(). Returns the faults.
int touch_cached(AddressSpace& as, std::uint64_t start, std::uint64_t n, const MmParams& p) {
  int faults = 0;
  auto single = [](std::uint64_t i) { return FolioSpan{i, 0}; };
  for (std::uint64_t vp = start; vp < start + n; ++vp) {
    if (as.pte(vp)) continue;
    ++faults;
    for (const PageRange& r : as.fault_map_ranges(vp, p, n, single))
      for (std::uint64_t q = r.start; q < r.end(); ++q)
        if (!as.pte(q)) as.set_pte(q, Pte{PageKey{0, q - start}, false});
  }
  return faults;
}
}  // namespace

TEST_CASE("64 cached pages with 64 KiB fault-around: 4 faults", "[mm]") {
  // 64 pages / 16 pages per aligned fault-around window = 4 faults (pages 0, 16, 32, 48).
  // (Large folios: tests/unit/test_folios.cpp.)
  AddressSpace as;
  MmParams p;  // fault_around 16 pages
  Vma v;
  v.pages = 64;
  std::uint64_t start = as.map(v);
  CHECK(touch_cached(as, start, 64, p) == 4);
  CHECK(as.present_pages() == 64);
}

TEST_CASE("fork write-protects private pages, 10 writes copy 10 pages, a second write none", "[mm][cow]") {
  FrameTable frames;
  AddressSpace parent;
  Vma heap;
  heap.kind = VmaKind::anonymous;
  heap.file = kAnonFile;
  heap.pages = 16;
  heap.writable = true;
  std::uint64_t start = parent.map(heap);
  for (std::uint64_t i = 0; i < 16; ++i) parent.set_pte(start + i, Pte{PageKey{kAnonFile, frames.alloc()}, true});
  parent.set_anon_vma(start);  // its write faults gave it one: fork copies its PTEs (vma_needs_copy)
  std::uint64_t prot = 0;
  AddressSpace child = parent.fork(frames, &prot);
  CHECK(prot == 16);  // the parent's 16 writable PTEs lost write permission
  CHECK_FALSE(parent.pte(start)->writable);
  CHECK_FALSE(child.pte(start)->writable);
  CHECK(frames.mapcount(parent.pte(start)->page.index) == 2);
  // The parent writes 10 distinct pages: each frame has 2 mappers, so each is copied.
  int copies = 0;
  for (std::uint64_t i = 0; i < 10; ++i) copies += parent.resolve_write_fault(start + i, frames) == WriteFault::copy;
  CHECK(copies == 10);  // 10 CoW faults, 10 x 4 KiB = 40 KiB copied
  // A second write to the same page: the PTE is writable now, no fault.
  CHECK(parent.write_fault_kind(start, frames) == WriteFault::none);
  // The child's frame 0 now has one mapper (the child): its write reuses it, no copy.
  CHECK(child.write_fault_kind(start, frames) == WriteFault::reuse);
  // A page the parent did not write is still shared: the child's write copies it.
  CHECK(child.write_fault_kind(start + 12, frames) == WriteFault::copy);
}

TEST_CASE("a shared file mapping is not write-protected by fork", "[mm][cow]") {
  FrameTable frames;
  AddressSpace parent;
  Vma v;
  v.kind = VmaKind::file_shared;
  v.pages = 2;
  v.writable = true;
  std::uint64_t start = parent.map(v);
  parent.set_pte(start, Pte{PageKey{0, 0}, true});
  std::uint64_t prot = 0;
  AddressSpace child = parent.fork(frames, &prot);
  CHECK(prot == 0);
  // No anon_vma: vma_needs_copy says no, the child has no PTE and faults it in itself.
  CHECK(child.pte(start) == nullptr);
  CHECK(parent.pte(start)->writable);
}

TEST_CASE("a munmap on core 0 of a 2-thread process that ran on cores 0 and 1 sends one shootdown", "[mm][tlb]") {
  AddressSpace as;
  as.ran_on(0);  // thread 0
  as.ran_on(1);  // thread 1
  auto targets = as.shootdown_targets(0);
  REQUIRE(targets.size() == 1);
  CHECK(targets[0] == 1);
  // Core 1 was flushed by the IPI: until a thread runs there again, no second shootdown.
  CHECK(as.shootdown_targets(0).empty());
  as.ran_on(1);
  CHECK(as.shootdown_targets(0).size() == 1);
  // A single-threaded process never sends one.
  AddressSpace solo;
  solo.ran_on(0);
  CHECK(solo.shootdown_targets(0).empty());
}
