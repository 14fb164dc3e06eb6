// Folios and faults on Linux 6.18, by hand: the folios a write or readahead makes
// (mm/filemap.c __filemap_get_folio with fgf_set_order, mm/readahead.c
// page_cache_ra_order), which pages one fault maps (filemap_map_pages: a whole folio
// when it lies in the VMA and one PMD range and file_end >= folio_next_index), fork's
// vma_needs_copy and the zero page of do_anonymous_page.
#include <catch2/catch.hpp>

#include <vector>

#include "model/address_space.h"
#include "model/folio.h"
#include "sim/run/run.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {
using Spans = std::vector<std::pair<std::uint64_t, unsigned>>;
Spans spans(const std::vector<FolioSpan>& v) {
  Spans out;
  for (const auto& f : v) out.emplace_back(f.first, f.order);
  return out;
}
auto all_absent = [](std::uint64_t) { return true; };

// Read-touches every page of a file mapping of `pages` pages whose folios `folio_of`
// gives (all cached); returns the faults.
int touch_all(std::uint64_t pages, std::uint64_t file_pages, const std::function<FolioSpan(std::uint64_t)>& folio_of,
              std::uint64_t fault_around = 16) {
  AddressSpace as;
  MmParams p;
  p.fault_around_pages = fault_around;
  Vma v;
  v.pages = pages;
  const std::uint64_t start = as.map(v);
  int faults = 0;
  for (std::uint64_t vp = start; vp < start + pages; ++vp) {
    if (as.pte(vp)) continue;
    ++faults;
    for (const PageRange& r : as.fault_map_ranges(vp, p, file_pages, folio_of))
      for (std::uint64_t q = r.start; q < r.end(); ++q)
        if (!as.pte(q)) as.set_pte(q, Pte{PageKey{0, q - start}, false});
  }
  return faults;
}
// Folios of 2^order pages from page 0 on.
std::function<FolioSpan(std::uint64_t)> folios_of(unsigned order) {
  return [order](std::uint64_t i) { return FolioSpan{i & ~((std::uint64_t(1) << order) - 1), order}; };
}
}  // namespace

TEST_CASE("write_folios: generic_perform_write + fgf_set_order, aligned, up to the largest folio", "[folio]") {
  // A 1 MiB write at 0 into nothing cached: len 1 MiB, order ilog2(2^20) - 12 = 8.
  CHECK(spans(write_folios(0, 1 << 20, 9, all_absent)) == Spans{{0, 8}});
  // 4 MiB in one write: chunks of the 2 MiB maximum, two order-9 folios.
  CHECK(spans(write_folios(0, 4 << 20, 9, all_absent)) == Spans{{0, 9}, {512, 9}});
  // 1 MiB at 64 KiB: index 16 allows order 4 (__ffs(16)), 64 KiB written; then 960 KiB
  // at index 32 (order 7 asked, 5 aligned), 832 KiB at 64 (6), 576 KiB at 128 (7),
  // 64 KiB at 256 (4): 16 + 32 + 64 + 128 + 16 = 256 pages.
  CHECK(spans(write_folios(64 << 10, 1 << 20, 9, all_absent)) == Spans{{16, 4}, {32, 5}, {64, 6}, {128, 7}, {256, 4}});
  // 64 KiB at 0 with page 5 cached: order 4, 3 and 2 at 0 would hold page 5 or not:
  // [0,4) order 2; at 4 (48 KiB left: order 3, aligned 2, then 1, 0): page 4 alone;
  // 5 is written in place; at 6 (40 KiB: order 3, aligned 1): [6,8); at 8 (32 KiB): [8,16).
  auto absent = [](std::uint64_t i) { return i != 5; };
  CHECK(spans(write_folios(0, 64 << 10, 9, absent)) == Spans{{0, 2}, {4, 0}, {6, 1}, {8, 3}});
  // Without large folios (largest 4 KiB, order 0) every page is its own folio.
  CHECK(write_folios(0, 16 << 10, 0, all_absent).size() == 4);
}

