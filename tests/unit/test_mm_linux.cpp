// Faults as Linux 6.x takes them, in small simulations worked by hand: mmap
// read-around with async readahead at the PG_readahead page (mm/filemap.c
// do_sync_mmap_readahead, do_async_mmap_readahead, filemap_map_pages).
#include <catch2/catch.hpp>

#include "sim/run/run.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {
nlohmann::ordered_json counters_of(const std::string& name, const std::string& text) {
  auto results = test::simulate_text(name, text);
  REQUIRE(results.size() == 1);
  return results.front()["counters"];
}
}  // namespace

// A cold 1 MiB file (256 pages), readahead 32 pages, fault-around 16 pages, touched
// once from start to end. Each window is read in page_cache_ra_order's folios: order 2
// for the read-around, +2 per async window, capped at ilog2(32) = 5. By hand:
//  - page 0: major fault; read-around [0,32) (start 0 - 16 clipped to 0) in 4-page
//    folios, marker on 0 + 32 - 32/4 = 24; fault-around maps [0,16): 16 pages;
//  - page 16: minor; fault-around [16,32) skips the marked page 24: 15 pages;
//  - page 24: minor, the marker: do_async_mmap_readahead reads [32,64) in 16-page
//    folios (marker 32); maps 1 page;
//  - pages 32 and 48: minor, 16 pages each (32 is the marker: [64,96) in one 32-page folio);
//  - pages 64, 96, 128, 160, 192: minor, each the marker of its window, starting the
//    next; each maps its whole 32-page folio;
//  - [224,256), the folio that ends at EOF, maps by fault-around only: 224 and 240.
// 1 major + 11 minor faults (in single pages it was 16); 16 + 15 + 1 + 2 x 16 + 5 x 32
// + 2 x 16 = 256 pages mapped; readahead 31 (sync) + 7 x 32 (async) = 255 pages; 8
// disk requests.
TEST_CASE("do_async_mmap_readahead: a sequential mmap scan takes one major fault", "[mm][readahead]") {
  auto c = counters_of("mmap-ra", R"(kiosim: 1
set:
  page_cache.readahead: 128KiB
  mm.fault_around: 64KiB
files:
  - { name: f.bin, size: 1MiB }
processes:
  - name: p
    program:
      - open: { file: f.bin, as: f }
      - mmap: { fd: f, as: m, offset: 0, length: 1MiB }
      - touch: { map: m, offset: 0, bytes: 1MiB }
)");
  CHECK(c["page_faults_major"] == 1);
  CHECK(c["page_faults_minor"] == 11);
  CHECK(c["pages_mapped"] == 256);
  CHECK(c["readahead_pages"] == 255);
  CHECK(c["disk_requests"] == 8);
}

// filemap_read's pos_same_folio: a cold 1 MiB file (256 pages) read in 1 KiB calls.
// Each page is read by 4 calls; only the first finds the previous read ending outside
// the page, so each page is marked once: PG_referenced (linux) or its first use
// (two_list), no activation. A second pass marks each page again: 256 activations.
TEST_CASE("folio_mark_accessed once per run of reads inside a page (filemap_read)", "[page_cache][linux_policy]") {
  auto text = [](int passes, const char* policy) {
    return std::string(R"(kiosim: 1
set:
  page_cache.policy: )") + policy + R"(
files:
  - { name: f.bin, size: 1MiB }
processes:
  - name: p
    program:
      - repeat: )" + std::to_string(passes) + R"(
        do:
          - open: { file: f.bin, as: f }
          - repeat: 1024
            do: [ { read: { fd: f, bytes: 1KiB } } ]
          - close: { fd: f }
)";
  };
  for (const char* policy : {"linux", "two_list"}) {
    INFO(policy);
    CHECK(counters_of("once", text(1, policy))["activations"] == 0);
    CHECK(counters_of("twice", text(2, policy))["activations"] == 256);
  }
}
