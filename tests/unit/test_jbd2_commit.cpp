// The commit as jbd2_journal_commit_transaction (fs/jbd2/commit.c) orders it, seen on
// the disk lane of a simulated trace: ordered data and journal blocks submitted
// together, then the cache flush of the commit record's REQ_PREFLUSH, then the
// record's REQ_FUA write; and a commit writes only the jinode's dirty range.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/trace/schema.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;
using json = nlohmann::ordered_json;

namespace {

json run_traced(const std::string& name, const std::string& text) {
  RunOptions ro;
  ro.trace = true;
  auto runs = test::simulate_text(name, text, ro);
  REQUIRE(runs.size() == 1);
  return runs.front();
}

std::uint32_t lane_of(const json& run, const std::string& name) {
  for (std::size_t i = 0; i < run["lanes"].size(); ++i)
    if (run["lanes"][i]["name"] == name) return std::uint32_t(i);
  FAIL("no lane " << name);
  return 0;
}

std::int64_t end_of(const json& e) { return e["t"].get<std::int64_t>() + e.value("dur", std::int64_t(0)); }

}  // namespace

TEST_CASE("jbd2 commit: data and journal blocks together, then REQ_PREFLUSH, then the REQ_FUA commit record") {
  // nodelalloc, ordered: a.bin's write joins T1 with its range (ordered data); b.bin's
  // fsync writes b's page itself (file_write_and_wait_range), then asks for T1. The
  // commit then writes a's 2 pages and the journal blocks (descriptor + inode a +
  // inode b + bitmap + group descriptor = 5), submitted together: the disk starts
  // the journal blocks the moment a's data is done, without waiting for its interrupt.
  const json run = run_traced("commit-order",
                              "kiosim: 1\nset:\n  journal.delalloc: false\n"
                              "files:\n  - { name: a.bin, size: 0 }\n  - { name: b.bin, size: 0 }\n"
                              "processes:\n  - program:\n"
                              "      - open: { file: a.bin, as: a }\n      - write: { fd: a, bytes: 8KiB }\n"
                              "      - open: { file: b.bin, as: b }\n      - write: { fd: b, bytes: 4KiB }\n"
                              "      - fsync: { fd: b }\n");
  const std::uint32_t disk = lane_of(run, std::string(schema::note::disk_lane));
  std::vector<json> data, journal, flush;
  for (const auto& e : run["events"]) {
    if (e["lane"] != disk) continue;
    if (e["kind"] == "device_flush") flush.push_back(e);
    else if (e["kind"] == "writeback" && e.value("name", "") == schema::note::journal_blocks) journal.push_back(e);
    else if (e["kind"] == "writeback" && e.value("file", -1) == 0) data.push_back(e);
  }
  REQUIRE(data.size() == 1);     // a's 2 pages, one request
  CHECK(data[0]["pages"] == 2);
  REQUIRE(journal.size() == 2);  // the 5 journal blocks, then the 1-block commit record
  CHECK(journal[0]["pages"] == 5);
  CHECK(journal[1]["pages"] == 1);
  REQUIRE(flush.size() == 1);    // one flush per commit: the commit record's PREFLUSH
  CHECK(journal[0]["t"].get<std::int64_t>() == end_of(data[0]));  // queued together
  CHECK(flush[0]["t"].get<std::int64_t>() >= end_of(journal[0]));
  CHECK(journal[1]["t"].get<std::int64_t>() >= end_of(flush[0]));  // the flush comes first
  CHECK(run["counters"]["journal_commits"] == 1);
  CHECK(run["counters"]["device_flushes"] == 1);
  CHECK(run["counters"]["journal_bytes"] == 6 * 4096);  // 5 blocks + the commit record
}

TEST_CASE("jbd2 commit: with delayed allocation it writes only the jinode's dirty range") {
  // a.bin: w1 appends 16 KiB (4 pages, delayed); fadvise DONTNEED starts their
  // writeback, which allocates them in T1 with the range [0, 16 KiB). After 1 ms
  // w2 appends 16 KiB more: dirty, delayed, unallocated, outside the range. b.bin's
  // fsync writes b's page and commits T1. journal_submit_data_buffers writes only
  // allocated blocks of the range: a's pages 0-3 are written already, pages 4-7 are
  // not written. writeback_pages = 4 (fadvise) + 1 (b) = 5; the old rule - every
  // dirty page of an ordered file - made it 9.
  const json run = run_traced("commit-range",
                              "kiosim: 1\nfiles:\n  - { name: a.bin, size: 0 }\n  - { name: b.bin, size: 0 }\n"
                              "processes:\n  - program:\n"
                              "      - open: { file: a.bin, as: a }\n      - write: { fd: a, bytes: 16KiB }\n"
                              "      - fadvise: { fd: a, advice: dontneed }\n      - sleep: 1ms\n"
                              "      - write: { fd: a, bytes: 16KiB }\n"
                              "      - open: { file: b.bin, as: b }\n      - write: { fd: b, bytes: 4KiB }\n"
                              "      - fsync: { fd: b }\n");
  CHECK(run["counters"]["journal_commits"] == 1);
  CHECK(run["counters"]["writeback_pages"] == 5);
}