TEST_CASE("readahead_folios: page_cache_ra_order's folios, aligned and inside the window", "[folio][readahead]") {
  CHECK(readahead_folios(0, 32, 2).size() == 8);  // 32 pages in order-2 folios
  // [30,40) at order 4: 30 is aligned to 2 only: [30,32); 32 would end at 48 > 40: order 3.
  CHECK(spans(readahead_folios(30, 40, 4)) == Spans{{30, 1}, {32, 3}});
}

TEST_CASE("filemap_map_pages on 6.18: the folio that ends at EOF maps by fault-around only", "[folio][mm]") {
  // One 1 MiB folio (order 8) that ends at the end of the 1 MiB file: file_end 255 <
  // folio_next_index 256, so each fault maps its 16-page window: 256 / 16 = 16 faults
  // (the README's measured 16 faults of a 1 MiB file).
  CHECK(touch_all(256, 256, folios_of(8)) == 16);
  // 2 MiB in 1 MiB folios: the first maps whole (1 fault), the last by windows (16).
  CHECK(touch_all(512, 512, folios_of(8)) == 1 + 16);
  // 64 MiB in 1 MiB folios: 63 + 16 = 79 (REAL-MODE.md measured 79).
  CHECK(touch_all(16384, 16384, folios_of(8)) == 63 + 16);
  // 4 MiB in 2 MiB folios: 1 + 512 / 16 = 33.
  CHECK(touch_all(1024, 1024, folios_of(9)) == 1 + 32);
  // Single pages: fault-around only, 64 / 16 = 4.
  CHECK(touch_all(64, 64, folios_of(0)) == 4);
  // A VMA of 200 pages over a 512-page file of 256-page folios: the first folio is not
  // within the VMA, so windows only: 200 / 16 = 12.5, 13 faults.
  CHECK(touch_all(200, 512, folios_of(8)) == 13);
  // Fault-around 4 KiB: the EOF folio of a 2 MiB file maps one page per fault: 1 + 256.
  CHECK(touch_all(512, 512, folios_of(8), 1) == 1 + 256);
}

TEST_CASE("fork copies the PTEs of VMAs with an anon_vma only (vma_needs_copy)", "[mm][fork]") {
  FrameTable frames;
  AddressSpace parent;
  Vma file;  // a shared file mapping: never an anon_vma
  file.pages = 4;
  Vma heap;
  heap.kind = VmaKind::anonymous;
  heap.file = kAnonFile;
  heap.pages = 4;
  heap.writable = true;
  const std::uint64_t fs = parent.map(file), hs = parent.map(heap);
  for (std::uint64_t i = 0; i < 4; ++i) parent.set_pte(fs + i, Pte{PageKey{0, i}, false});
  parent.set_pte(hs, Pte{PageKey{kAnonFile, frames.alloc()}, true});
  parent.set_anon_vma(hs);  // the heap's write fault gave it one
  std::vector<PageKey> file_pages;
  AddressSpace child = parent.fork(frames, nullptr, &file_pages);
  CHECK(child.pte(hs) != nullptr);   // copied, write-protected
  CHECK_FALSE(child.pte(hs)->writable);
  CHECK(child.pte(fs) == nullptr);   // the child faults the file pages in itself
  CHECK(child.present_pages() == 1);
  CHECK(file_pages.empty());
}

