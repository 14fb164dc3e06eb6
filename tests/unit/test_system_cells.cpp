// check's host-wide cells (sim/host/system_counters.h, system_cells.h, sync_latency.h):
// the counters from hand-written /proc texts, malformed ones included, and the cells from
// hand-made samples. Every expected figure is worked out by hand in the comments.
#include <catch2/catch.hpp>

#include "sim/host/sync_latency.h"
#include "sim/host/system_cells.h"
#include "sim/host/system_counters.h"

using kiosim::host::Family;
using kiosim::host::Jbd2Info;
using kiosim::host::Sample;
using kiosim::host::SystemCells;
using kiosim::host::SystemCounters;

namespace {

const std::string kMeminfo =
    "MemTotal:        8000000 kB\n"
    "Dirty:               132 kB\n"
    "Writeback:             8 kB\n";
const std::string kVmstat = "nr_dirty 33\nnr_dirtied 123456\nnr_written 120000\n";
const std::string kInterrupts =
    "           CPU0       CPU1\n"
    "  0:         36          0   IO-APIC    2-edge      timer\n"
    " TLB:       1402       2210   TLB shootdowns\n";
const std::string kJbd2 =
    "4512 transactions (4490 requested), each up to 8192 blocks\n"
    "average: \n"
    "  13427us average transaction commit time\n";

const kiosim::host::Cell* cell(const SystemCells& c, const std::string& figure) {
  for (const auto& x : c.cells)
    if (x.figure == figure) return &x;
  return nullptr;
}

bool skipped_with(const SystemCells& c, const std::string& words) {
  for (const auto& line : c.skipped)
    if (line.find(words) != std::string::npos) return true;
  return false;
}

// A sample whose host counters grew by the given amounts over the body (from arbitrary bases).
Sample grown(std::uint64_t dirtied, std::uint64_t written, std::uint64_t tlb) {
  Sample s;
  s.system_before.nr_dirtied = 1000;
  s.system_before.nr_written = 500;
  s.system_before.tlb_shootdowns = 7;
  s.system_after.nr_dirtied = 1000 + dirtied;
  s.system_after.nr_written = 500 + written;
  s.system_after.tlb_shootdowns = 7 + tlb;
  s.system_after.dirty_bytes = 64 << 20;
  s.system_after.writeback_bytes = 4 << 20;
  return s;
}

}  // namespace

TEST_CASE("system counters: the four /proc texts, each figure where the kernel writes it") {
  SystemCounters c = kiosim::host::system_counters_of(kMeminfo, kVmstat, kInterrupts, kJbd2, "/proc/fs/jbd2/vda-8/info");
  CHECK(c.dirty_bytes == 132u * 1024);  // 132 kB
  CHECK(c.writeback_bytes == 8u * 1024);
  CHECK(c.nr_dirtied == 123456u);
  CHECK(c.nr_written == 120000u);
  CHECK(c.tlb_shootdowns == 1402u + 2210u);  // 3612, summed over the CPUs
  REQUIRE(c.jbd2.has_value());
  CHECK(c.jbd2->transactions == 4512u);
  CHECK(c.jbd2->commit_us == 13427.0);
  CHECK(c.why_not.empty());
}

TEST_CASE("system counters: unreadable or malformed sources say why, one line each, and give nothing") {
  // meminfo without Dirty, vmstat cut short, no TLB line (arm64), and a journal that is not there.
  SystemCounters c = kiosim::host::system_counters_of("MemTotal: 8000 kB\nWriteback 8 kB\n", "nr_dirtied\n",
                                                      "           CPU0\n  0:  36  IO-APIC timer\n", std::nullopt,
                                                      "/proc/fs/jbd2/vda-8/info");
  CHECK_FALSE(c.dirty_bytes);
  CHECK_FALSE(c.nr_dirtied);
  CHECK_FALSE(c.tlb_shootdowns);
  CHECK_FALSE(c.jbd2);
  REQUIRE(c.why_not.size() == 4);
  CHECK(c.why_not[0] == "/proc/meminfo has no Dirty or Writeback line");
  CHECK(c.why_not[1] == "/proc/vmstat has no nr_dirtied or nr_written line");
  CHECK(c.why_not[2] == "/proc/interrupts has no TLB line (it is x86's)");
  CHECK(c.why_not[3] == "/proc/fs/jbd2/vda-8/info is not readable");
  // Nothing readable at all, and no journal: a line per source.
  SystemCounters none = kiosim::host::system_counters_of(std::nullopt, std::nullopt, std::nullopt, std::nullopt, "");
  REQUIRE(none.why_not.size() == 4);
  CHECK(none.why_not[0] == "/proc/meminfo is not readable");
  CHECK(none.why_not[3] == "the temp dir's file system has no jbd2 journal in /proc/fs/jbd2");
  // A journal's file without its first line is no figure of 0 transactions.
  SystemCounters bad = kiosim::host::system_counters_of(kMeminfo, kVmstat, kInterrupts, "average: \n", "j/info");
  CHECK_FALSE(bad.jbd2);
  CHECK(bad.why_not == std::vector<std::string>{"j/info has no \"N transactions (M requested)\" line"});
}

