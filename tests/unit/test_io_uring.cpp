// io_uring reads (`uring_read`): one io_uring_enter submits several reads; cached
// pages are read inline, with read()'s lookups and copies but one crossing in all.
#include <catch2/catch.hpp>

#include "tests/unit/blk_fixture.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

TEST_CASE("io_uring: sixteen cached reads in one io_uring_enter", "[uring]") {
  // 1 MiB cached, 16 reads of 64 KiB submitted at once (default machine):
  //   1 system call (io_uring_enter), 2 mode switches;
  //   16 requests x cpu.uring_op 150 ns       =   2400 ns
  //   256 pages x cpu.page_lookup 25 ns       =   6400 ns
  //   syscall entry + exit                    =    100 ns
  //   1 MiB copied at 10 GB/s                 = 104857.6 ns
  // CPU time 113757.6 ns (113758 rounded); 16 copies, 256 hits, no disk.
  auto runs = test::simulate_text("uring",
                                  "kiosim: 1\nfiles: [{name: d, size: 1MiB, cached: true}]\n"
                                  "processes:\n  - setup: [ {open: {file: d, as: f}} ]\n"
                                  "    program:\n      - uring_read: { fd: f, bytes: 64KiB, depth: 16, buf: b }\n");
  REQUIRE(runs.size() == 1);
  const auto& c = runs[0]["counters"];
  CHECK(c["syscalls"] == 1);
  CHECK(c["syscalls_by_name"]["io_uring_enter"] == 1);
  CHECK(c["mode_switches"] == 2);
  CHECK(c["cpu_copies"] == 16);
  CHECK(c["cpu_copy_bytes"] == 1 << 20);
  CHECK(c["page_cache_hits"] == 256);
  CHECK(c["disk_requests"] == 0);
  CHECK(c["cpu_time_ns"] == 113758);
}

TEST_CASE("io_uring: reads past the end of the file return what is there", "[uring]") {
  // 100 KiB file, 4 reads of 64 KiB: 64 KiB + 36 KiB + 0 + 0 = 100 KiB in 2 copies.
  auto runs = test::simulate_text("uring-eof",
                                  "kiosim: 1\nfiles: [{name: d, size: 100KiB, cached: true}]\n"
                                  "processes:\n  - setup: [ {open: {file: d, as: f}} ]\n"
                                  "    program:\n      - uring_read: { fd: f, bytes: 64KiB, depth: 4, buf: b }\n");
  const auto& c = runs.at(0)["counters"];
  CHECK(c["cpu_copies"] == 2);
  CHECK(c["cpu_copy_bytes"] == 100 * 1024);
  CHECK(c["syscalls"] == 1);
}

TEST_CASE("io_uring: the disk reads of a batch are queued together", "[uring]") {
  // 256 KiB not cached, readahead 64 KiB: each 64 KiB read is exactly one window
  // (get_init_ra_size(16, 16) = 16, no page left for a PG_readahead marker), so each read
  // misses its 16 pages and nothing is read ahead. 4 reads of 64 KiB in one
  // io_uring_enter (default machine: disk 80 us + 64 KiB at 2 GB/s = 112.768 us a
  // request, one at a time).
  // All four misses are requested at t = 0, under the submission's plug (4 SQEs > 2,
  // io_submit_sqes): each window's readahead plug (read_pages) nests into it
  // (blk_start_plug under current->plug), and each window's bio merges at the back of
  // the one before (blk_attempt_plug_merge): 1 request of 256 KiB, 3 merges, handed to
  // the disk at blk_finish_plug, still t = 0: 80 + 262144 B / 2 GB/s = 211.072 us. The
  // reader sleeps once, for the first read's pages: its interrupt (1 us), the wake-up
  // (5 us), the switch in (1.5 us), the four copies (64 KiB at 10 GB/s = 6.5536 us
  // each) and the syscall's exit (0.05 us): 211.072 + 7.5 + 26.2144 + 0.05 =
  // 244.8364 us. Four read() calls, each waiting for its own request before the next
  // is asked for, take longer (507.486 us).
  const std::string head =
      "kiosim: 1\nset: { page_cache.readahead: 64KiB }\nfiles: [{name: d, size: 256KiB, cached: false}]\n"
      "processes:\n  - setup: [ {open: {file: d, as: f}} ]\n    program:\n";
  auto uring = test::simulate_text("uring-cold", head + "      - uring_read: { fd: f, bytes: 64KiB, depth: 4, buf: b }\n");
  auto reads = test::simulate_text("reads-cold", head + "      - repeat: 4\n        do: [ { read: { fd: f, bytes: 64KiB, buf: b } } ]\n");
  const auto& u = uring.at(0)["counters"];
  CHECK(u["disk_requests"] == 1);
  CHECK(u["disk_reads_merged"] == 3);
  CHECK(u["context_switches"] == 1);  // woken once: the one request completes every read
  CHECK(u["sim_time_ns"] == 244836);
  CHECK(reads.at(0)["counters"]["sim_time_ns"] == 507486);
}