TEST_CASE("do_anonymous_page: reads map the zero page, the first write gets a zeroed frame", "[mm][zero_page]") {
  // 4 pages read-touched: 4 minor faults on the zero page, nothing allocated, nothing
  // copied. Then written: 4 more minor faults (wp_page_copy of the zero page: a zeroed
  // frame each, no copy), no CoW fault. Written without reading first: 4 faults.
  auto run = [](bool read_first) {
    std::string text = R"(kiosim: 1
processes:
  - name: p
    program:
      - mmap: { as: a, length: 16KiB, write: true }
)";
    if (read_first) text += "      - touch: { map: a, bytes: 16KiB }\n";
    text += "      - touch: { map: a, bytes: 16KiB, write: true }\n";
    auto results = test::simulate_text("zero-page", text);
    REQUIRE(results.size() == 1);
    return results.front()["counters"];
  };
  auto both = run(true);
  CHECK(both["page_faults_minor"] == 8);
  CHECK(both["cow_faults"] == 0);
  CHECK(both["cpu_copies"] == 0);
  CHECK(run(false)["page_faults_minor"] == 4);
}

// The mmap+write of the copy table on a cached file, its pages written in 1 MiB writes
// (the folios real mode's files have): 1 MiB -> 16 faults, 16 MiB -> 15 + 16 = 31,
// 128 MiB -> 127 + 16 = 143. The faults happen inside write() (copy_from_user).
TEST_CASE("mmap+write of a cached file: one fault per 1 MiB folio, 16 for the last one", "[folio][mm]") {
  for (auto [mib, faults] : {std::pair{1, 16}, {16, 31}, {128, 143}}) {
    INFO(mib << " MiB");
    std::string size = std::to_string(mib) + "MiB";
    auto results = test::simulate_text("mmap-write", R"(kiosim: 1
files:
  - { name: f.bin, size: )" + size + R"(, cached: true }
  - { name: out.bin, size: 0 }
processes:
  - name: p
    program:
      - open: { file: f.bin, as: f }
      - mmap: { fd: f, as: m }
      - open: { file: out.bin, as: o }
      - write: { fd: o, bytes: )" + size + R"(, from: m }
)");
    REQUIRE(results.size() == 1);
    CHECK(results.front()["counters"]["page_faults_minor"] == faults);
  }
}

// A cold file read through mmap faults gets the folios page_cache_ra_order gives each
// window (do_sync_mmap_readahead, then do_async_mmap_readahead), as read() does; before,
// the mmap path read every window in single pages. By hand: 4 MiB = 1024 pages,
// readahead 1 MiB = 256 pages, fault-around 16 pages, folios up to order 9.
//  - fault at 0 (major): read-around [0, 256) at order min(2, 9, ilog2 256) = 2 (4-page
//    folios), PG_readahead at 256 - 64 = 192. Faults map 16 pages: 0, 16, ..., 176 = 12.
//  - fault at 192 (the marker): async window [256, 512), order 4; marker 256. Faults 192,
//    208, 224, 240 = 4.
//  - fault at 256 (marker): window [512, 768), order 6; 16-page folios map by
//    fault-around: 16 faults.
//  - fault at 512 (marker): window [768, 1024), order 8; each 64-page folio is mapped
//    whole: 4 faults.
//  - [768, 1024) is one 256-page folio that ends at EOF: fault-around only, 16 faults.
// 12 + 4 + 16 + 4 + 16 = 52 faults, 1 of them major (in single pages: 1024 / 16 = 64).
TEST_CASE("mmap of a cold file: readahead windows in large folios, fewer faults", "[folio][mm][readahead]") {
  Scenario s = test::load_text("mmap-cold", R"(kiosim: 1
files:
  - { name: f.bin, size: 4MiB, cached: false }
processes:
  - name: p
    program:
      - open: { file: f.bin, as: f }
      - mmap: { fd: f, as: m }
      - touch: { map: m, bytes: 4MiB }
)",
                               {"page_cache.readahead=1MiB", "mm.fault_around=64KiB", "mm.folio=2MiB"});
  RunOptions opt;
  opt.check_invariants = true;
  auto results = simulate(s, s.runs(), opt);
  REQUIRE(results.size() == 1);
  const auto& c = results.front()["counters"];
  CHECK(c["page_faults_major"] == 1);
  CHECK(c["page_faults_minor"] == 51);
  CHECK(c["readahead_pages"] == 1023);  // every page but the faulting one
}