TEST_CASE("system counters: the journal of a device among /proc/fs/jbd2's entries") {
  const std::vector<std::string> e{"vda1-8", "vda-8", "dm-0-8", "sdb1-12", "weird", "sda-x"};
  CHECK(kiosim::host::jbd2_entry_for("vda", e) == "vda-8");
  CHECK(kiosim::host::jbd2_entry_for("vda1", e) == "vda1-8");
  CHECK(kiosim::host::jbd2_entry_for("dm-0", e) == "dm-0-8");  // a dash in the name itself
  CHECK(kiosim::host::jbd2_entry_for("sdb1", e) == "sdb1-12");
  CHECK(kiosim::host::jbd2_entry_for("sda", e).empty());      // "sda-x": no inode number
  CHECK(kiosim::host::jbd2_entry_for("weird", e).empty());
  CHECK(kiosim::host::jbd2_entry_for("", e).empty());
}

TEST_CASE("system cells: a buffered writer's pages dirtied and written, and its time blocked") {
  // scenarios/backpressure.yaml's writer: open + 128 writes of 1 MiB = 32768 pages dirtied.
  nlohmann::ordered_json counters{{"syscalls_by_name", {{"open", 1}, {"write", 128}}},
                                  {"payload_bytes", 128 << 20},
                                  {"writeback_pages", 24000},
                                  {"dirty_throttle_ns", 80e6},
                                  {"reclaim_throttle_ns", 10e6}};
  std::vector<Sample> s{grown(32768, 100, 0), grown(32800, 300, 0), grown(32768, 200, 0)};
  // The writes took 100, 120 and 95 ms, of which the CPU ran 15, 25 and 20 ms: 85, 95, 75 ms off it.
  const double took[] = {100e6, 120e6, 95e6}, cpu[] = {15e6, 25e6, 20e6};
  for (int i = 0; i < 3; ++i) {
    s[std::size_t(i)].write_ns = took[i];
    s[std::size_t(i)].sender.sys_ns = cpu[i];
  }
  SystemCells c = kiosim::host::system_cells(counters, s);
  const auto* d = cell(c, "pages_dirtied");
  REQUIRE(d);
  CHECK(d->family == Family::cache);
  CHECK(d->predicted == 32768);  // 128 MiB / 4 KiB
  CHECK(d->measured == 32768);   // the median of 32768, 32800, 32768
  CHECK(d->hi == 32800);
  const auto* w = cell(c, "writeback_pages");
  REQUIRE(w);
  CHECK(w->family == Family::io);
  CHECK(w->predicted == 24000);
  CHECK(w->measured == 200);  // the median of 100, 300, 200
  const auto* b = cell(c, "write_blocked_ns");
  REQUIRE(b);
  CHECK(b->predicted == 90e6);  // 80 ms in balance_dirty_pages + 10 ms in reclaim_throttle
  CHECK(b->measured == 85e6);   // the median of 85, 95, 75 ms
  CHECK(b->lo == 75e6);
  CHECK_FALSE(cell(c, "fsync_wait_ns"));   // it never syncs
  CHECK_FALSE(cell(c, "tlb_shootdowns"));  // nor munmaps
  CHECK(c.skipped.empty());
  CHECK(c.host["dirty_bytes_after"] == double(64 << 20));
  const std::string lines = kiosim::host::system_cells_lines("writer", c);
  CHECK(lines.find("pages_dirtied pred 32768 meas 32768") != std::string::npos);
  CHECK(lines.find("write_blocked_ns pred 90.000 ms meas 85.000 ms") != std::string::npos);
  CHECK(lines.find("Dirty 65536 kB, Writeback 4096 kB") != std::string::npos);
}

