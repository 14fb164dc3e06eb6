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

TEST_CASE("64 cached pages in 2 MiB folios: one fault maps them all", "[fault][sim]") {
  json c = run_counters("folio", scan_twice("mm.folio: 2MiB", true));
  CHECK(c["page_faults_minor"] == 1);
  CHECK(c["pages_mapped"] == 64);
  CHECK(c["mode_switches"] == 6);
}

TEST_CASE("an uncached file: the first touch is a major fault", "[fault][sim]") {
  json c = run_counters("major", scan_twice("", false));
  // Page 0 misses: a major fault reads the 32-page readahead window (128 KiB) around
  // it (pages 0..31: one disk request) and maps the window 0..15. Pages 16..31 are
  // then cached: pages 16 is a minor fault. Page 32 misses again: major, reading
  // 16..47 clipped... the readahead window is centred: 32 - 16 = 16, pages 16..47,
  // of which 32..47 are new. Page 48: major again (window 32..63, 48..63 new).
  CHECK(c["page_faults_major"] == 3);
  CHECK(c["page_faults_minor"] == 1);
  CHECK(c["pages_mapped"] == 64);
  CHECK(c["disk_requests"] == 3);
}

TEST_CASE("with fault-around of one page, every page faults", "[fault][sim]") {
  json c = run_counters("no-fault-around", scan_twice("mm.fault_around: 4KiB", true));
  CHECK(c["page_faults_minor"] == 64);
  CHECK(c["mode_switches"] == 4 + 128);
}
