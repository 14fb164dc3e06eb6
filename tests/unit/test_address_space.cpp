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
