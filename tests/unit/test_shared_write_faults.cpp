// Write faults on MAP_SHARED file mappings (mm/memory.c do_shared_fault, do_wp_page ->
// wp_page_shared, do_page_mkwrite; mm/rmap.c folio_mkclean), run by the simulator,
// counts worked out by hand.
#include <catch2/catch.hpp>

#include "tests/unit/scenario_support.h"

using namespace kiosim;
using json = nlohmann::ordered_json;

namespace {
constexpr const char* kHead = R"(kiosim: 1
files:
  - { name: data.bin, size: 64KiB, cached: true }
processes:
  - name: app
    program:
      - open: { file: data.bin, as: f, flags: [rdwr] }
      - mmap: { fd: f, as: m, length: 64KiB, shared: true, write: true }
)";
}  // namespace

TEST_CASE("shared mapping: a write fault maps one page (no fault-around), fsync write-protects, the next write faults",
          "[mm][shared][sim]") {
  auto r = test::simulate_text("shared-write", std::string(kHead) + R"(      - touch: { map: m, bytes: 64KiB, write: true }
      - touch: { map: m, bytes: 64KiB, write: true }
      - fsync: { fd: f }
      - touch: { map: m, bytes: 64KiB, write: true }
      - touch: { map: m, bytes: 64KiB }
)");
  json c = r.at(0)["counters"];
  // Touch 1 writes the 16 unmapped pages: each is do_shared_fault, which maps that page
  // alone, writable (page_mkwrite), no fault-around: 16 faults, 16 pages mapped.
  // Touch 2: all 16 PTEs writable: no fault.
  // fsync: the 16 dirty pages go under writeback (writeback_pages 16); folio_clear_dirty_for_io
  // -> folio_mkclean write-protects each PTE (16 TLB invalidations, counted to fsync's thread).
  // Touch 3: each store meets a read-only PTE: wp_page_shared, page_mkwrite, made writable:
  // 16 more minor faults, nothing newly mapped; each flushes its old translation (16 more).
  // Touch 4 reads: no fault.
  CHECK(c["page_faults_minor"] == 32);
  CHECK(c["page_faults_major"] == 0);
  CHECK(c["pages_mapped"] == 16);
  CHECK(c["writeback_pages"] == 16);
  CHECK(c["tlb_invalidations"] == 32);
  CHECK(c["cow_faults"] == 0);
  // 2 mode switches per user-mode fault, 2 per system call (open, mmap, fsync).
  CHECK(c["mode_switches"] == 2 * 32 + 2 * 3);
}

TEST_CASE("shared mapping: read faults map read-only with fault-around; the first write to each page faults",
          "[mm][shared][sim]") {
  auto r = test::simulate_text("shared-read-write", std::string(kHead) + R"(      - touch: { map: m, bytes: 64KiB }
      - touch: { map: m, bytes: 64KiB, write: true }
      - touch: { map: m, bytes: 64KiB, write: true }
)");
  json c = r.at(0)["counters"];
  // The read: one fault maps the 64 KiB window, all 16 cached pages (the file's one
  // folio ends at EOF, so fault-around, not the whole-folio rule), read-only though the
  // VMA is writable (vma_wants_writenotify). The first write: 16 wp_page_shared faults.
  // The second write: none.
  CHECK(c["page_faults_minor"] == 1 + 16);
  CHECK(c["pages_mapped"] == 16);
}
