// Page faults and the TLB, run by the simulator (each scenario in a child process),
// with counts worked out by hand.
#include <catch2/catch.hpp>

#include <fstream>
#include <unistd.h>

#include "sim/run/run.h"
#include "tests/unit/scenario_support.h"
#include "sim/scenario/scenario.h"

using namespace kiosim;
using json = nlohmann::ordered_json;

namespace {

json run_counters(const std::string& name, const std::string& text) {
  return test::simulate_text(name, text).at(0)["counters"];
}

// A 256 KiB (64-page) file, mapped and touched twice from start to end.
std::string scan_twice(const std::string& set, bool cached) {
  return "kiosim: 1\nset: {" + set + "}\nfiles:\n  - { name: f, size: 256KiB, cached: " +
         (cached ? "true" : "false") +
         " }\nprocesses:\n  - program:\n"
         "      - open: { file: f, as: fd }\n"
         "      - mmap: { fd: fd, as: m }\n"
         "      - touch: { map: m, bytes: 256KiB }\n"
         "      - touch: { map: m, bytes: 256KiB }\n";
}

}  // namespace

TEST_CASE("64 cached pages, 64 KiB fault-around: 4 minor faults, 8 mode switches, 64 TLB misses", "[fault][sim]") {
  json c = run_counters("fault-around", scan_twice("", true));
  // Faults at pages 0, 16, 32, 48; each maps its 16-page window.
  CHECK(c["page_faults_minor"] == 4);
  CHECK(c["page_faults_major"] == 0);
  CHECK(c["pages_mapped"] == 64);
  // open + mmap: 2 syscalls, 4 mode switches; 4 user-mode faults: 8 more.
  CHECK(c["syscalls"] == 2);
  CHECK(c["mode_switches"] == 12);
  // First pass: each of the 64 pages misses once. 64 pages fill the 16 sets x 4 ways
  // exactly, so the second pass hits all 64.
  CHECK(c["tlb_misses"] == 64);
  CHECK(c["tlb_hits"] == 64);
  CHECK(c["cpu_copies"] == 0);
}

TEST_CASE("64 cached pages in one 256 KiB folio at the end of the file: fault-around only", "[fault][sim]") {
  // The cached file was written in one 256 KiB write: one order-6 folio, the last of the
  // file. filemap_map_pages (6.18) maps a whole folio only if file_end (63) >=
  // folio_next_index (64): not this one, so 64 / 16 = 4 faults, as without folios. With
  // large folios off (mm.folio 4KiB) the same 4.
  json c = run_counters("folio", scan_twice("mm.folio: 2MiB", true));
  CHECK(c["page_faults_minor"] == 4);
  CHECK(c["pages_mapped"] == 64);
  CHECK(run_counters("no-folio", scan_twice("mm.folio: 4KiB", true))["page_faults_minor"] == 4);
}

TEST_CASE("an uncached file: one major fault, then async mmap readahead", "[fault][sim]") {
  json c = run_counters("major", scan_twice("", false));
  // Page 0 misses: a major fault reads the 32-page read-around window (start 0 - 16,
  // clipped to 0: pages 0..31, one disk request), marked on 0 + 32 - 32/4 = 24
  // (do_sync_mmap_readahead), and maps the window 0..15. Page 16: minor, maps 16..31
  // but the marked 24 (fault-around skips PG_readahead). Page 24: minor; the marker
  // starts the async window 32..63 (do_async_mmap_readahead, a second disk request),
  // maps 1. Page 32: minor (it waits for that read), maps 32..47; page 48: minor, 48..63.
  // The second pass finds every page mapped.
  CHECK(c["page_faults_major"] == 1);
  CHECK(c["page_faults_minor"] == 4);
  CHECK(c["pages_mapped"] == 64);
  CHECK(c["disk_requests"] == 2);
}

TEST_CASE("with fault-around of one page, every page faults", "[fault][sim]") {
  json c = run_counters("no-fault-around", scan_twice("mm.fault_around: 4KiB", true));
  CHECK(c["page_faults_minor"] == 64);
  CHECK(c["mode_switches"] == 4 + 128);
}