TEST_CASE("io_uring: O_DIRECT reads at queue depth 32 on 4 hardware queues against depth 1", "[uring][blk-mq]") {
  // 32 O_DIRECT reads of 4 KiB at 8 KiB strides (no two adjacent: no merge in the
  // submission's plug) in one io_uring_enter, default machine (disk 80 us a request,
  // 2 GB/s shared): no CPU copy, 32 disk requests, 32 DMAs into the buffer.
  // Before the disk: entry 50 ns + 32 x cpu.uring_op 150 ns = 4.85 us, then a page lookup
  // (25 ns) before each bio; the plug (32 SQEs > 2) holds the 32 requests (a flush would
  // need 32 already there) until blk_finish_plug, at 4.85 + 32 x 0.025 = 5.65 us.
  // Depth 1: one at a time, 80 + 4096 B / 2 GB/s = 82.048 us each: the last done at
  //   5.65 + 32 x 82.048 = 2631.186 us; its interrupt 1, wake-up 5, switch in 1.5,
  //   exit 0.05: 2638.736 us.
  // Depth 32 (all on the submitting core's queue): the 32 latencies overlap, then the
  //   32 share the 2 GB/s: 80 + 32 x 4096 / 2e9 s = 145.536 us; the 32 interrupts one
  //   after another (32 us), then one wake-up (5), switch in (1.5), exit (0.05):
  //   5.65 + 145.536 + 32 + 6.55 = 189.736 us.
  auto run = [](int qd) {
    return test::simulate_text("qd" + std::to_string(qd),
                               "kiosim: 1\nset: { disk.hw_queues: 4, disk.queue_depth: " + std::to_string(qd) +
                                   " }\nfiles: [{name: d, size: 256KiB, cached: false}]\n"
                                   "processes:\n  - setup: [ {open: {file: d, as: f, flags: [direct]}},"
                                   " {uring_setup: {entries: 32}} ]\n"
                                   "    program:\n" +
                                   test::strided_preads(32, 8));
  };
  auto q1 = run(1), q32 = run(32);
  for (auto* r : {&q1, &q32}) {
    const auto& c = r->at(0)["counters"];
    CHECK(c["syscalls"] == 1);
    CHECK(c["cpu_copies"] == 0);
    CHECK(c["dma_copies"] == 32);
    CHECK(c["disk_requests"] == 32);
  }
  CHECK(q1.at(0)["counters"]["sim_time_ns"] == 2638736);
  CHECK(q32.at(0)["counters"]["sim_time_ns"] == 189736);
}

TEST_CASE("blk-mq: a request over max_request is split (bio_split)", "[blk-mq]") {
  // One O_DIRECT read of 1 MiB with disk.max_request 128 KiB: 8 requests, one wait.
  // Serial disk: 8 x (80 us + 128 KiB / 2 GB/s = 65.536 us) = 1164.288 us; without
  // the limit one request, 80 + 524.288 = 604.288 us.
  auto run = [](const std::string& set) {
    return test::simulate_text("split", "kiosim: 1\nset: { " + set +
                                            " }\nfiles: [{name: d, size: 1MiB, cached: false}]\n"
                                            "processes:\n  - setup: [ {open: {file: d, as: f, flags: [direct]}} ]\n"
                                            "    program:\n      - read: { fd: f, bytes: 1MiB, buf: b }\n");
  };
  auto split = run("disk.max_request: 128KiB"), whole = run("disk.max_request: 0");
  CHECK(split.at(0)["counters"]["disk_requests"] == 8);
  CHECK(whole.at(0)["counters"]["disk_requests"] == 1);
  CHECK(split.at(0)["counters"]["sim_time_ns"].get<std::int64_t>() -
            whole.at(0)["counters"]["sim_time_ns"].get<std::int64_t>() ==
        1164288 - 604288);
}
