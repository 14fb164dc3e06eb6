// The block layer in whole runs (sim/kernel/block_device.cpp over model/blk_merge.h and
// model/io_scheduler.h): max_sectors_kb splitting, the hardware queues' tags, and the
// scheduler's order of service, each derived by hand from the default machine: disk
// 80 us a request, 2 GB/s shared by the requests in flight; syscall entry 50 ns and
// exit 50 ns; cpu.uring_op 150 ns; interrupt 1 us (one at a time, in the irq actor);
// wake-up 5 us; switch in 1.5 us.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/unit/blk_fixture.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {

const nlohmann::ordered_json& counters_of(const nlohmann::ordered_json& run, const std::string& process) {
  for (const auto& p : run["processes"])
    if (p["name"] == process) return p["counters"];
  FAIL("no process " << process);
  return run["counters"];
}

std::int64_t ns(const nlohmann::ordered_json& c, const char* key) { return c[key].get<std::int64_t>(); }

}  // namespace

TEST_CASE("blk-mq: an O_DIRECT read split at max_request completes once, with its last piece", "[blk-mq]") {
  // 1 MiB with disk.max_request 128 KiB: __bio_split_to_limits cuts 8 pieces, each a
  // request (submit_bio without a plug, `none`: no merge). One queue of depth 4: two
  // rounds of 4 in flight, each 80 us + 4 x 128 KiB / 2 GB/s = 80 + 262.144 = 342.144 us.
  // Submitted at 0.05 us (entry); round 2 done at 0.05 + 2 x 342.144 = 684.338 us.
  // 8 interrupts (one per request, 8 completions of bios); the reader's DiskRequest is
  // done with its last piece: it is woken once (1 switch), after round 2's 4 interrupts
  // (4 us), then wake-up 5, switch 1.5, exit 0.05: 684.338 + 10.55 = 694.888 us.
  // (Round 1's interrupts, 342.194..346.194 us, go on while round 2 is served.)
  auto runs = test::simulate_text("split-qd4",
                                  test::one_file_scenario("disk.max_request: 128KiB, disk.queue_depth: 4", "1MiB",
                                                          false, true, "",
                                                          "      - read: { fd: f, bytes: 1MiB, buf: b }\n"));
  const auto& c = runs.at(0)["counters"];
  CHECK(c["disk_requests"] == 8);
  CHECK(c["dma_copies"] == 8);
  CHECK(c["dma_bytes"] == 1 << 20);
  CHECK(c["interrupts"] == 8);
  CHECK(c["disk_reads_merged"] == 0);
  CHECK(c["context_switches"] == 1);
  CHECK(ns(c, "sim_time_ns") == 694888);
}

TEST_CASE("blk-mq: readahead's bios are split at max_request and merge in the plug", "[blk-mq]") {
  // A cold buffered read of a whole file in one read() (no large folios: order-0 folios).
  // ext4_mpage_readpages puts folio after folio in one bio, at most BIO_MAX_VECS (256)
  // of them, and read_pages' plug merges the bios (blk_attempt_plug_merge) while the
  // request stays within max_request; a bio over it is split first (bio_split_rw).
  //  - 128 KiB file, readahead 128 KiB: one window of 32 pages = 32 folios = 1 bio.
  //      no limit: 1 request of 128 KiB, 0 merges, 1 interrupt;
  //      64 KiB:   the bio is split in 2 x 64 KiB; the second cannot merge (128 > 64):
  //                2 requests, 0 merges, 2 interrupts.
  //  - 2 MiB file, readahead 2 MiB: one window of 512 pages = 2 bios of 256 folios (1 MiB).
  //      no limit: the second bio merges at the back of the first: 1 request, 1 merge;
  //      1 MiB:    neither is split, the merge would make 2 MiB: 2 requests, 0 merges.
  auto run = [](const std::string& limit, const std::string& size) {
    return test::simulate_text(
        "plug-limit",
        test::one_file_scenario("disk.max_request: " + limit + ", mm.folio: 4KiB, page_cache.readahead: " + size,
                                size, false, false, "", "      - read: { fd: f, bytes: " + size + ", buf: b }\n"));
  };
  auto whole = run("0", "128KiB"), split = run("64KiB", "128KiB");
  const auto& w = whole.at(0)["counters"];
  const auto& s = split.at(0)["counters"];
  CHECK(w["disk_requests"] == 1);
  CHECK(w["disk_reads_merged"] == 0);
  CHECK(w["interrupts"] == 1);
  CHECK(s["disk_requests"] == 2);
  CHECK(s["disk_reads_merged"] == 0);
  CHECK(s["interrupts"] == 2);
  CHECK(s["dma_bytes"] == 128 * 1024);
  auto big = run("0", "2MiB"), big_split = run("1MiB", "2MiB");
  const auto& bw = big.at(0)["counters"];
  const auto& bs = big_split.at(0)["counters"];
  CHECK(bw["disk_requests"] == 1);
  CHECK(bw["disk_reads_merged"] == 1);
  CHECK(bs["disk_requests"] == 2);
  CHECK(bs["disk_reads_merged"] == 0);
  CHECK(bs["dma_bytes"] == 2 * 1024 * 1024);
}

