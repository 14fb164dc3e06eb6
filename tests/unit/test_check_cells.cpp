// kiosim check's cells and summary per family (sim/host/check_cells.h), which runs real
// mode can measure and why not (sim/host/runnable.h), and the /proc texts real mode
// reads (sim/host/proc_texts.h): real texts of a 6.x kernel and malformed ones.
#include <catch2/catch.hpp>

#include <cmath>

#include "scenario_support.h"
#include "sim/host/check_cells.h"
#include "sim/host/proc_texts.h"
#include "sim/host/runnable.h"

using namespace kiosim;
using namespace kiosim::host;

TEST_CASE("check cells: a cell whose repeats spread more than it errs is inconclusive") {
  // Predicted 110 against repeats 90, 100, 120: median 100, error |110/100 - 1| = 0.10,
  // spread (120 - 90) / 100 = 0.30 > 0.10: inconclusive.
  Cell a = cell_of("cpu_time_ns", Family::time, 110, {120, 90, 100});
  CHECK(a.measured == 100);
  CHECK(a.error() == Approx(0.10));
  CHECK(a.spread() == Approx(0.30));
  CHECK(a.inconclusive());
  // Predicted 150 against the same: error 0.50 > 0.30: a miss that counts.
  Cell b = cell_of("cpu_time_ns", Family::time, 150, {120, 90, 100});
  CHECK_FALSE(b.inconclusive());
  // An exact count (no spread) is never inconclusive, even when it is exactly right.
  Cell c = cell_of("syscalls", Family::syscalls, 4, {4, 4, 4});
  CHECK(c.error() == 0);
  CHECK_FALSE(c.inconclusive());
  // Nothing measured, something predicted: an infinite ratio, written as null in JSON.
  Cell d = cell_of("page_faults_major", Family::faults, 3, {0, 0});
  CHECK(std::isinf(d.ratio()));
  CHECK(d.to_json()["ratio"].is_null());
  // Nothing predicted and nothing measured: a hit.
  CHECK(cell_of("page_faults_major", Family::faults, 0, {0}).error() == 0);
}

TEST_CASE("check cells: the summary per family counts the inconclusive apart") {
  std::vector<Cell> cells = {
      cell_of("wall_time_ns", Family::time, 110, {100, 100, 100}),  // error 0.10
      cell_of("cpu_time_ns", Family::time, 80, {100, 100, 100}),    // error 0.20
      cell_of("cpu_time_ns", Family::time, 130, {100, 100, 100}),   // error 0.30
      cell_of("cpu_time_ns", Family::time, 101, {50, 100, 150}),    // spread 1.0 > 0.01: inconclusive
      cell_of("page_faults_minor", Family::faults, 64, {64}),       // error 0
  };
  auto fs = summarize_families(cells);
  REQUIRE(fs.size() == 2);  // no I/O, switch, syscall or cache cell: those families are left out
  CHECK(fs[0].family == Family::time);
  CHECK(fs[0].cells == 4);
  CHECK(fs[0].inconclusive == 1);
  CHECK(fs[0].median_error == Approx(0.20));  // the median of 0.10, 0.20, 0.30
  CHECK(fs[0].worst_error == Approx(0.30));
  CHECK(fs[1].family == Family::faults);
  CHECK(fs[1].cells == 1);
  CHECK(fs[1].worst_error == 0);
}

namespace {
const char* kTwoProcesses = R"(kiosim: 1
title: two readers and a forker
machine: default
files:
  - { name: a.bin, size: 64KiB, cached: true }
processes:
  - name: reader
    program:
      - open: { file: a.bin, as: f }
      - read: { fd: f, bytes: 64KiB }
  - name: direct
    program:
      - open: { file: a.bin, as: f, flags: [direct] }
      - read: { fd: f, bytes: 64KiB }
)";
const char* kFork = R"(kiosim: 1
title: a forker
machine: default
processes:
  - name: parent
    program:
      - fork:
          as: child
          do:
            - sleep: 1us
)";
}  // namespace

TEST_CASE("runnable: a run of several processes is measured one process at a time") {
  Scenario s = test::load_text("runnable-split", kTwoProcesses);
  auto runs = s.runs();
  REQUIRE(runs.size() == 1);
  auto split = per_process(runs[0]);
  REQUIRE(split.size() == 2);
  CHECK(split[0].name == "reader");  // the run is "program": the process's name alone
  CHECK(split[1].name == "direct");
  CHECK(split[1].processes.size() == 1);
  CHECK(split[1].processes[0].name == "direct");
}

TEST_CASE("runnable: what the host cannot run is said in one line, with the op's line") {
  Scenario s = test::load_text("runnable-odirect", kTwoProcesses);
  auto run = s.runs()[0];
  CHECK_FALSE(why_not_measurable(run, {"ext4", true}).has_value());
  auto why = why_not_measurable(run, {"tmpfs", false});
  REQUIRE(why.has_value());
  CHECK(why->find("process `direct`") != std::string::npos);
  CHECK(why->find("O_DIRECT open (line 13)") != std::string::npos);  // line 13 of kTwoProcesses
  CHECK(why->find("tmpfs") != std::string::npos);
  CHECK(why->find('\n') == std::string::npos);
  Scenario f = test::load_text("runnable-fork", kFork);
  // fork runs in real mode now (sim/host/fork_runner.h).
  CHECK_FALSE(why_not_measurable(f.runs()[0], {"ext4", true}).has_value());
}