TEST_CASE("system cells: a logger's syncs, and a journal the host does not show") {
  // fsync-logger's loggers: O_DSYNC writes (no fsync call), 40 commits predicted.
  nlohmann::ordered_json counters{{"syscalls_by_name", {{"open", 1}, {"write", 40}}},
                                  {"payload_bytes", 40 * 4096},
                                  {"fsync_wait_ns", 50e6},
                                  {"journal_commits", 40}};
  std::vector<Sample> s(3, grown(40, 40, 0));
  s[0].sync_ns = 40e6;
  s[1].sync_ns = 60e6;
  s[2].sync_ns = 45e6;
  SystemCells c = kiosim::host::system_cells(counters, s);
  const auto* f = cell(c, "fsync_wait_ns");
  REQUIRE(f);
  CHECK(f->predicted == 50e6);
  CHECK(f->measured == 45e6);  // the median of 40, 60, 45 ms
  CHECK(f->spread() == Approx(20.0 / 45));  // (60 - 40) / 45
  CHECK(f->inconclusive());                 // 0.44 > |50/45 - 1| = 0.11
  // No journal in the samples (their jbd2 is empty): left out, with the line the counters gave.
  CHECK_FALSE(cell(c, "journal_commits"));
  s[0].system_after.why_not.push_back("the temp dir's file system has no jbd2 journal in /proc/fs/jbd2");
  c = kiosim::host::system_cells(counters, s);
  CHECK(skipped_with(c, "journal commits: the temp dir's file system has no jbd2 journal"));
  // With the journal on both sides: 4512 -> 4552 transactions is 40 commits.
  for (auto& x : s) {
    x.system_before.jbd2 = Jbd2Info{4512, 4490, 13427.0};
    x.system_after.jbd2 = Jbd2Info{4552, 4530, 9000.0};
  }
  c = kiosim::host::system_cells(counters, s);
  REQUIRE(cell(c, "journal_commits"));
  CHECK(cell(c, "journal_commits")->measured == 40);
  CHECK(cell(c, "journal_commits")->error() == 0);
  CHECK(c.host["jbd2_average_commit_us"] == 9000.0);
}

TEST_CASE("system cells: TLB shootdowns, and a store through a mapping") {
  // tlb-shootdown.yaml: 200 munmaps' IPIs predicted; the host received 190, 200 and 230.
  nlohmann::ordered_json tlb{{"syscalls_by_name", {{"mmap", 200}, {"munmap", 200}}}, {"tlb_shootdowns", 200}};
  SystemCells c = kiosim::host::system_cells(tlb, {grown(0, 0, 190), grown(0, 0, 200), grown(0, 0, 230)});
  const auto* t = cell(c, "tlb_shootdowns");
  REQUIRE(t);
  CHECK(t->family == Family::interrupts);
  CHECK(t->measured == 200);
  CHECK(t->error() == 0);
  CHECK(t->inconclusive());    // the spread, (230 - 190) / 200 = 0.2, exceeds the error, 0
  CHECK(c.cells.size() == 1);  // no write, no sync: nothing else
  // An arm64 host: the line says why, the cell is left out.
  Sample arm;
  arm.system_before.why_not.push_back("/proc/interrupts has no TLB line (it is x86's)");
  c = kiosim::host::system_cells(tlb, {arm});
  CHECK(c.cells.empty());
  CHECK(c.skipped == std::vector<std::string>{"TLB shootdowns: /proc/interrupts has no TLB line (it is x86's)"});
  // reclaim-throttle.yaml: stores through a shared mapping dirty the pages, no write() does.
  nlohmann::ordered_json mapped{{"syscalls_by_name", {{"open", 1}, {"mmap", 1}}}, {"writeback_pages", 512}};
  c = kiosim::host::system_cells(mapped, {grown(512, 300, 0)});
  CHECK_FALSE(cell(c, "pages_dirtied"));
  CHECK(skipped_with(c, "pages dirtied: only for a process that dirties pages by write() alone"));
  REQUIRE(cell(c, "writeback_pages"));
  CHECK(cell(c, "writeback_pages")->measured == 300);
  CHECK_FALSE(cell(c, "write_blocked_ns"));  // no write() to time
}

TEST_CASE("sync latency: medians and the journal's commits, as check prints them") {
  kiosim::host::SyncLatency s;
  s.fs = "ext4";
  s.fsync_append = {3e6, 1e6, 2e6};
  s.fdatasync_append = {2e6, 2e6};
  s.jbd2_before = Jbd2Info{10, 10, 400.0};
  s.jbd2_after = Jbd2Info{19, 19, 500.0};
  auto j = s.to_json();
  CHECK(j["fsync_append"]["median_ns"] == 2e6);
  CHECK(j["fsync_append"]["min_ns"] == 1e6);
  CHECK(j["fsync_append"]["tries"] == 3);
  CHECK(j["fdatasync_append"]["median_ns"] == 2e6);
  CHECK_FALSE(j.contains("fdatasync_overwrite"));  // none measured
  CHECK(j["jbd2_commits"] == 9);                    // 19 - 10
  const std::string line = s.line();
  CHECK(line.find("SYNC ext4: fsync after a 4 KiB append median 2.000 ms (1.000-3.000 ms, 3 tries)") == 0);
  CHECK(line.find("jbd2: 9 commits, average commit 500 us") != std::string::npos);
  kiosim::host::SyncLatency none;
  none.why_not = "TMPDIR is read-only";
  CHECK(none.line() == "SKIP sync latency: TMPDIR is read-only\n");
  CHECK(none.to_json()["why_not"] == "TMPDIR is read-only");
}