TEST_CASE("blk-mq: depth 32 on 4 hardware queues against depth 1, reads spread over four files", "[blk-mq]") {
  // Four threads on cores 0..3 (8 cores: no thread waits for a core, nor the irq actor),
  // each with a file of its own, 8 O_DIRECT reads of 4 KiB at 8 KiB strides (no two
  // adjacent) in one io_uring_enter: 32 reads at scattered places. Core i submits to
  // hardware queue i (blk_mq_map_queue). Each thread: entry 0.05 + 8 x 0.15 = 1.25 us,
  // then a page lookup (0.025 us) before each bio, into the submission's plug (8 SQEs > 2:
  // io_submit_sqes plugs); none merges there (not adjacent), and blk_finish_plug hands
  // the 8 to the queue at 1.25 + 8 x 0.025 = 1.45 us.
  // Depth 1: each queue serves its 8 one at a time, the 4 queues together: a round of 4
  //   in flight takes 80 + 4 x 4096 B / 2 GB/s = 88.192 us; 8 rounds: done at
  //   1.45 + 8 x 88.192 = 706.986 us. The last round's 4 interrupts take 4 us; the thread
  //   of the 4th was asleep (its previous request ended a round before): wake-up 5,
  //   switch 1.5, exit 0.05: 706.986 + 4 + 6.55 = 717.536 us.
  // Depth 32: all 32 in flight at once: 80 + 32 x 4096 B / 2 GB/s = 145.536 us, done at
  //   146.986 us; then 32 interrupts one after another, the last at 178.986 us. The
  //   thread whose request it completes ends 0.05 us later if it was awake, at most
  //   5 + 1.5 + 0.05 later if asleep: 179.036 .. 185.536 us.
  // 32 requests, 32 interrupts, 0 CPU copies either way; depth 32 is 3.867 to 4.008 times faster.
  auto run = [](int qd) {
    return test::simulate_text("qd-threads" + std::to_string(qd),
                               "kiosim: 1\nset: { cpu.cores: 8, disk.hw_queues: 4, disk.queue_depth: " +
                                   std::to_string(qd) +
                                   " }\nfiles:\n  - {name: d0, size: 64KiB}\n  - {name: d1, size: 64KiB}\n"
                                   "  - {name: d2, size: 64KiB}\n  - {name: d3, size: 64KiB}\n"
                                   "processes:\n  - name: readers\n    threads: 4\n    cores: [0, 1, 2, 3]\n"
                                   "    setup: [ {open: {file: \"d{thread}\", as: f, flags: [direct]}},"
                                   " {uring_setup: {entries: 8}} ]\n"
                                   "    program:\n" +
                                   test::strided_preads(8, 8));
  };
  auto q1 = run(1), q32 = run(32);
  for (auto* r : {&q1, &q32}) {
    const auto& c = r->at(0)["counters"];
    CHECK(c["syscalls"] == 4);
    CHECK(c["cpu_copies"] == 0);
    CHECK(c["disk_requests"] == 32);
    CHECK(c["disk_reads_merged"] == 0);
    CHECK(c["interrupts"] == 32);
  }
  const std::int64_t t1 = ns(q1.at(0)["counters"], "sim_time_ns"), t32 = ns(q32.at(0)["counters"], "sim_time_ns");
  CHECK(t1 == 717536);
  CHECK(t32 >= 179036);
  CHECK(t32 <= 185536);
  CHECK(double(t1) / double(t32) > 3.866);
}

