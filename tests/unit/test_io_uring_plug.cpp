// io_uring's plug (io_uring/io_uring.c): io_submit_sqes -> io_submit_state_start sets
// need_plug when the submission has more than 2 SQEs; io_init_req starts the plug
// (blk_start_plug_nr_ios) at the first SQE whose opcode has .plug (io_uring/opdef.c: read,
// write, READ_FIXED ...); io_submit_state_end finishes it (blk_finish_plug). Inside it a
// contiguous O_DIRECT bio merges into the plug's last request (block/blk-merge.c
// blk_attempt_plug_merge) with any elevator, `none` too; a new request joins the plug
// and flushes it first when it already holds BLK_MAX_REQUEST_COUNT (32) requests
// (block/blk-mq.c blk_add_rq_to_plug).
// Default machine: disk 80 us a request, 2 GB/s, one queue of depth 1; syscall entry
// 50 ns and exit 50 ns; cpu.uring_op 150 ns; cpu.page_lookup 25 ns; interrupt 1 us;
// wake-up 5 us; switch in 1.5 us. After a process's last request: interrupt 1, wake-up
// 5, switch 1.5, exit 0.05 = 7.55 us.
#include <catch2/catch.hpp>

#include <string>

#include "tests/unit/blk_fixture.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {

nlohmann::ordered_json run(const std::string& name, const std::string& set, const std::string& size,
                           const std::string& setup, const std::string& program) {
  return test::simulate_text(name, test::one_file_scenario(set, size, false, true, setup, program)).at(0)["counters"];
}

}  // namespace

TEST_CASE("io_uring plug: 8 contiguous O_DIRECT reads in one submission on `none` are 1 request", "[uring][plug]") {
  // uring_read depth 8: 8 SQEs > 2, need_plug; the reads are .plug. Submitted together at
  // 0.05 + 8 x 0.15 = 1.25 us: the first bio is a request in the plug, the 7 others merge
  // at its back (4 + 4 + ... = 32 KiB, no max_request): 1 request, 7 merges, finished
  // into `none` at once. 80 + 32768 B / 2 GB/s = 96.384 us: done at 97.634 us; one
  // interrupt completes the 8 bios; the reader sleeps once: 97.634 + 7.55 = 105.184 us.
  const auto c = run("plug8", "", "32KiB", "", "      - uring_read: { fd: f, bytes: 4KiB, depth: 8, buf: b }\n");
  CHECK(c["disk_requests"] == 1);
  CHECK(c["disk_reads_merged"] == 7);
  CHECK(c["dma_copies"] == 1);
  CHECK(c["dma_bytes"] == 32768);
  CHECK(c["interrupts"] == 1);
  CHECK(c["context_switches"] == 1);
  CHECK(c["sim_time_ns"] == 105184);
}

TEST_CASE("io_uring plug: a submission of 2 SQEs is not plugged", "[uring][plug]") {
  // depth 2: need_plug = (2 > 2) is false. Both bios go straight to `none`, each a request
  // (nothing merges outside a plug there): submitted at 0.05 + 2 x 0.15 = 0.35 us; the
  // serial disk serves 82.048 us each, done at 82.398 and 164.446 us. The reader sleeps
  // for the first (woken at 82.398 + 1 + 5 = 88.398, switch in to 89.898), then for the
  // second: woken at 164.446 + 6 = 170.446, switch in and exit: 171.996 us. 2 switches.
  // depth 3, the same reads and one more: plugged, 1 request of 12 KiB, 2 merges.
  const auto two = run("plug2", "", "32KiB", "", "      - uring_read: { fd: f, bytes: 4KiB, depth: 2, buf: b }\n");
  CHECK(two["disk_requests"] == 2);
  CHECK(two["disk_reads_merged"] == 0);
  CHECK(two["context_switches"] == 2);
  CHECK(two["sim_time_ns"] == 171996);
  const auto three = run("plug3", "", "32KiB", "", "      - uring_read: { fd: f, bytes: 4KiB, depth: 3, buf: b }\n");
  CHECK(three["disk_requests"] == 1);
  CHECK(three["disk_reads_merged"] == 2);
}

TEST_CASE("io_uring plug: the `uring` op's reads, contiguous or not", "[uring][plug]") {
  // io_uring_enter with explicit SQEs (IORING_OP_READ at an offset).
  //  - 8 at 0, 4, ..., 28 KiB: one plug, 1 request, 7 merges.
  //  - 8 at 0, 8, ..., 56 KiB: each ends 4 KiB before the next starts, no plug merge (and
  //    none in `none`): 8 requests, 0 merges; with mq-deadline neither (not adjacent).
  //  - 2 at 0 and 4 KiB: not plugged (2 SQEs): 2 requests on `none`. mq-deadline takes the
  //    first at once (the disk is idle) and has nothing queued to merge the second into:
  //    2 requests there too.
  const std::string ring = ", {uring_setup: {entries: 8}}";
  const auto contiguous = run("uring-contig", "", "64KiB", ring, test::strided_preads(8, 4));
  CHECK(contiguous["disk_requests"] == 1);
  CHECK(contiguous["disk_reads_merged"] == 7);
  CHECK(contiguous["uring_cqes"] == 8);
  const auto strided = run("uring-strided", "", "64KiB", ring, test::strided_preads(8, 8));
  CHECK(strided["disk_requests"] == 8);
  CHECK(strided["disk_reads_merged"] == 0);
  const auto strided_dl = run("uring-strided-dl", "disk.scheduler: mq-deadline", "64KiB", ring, test::strided_preads(8, 8));
  CHECK(strided_dl["disk_requests"] == 8);
  CHECK(strided_dl["disk_reads_merged"] == 0);
  for (const char* sched : {"none", "mq-deadline"}) {
    const auto two = run(std::string("uring-two-") + sched, std::string("disk.scheduler: ") + sched, "64KiB", ring,
                         test::strided_preads(2, 4));
    CHECK(two["disk_requests"] == 2);
    CHECK(two["disk_reads_merged"] == 0);
  }
}

TEST_CASE("io_uring plug: the 33rd request flushes the 32 the plug holds", "[uring][plug]") {
  // 40 reads of 4 KiB at 8 KiB strides (no merges): 40 requests. The CPU before the first
  // bio: entry 0.05 + 40 x uring_op 0.15 = 6.05 us, then a page lookup (0.025 us) before
  // each read's bio. blk_add_rq_to_plug: when the 33rd request comes, the plug holds 32
  // (BLK_MAX_REQUEST_COUNT): they go to `none` then, at 6.05 + 33 x 0.025 = 6.875 us; the
  // last 8 at blk_finish_plug, 7.05 us, while the disk is still busy. Served back to back
  // from 6.875 us: 40 x 82.048 = 3281.92 us, done at 3288.795 us; + 7.55 = 3296.345 us.
  // (Held to the end, the first would have started at 7.05 us: 3296.52 us.) The reader
  // waits for each read in turn, and each is not done yet: 40 switches.
  const auto c = run("plug-flush", "", "320KiB", ", {uring_setup: {entries: 64}}", test::strided_preads(40, 8));
  CHECK(c["disk_requests"] == 40);
  CHECK(c["disk_reads_merged"] == 0);
  CHECK(c["context_switches"] == 40);
  CHECK(c["sim_time_ns"] == 3296345);
}