// check leaves the disk-bytes cell out for a program that reads with O_DIRECT (no cache
// miss to predict it from): the file may be opened in the setup, as in
// mq-deadline-vs-none.yaml, where the cell compared 0 with the 32 KiB read.
TEST_CASE("runnable: an O_DIRECT open in the setup or the body makes the program direct") {
  Op direct, plain, loop;
  direct.kind = plain.kind = OpKind::open;
  direct.open_flags = open_flags::direct;
  loop.kind = OpKind::repeat;
  loop.body = {direct};
  Program in_setup{{direct}, {plain}}, in_body{{plain}, {loop}}, none{{plain}, {plain}};
  CHECK(opens_direct(in_setup));
  CHECK(opens_direct(in_body));  // inside a repeat
  CHECK_FALSE(opens_direct(none));
  CHECK_FALSE(opens_direct(in_setup.body));  // the body alone, as check looked before
}

TEST_CASE("proc texts: /proc/diskstats, the line of one device") {
  // Two lines of a 6.1 kernel's /proc/diskstats (17 fields after the name), and a short one.
  const std::string t =
      " 259       0 nvme0n1 48711 12031 4214630 9342 92000 51000 8123456 77000 0 60000 90000 0 0 0 0 1200 3000\n"
      " 259       1 nvme0n1p1 301 9 20480 88 2 0 16 1 0 120 89 0 0 0 0 0 0\n"
      "   8       0 sda 1 2\n";
  auto d = parse_diskstats(t, 259, 1);
  REQUIRE(d.has_value());
  CHECK(d->reads == 301);
  CHECK(d->reads_merged == 9);
  CHECK(d->sectors_read == 20480);
  CHECK(d->writes == 2);
  CHECK(d->sectors_written == 16);
  CHECK(parse_diskstats(t, 259, 0)->reads == 48711);
  CHECK_FALSE(parse_diskstats(t, 8, 0).has_value());  // too few fields: not a figure of 0
  CHECK_FALSE(parse_diskstats(t, 7, 7).has_value());
  CHECK_FALSE(parse_diskstats("", 259, 1).has_value());
}

TEST_CASE("proc texts: /proc/meminfo in bytes, /proc/vmstat as is") {
  auto m = parse_meminfo("MemTotal:        8000000 kB\nDirty:               132 kB\nWriteback:             0 kB\n"
                         "HugePages_Total:       0\nbroken line\nNoNumber:   kB\n");
  CHECK(m.at("Dirty") == 132 * 1024);
  CHECK(m.at("Writeback") == 0);
  CHECK(m.at("HugePages_Total") == 0);  // a count, no unit
  CHECK(m.count("NoNumber") == 0);
  CHECK(m.size() == 4);
  auto v = parse_vmstat("nr_dirtied 123456\nnr_written 120000\nnr_free_pages\ngarbage here too\n");
  CHECK(v.at("nr_dirtied") == 123456);
  CHECK(v.at("nr_written") == 120000);
  CHECK(v.size() == 2);
}

TEST_CASE("proc texts: the TLB line of /proc/interrupts, summed over the CPUs") {
  const std::string t =
      "           CPU0       CPU1\n"
      "  0:         36          0   IO-APIC    2-edge      timer\n"
      " TLB:       1402       2210   TLB shootdowns\n"
      " RES:        100        200   Rescheduling interrupts\n";
  CHECK(parse_tlb_interrupts(t) == 3612u);
  CHECK_FALSE(parse_tlb_interrupts("           CPU0\n  0:  36  IO-APIC timer\n").has_value());  // arm64: none
  CHECK_FALSE(parse_tlb_interrupts(" TLB: TLB shootdowns\n").has_value());
}

TEST_CASE("proc texts: /proc/fs/jbd2/<dev>/info") {
  const std::string t =
      "4512 transactions (4490 requested), each up to 8192 blocks\n"
      "average: \n"
      "  0ms waiting for transaction\n"
      "  0ms request delay\n"
      "  4972ms running transaction\n"
      "  0ms transaction was being locked\n"
      "  0ms flushing data (in ordered mode)\n"
      "  12ms logging transaction\n"
      "  13427us average transaction commit time\n"
      "  28 handles per transaction\n";
  auto j = parse_jbd2_info(t);
  REQUIRE(j.has_value());
  CHECK(j->transactions == 4512);
  CHECK(j->requested == 4490);
  CHECK(j->commit_us == 13427.0);
  CHECK_FALSE(parse_jbd2_info("average: \n  12ms logging transaction\n").has_value());
  CHECK_FALSE(parse_jbd2_info("4512 transactions (4490 requested), each up to 8192 blocks\n")->commit_us);
}