TEST_CASE("mq-deadline-vs-none.yaml: the scheduler's order of service", "[blk-mq]") {
  // Who is served when, from each process's time asleep for the disk (its
  // time_breakdown_ns.disk: from its submission to its wake-up, 5 us after its
  // request's 1 us interrupt). The scenario's comments derive when each request is done:
  // each process's 8 reads are one request (merged in its plug), so each sleeps once.
  // none, in submission order: first 1.25 .. 97.634 + 6: 102.384 us; far 11.25 ..
  //   194.018 + 6: 188.768 us; near 21.25 .. 290.402 + 6: 275.152 us; next 31.25 ..
  //   386.786 + 6: 361.536 us.
  // mq-deadline, in position order: first 102.384 us; near+next done at 210.402 us: near
  //   21.25 .. 216.402: 195.152 us, next 31.25 .. 216.402: 185.152 us; far 11.25 ..
  //   306.786 + 6: 301.536 us. far came before near and is served after it. next's 8
  //   bios merged one by one behind near's queued request (blk_mq_sched_bio_merge):
  //   8 merges and no request of its own.
  LoadOptions lo;
  lo.machines_dir = std::string(KIOSIM_SOURCE_DIR) + "/scenarios/machines";
  Scenario s = load_scenario(std::string(KIOSIM_SOURCE_DIR) + "/scenarios/mq-deadline-vs-none.yaml", lo);
  RunOptions opt;
  opt.check_invariants = true;
  auto runs = simulate(s, s.runs(), opt);
  REQUIRE(runs.size() == 2);
  auto asleep = [](const nlohmann::ordered_json& run, const char* p) {
    return counters_of(run, p)["time_breakdown_ns"]["disk"].get<std::int64_t>();
  };
  CHECK(asleep(runs[0], "first") == 102384);
  CHECK(asleep(runs[0], "far") == 188768);
  CHECK(asleep(runs[0], "near") == 275152);
  CHECK(asleep(runs[0], "next") == 361536);
  CHECK(asleep(runs[1], "first") == 102384);
  CHECK(asleep(runs[1], "near") == 195152);
  CHECK(asleep(runs[1], "next") == 185152);
  CHECK(asleep(runs[1], "far") == 301536);
  CHECK(counters_of(runs[0], "far")["disk_reads_merged"] == 7);
  CHECK(counters_of(runs[0], "far")["disk_requests"] == 1);
  CHECK(counters_of(runs[1], "next")["disk_reads_merged"] == 8);
  CHECK(counters_of(runs[1], "near")["disk_reads_merged"] == 7);
  CHECK(counters_of(runs[1], "near")["disk_requests"] == 1);
  CHECK(counters_of(runs[1], "next")["disk_requests"] == 0);  // its reads rode near's request
}

TEST_CASE("blk-mq: readahead of 16 MiB with an 8 MiB window and 4 MiB requests (issue 14's host)", "[blk-mq]") {
  // scenarios/readahead.yaml on a host with read_ahead_kb 8192 and max_sectors_kb 4096.
  // 256 read()s of 64 KiB (16 pages), ra_pages 2048. ondemand_readahead's windows:
  // get_init_ra_size(16, 2048) = 16 x 4 = 64 pages; then get_next_ra_size: 64 < 2048/16
  // -> x4 = 256; 256 <= 1024 -> x2 = 512, 1024, 2048; the last window stops at the
  // file's end: 4096 - (64 + 256 + 512 + 1024 + 2048) = 192 pages. Each window is one
  // run of folios, at most 8 folios of 2 MiB here, so one bio (under 256 vecs); only the
  // 2048-page (8 MiB) window is over 4 MiB: bio_split_rw cuts it in 2 x 1024 pages.
  // Requests: 1 + 1 + 1 + 1 + 2 + 1 = 7 (the host's /proc/diskstats said 7; a bio per
  // folio merged in the plug gave 8: the merge stopped at a folio's edge, 704 pages).
  std::ifstream in(std::string(KIOSIM_SOURCE_DIR) + "/scenarios/readahead.yaml");
  std::stringstream text;
  text << in.rdbuf();
  kiosim::Scenario sc = test::load_text("readahead-host", text.str(), {"page_cache.readahead=8MiB", "disk.max_request=4MiB"});
  RunOptions opt;
  opt.check_invariants = true;
  auto runs = simulate(sc, sc.runs(), opt);
  const auto& c = runs.at(0)["counters"];
  CHECK(c["disk_requests"] == 7);
  CHECK(c["readahead_pages"] == 4080);
  CHECK(c["dma_bytes"] == 16 * 1024 * 1024);
}
