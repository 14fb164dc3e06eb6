// io_uring's ring (`uring_setup`, `uring_register`, `uring`): batched submission,
// SQPOLL, registered buffers against RLIMIT_MEMLOCK, linked SQEs. Every number below is
// worked by hand from the default machine (scenarios/machines/default.yaml):
// cpu.syscall 100 ns (entry + exit), cpu.uring_op 150 ns, cpu.page_lookup 25 ns,
// copies at 10 GB/s, disk 80 us + bytes at 2 GB/s.
#include <catch2/catch.hpp>

#include "model/io_uring.h"
#include "tests/unit/blk_fixture.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {

// `batches` io_uring_enter calls of `per` 4 KiB reads each, from a cached 256 KiB file.
std::string batched(int batches, int per, const std::string& ring = "{ entries: 8 }", const std::string& extra = "") {
  std::string sqes;
  for (int i = 0; i < per; ++i) sqes += "{ read: { fd: f, bytes: 4KiB } },";
  sqes.pop_back();
  return test::one_file_scenario("", "256KiB", true, false, ", {uring_setup: " + ring + "}",
                                 "      - repeat: " + std::to_string(batches) + "\n        do:\n"
                                 "          - uring: { do: [" + sqes + "] }\n" + extra);
}

}  // namespace

TEST_CASE("io_uring ring: model bookkeeping", "[uring]") {
  CHECK(uring_sq_entries(1) == 1);
  CHECK(uring_sq_entries(5) == 8);     // roundup_pow_of_two
  CHECK(uring_sq_entries(64) == 64);
  // links: a b c | d | e f  (the last SQE ends its chain whatever its flag)
  auto ch = uring_chains({true, true, false, false, true, true});
  REQUIRE(ch.size() == 3);
  CHECK(ch[0] == std::make_pair(std::size_t(0), std::size_t(2)));
  CHECK(ch[1] == std::make_pair(std::size_t(3), std::size_t(3)));
  CHECK(ch[2] == std::make_pair(std::size_t(4), std::size_t(5)));
  MemlockAccount m(64 * 1024);  // 16 pages
  CHECK(m.charge(16));
  CHECK_FALSE(m.charge(1));
  m.uncharge(16);
  CHECK(m.charge(1));
  SqThreadClock sq(0, 1000);
  CHECK_FALSE(sq.submit_at(500));  // awake: spun 500
  CHECK(sq.submit_at(5000));       // asleep since 1500: spun 1000 more, woken
  sq.close_at(5200);               // 200 after the last work
  CHECK(sq.spin_ns() == 1700);
  CHECK(sq.wakeups() == 1);
}

TEST_CASE("io_uring ring: 64 reads in batches of 8 against 64 read() calls", "[uring]") {
  // uring: 8 io_uring_enter, 2 mode switches each = 16; 64 SQEs, 64 CQEs reaped from
  //   the CQ ring without a call. read(): 64 calls, 128 mode switches.
  // Both: 64 pages looked up (25 ns each) and 64 copies of 4 KiB (256 KiB at 10 GB/s).
  // CPU: uring 8 x 100 + 64 x 150 + 1600 + 26214.4 = 38214.4 ns;
  //      read  64 x 100 + 1600 + 26214.4 = 34214.4 ns. Difference 4000 ns: with 4 KiB
  //      reads of cached pages, an SQE (150 ns) costs more than the crossing it saves.
  auto u = test::simulate_text("batch8", batched(8, 8));
  auto r = test::simulate_text("reads64",
                               test::one_file_scenario("", "256KiB", true, false, "",
                                                       "      - repeat: 64\n        do: [ { read: { fd: f, bytes: 4KiB } } ]\n"));
  const auto& c = u.at(0)["counters"];
  const auto& d = r.at(0)["counters"];
  CHECK(c["syscalls"] == 8);
  CHECK(c["syscalls_by_name"]["io_uring_enter"] == 8);
  CHECK(c["mode_switches"] == 16);
  CHECK(c["uring_sqes"] == 64);
  CHECK(c["uring_cqes"] == 64);
  CHECK(c["cpu_copies"] == 64);
  CHECK(c["page_cache_hits"] == 64);
  CHECK(d["syscalls"] == 64);
  CHECK(d["mode_switches"] == 128);
  CHECK(d["cpu_copies"] == 64);
  CHECK(c["cpu_time_ns"] == 38214);
  CHECK(d["cpu_time_ns"] == 34214);
}

TEST_CASE("io_uring ring: SQPOLL submits without a system call", "[uring][sqpoll]") {
  // The SQ thread is started in setup (t = 0) with sq_thread_idle 1 ms; the program's
  // 8 batches all come within it: no io_uring_enter at all, 0 system calls, 0 mode
  // switches. The submitter pays only the lookups and copies: 1600 + 26214.4 =
  // 27814.4 ns, its whole run. The SQ thread spins from 0 to the last submission and
  // then until the ring closes at the thread's exit, 27814.4 ns in all (less than its
  // idle): sqpoll_cpu_ns 27814, and cpu_time_ns 27814 + 27814 = 55628.
  auto u = test::simulate_text("sqpoll", batched(8, 8, "{ entries: 8, sqpoll: true, idle: 1ms }"));
  const auto& c = u.at(0)["counters"];
  CHECK(c["syscalls"] == 0);
  CHECK(c["mode_switches"] == 0);
  CHECK(c["uring_sqes"] == 64);
  CHECK(c["sqpoll_wakeups"] == 0);
  CHECK(c["sqpoll_cpu_ns"] == 27814);
  CHECK(c["cpu_time_ns"] == 55628);
}

TEST_CASE("io_uring ring: an SQPOLL thread that went to sleep needs a wake-up enter", "[uring][sqpoll]") {
  // idle 10 us; each batch is followed by 100 us of sleep. Batch 1 at t = 0 finds the
  // thread awake (no call); batches 2 to 4 find it asleep: 3 io_uring_enter
  // (IORING_ENTER_SQ_WAKEUP), 3 wake-ups. Spin: 0, then 10 us before each of its 3
  // sleeps, then 10 us after the last batch (the program sleeps 100 us before it
  // exits): 40 us.
  auto u = test::simulate_text("sqpoll-sleep", batched(4, 8, "{ entries: 8, sqpoll: true, idle: 10us }") +
                                                   "          - sleep: 100us\n");
  const auto& c = u.at(0)["counters"];
  CHECK(c["syscalls"] == 3);
  CHECK(c["syscalls_by_name"]["io_uring_enter"] == 3);
  CHECK(c["sqpoll_wakeups"] == 3);
  CHECK(c["sqpoll_cpu_ns"] == 40000);
}

TEST_CASE("io_uring ring: O_DIRECT reads into registered buffers make no CPU copy", "[uring][fixed]") {
  // 4 O_DIRECT reads of 64 KiB, one submission: the disk DMAs into user memory: 0 CPU
  // copies, 256 KiB of DMA. The submission is plugged (4 SQEs > 2, io_submit_sqes) and
  // the reads are adjacent: they merge in the plug into 1 request, 1 DMA. Registered
  // (fixed) buffers are pinned once, at registration (in setup, not counted); without
  // them each read pins its 16 pages (25 ns each): 4 x 16 x 25 = 1600 ns more CPU time
  // in the system call (its time_breakdown_ns.syscall; the totals are rounded apart).
  auto run = [](bool fixed) {
    std::string sqe = fixed ? "{ read: { fd: f, bytes: 64KiB, fixed: 0 } }," : "{ read: { fd: f, bytes: 64KiB } },";
    std::string sqes = sqe + sqe + sqe + sqe;
    sqes.pop_back();
    return test::simulate_text(fixed ? "fixed" : "unfixed",
                               test::one_file_scenario("", "256KiB", false, true,
                                                       ", {uring_setup: { entries: 4 }}, "
                                                       "{uring_register: { buffers: 4, bytes: 64KiB }}",
                                                       "      - uring: { do: [" + sqes + "] }\n"));
  };
  auto f = run(true), n = run(false);
  const auto& c = f.at(0)["counters"];
  CHECK(c["cpu_copies"] == 0);
  CHECK(c["dma_copies"] == 1);
  CHECK(c["disk_reads_merged"] == 3);
  CHECK(c["dma_bytes"] == 256 * 1024);
  CHECK(c["syscalls"] == 1);
  CHECK(c["uring_pinned_pages"] == 64);
  CHECK(n.at(0)["counters"]["cpu_copies"] == 0);
  CHECK(n.at(0)["counters"]["time_breakdown_ns"]["syscall"].get<std::int64_t>() -
            c["time_breakdown_ns"]["syscall"].get<std::int64_t>() ==
        1600);
}

TEST_CASE("io_uring ring: registering past RLIMIT_MEMLOCK is refused with ENOMEM", "[uring][fixed]") {
  // mm.memlock 128 KiB = 32 pages; 4 buffers of 64 KiB are 64 pages: refused, nothing
  // pinned, one syscall_error event. The fixed read that follows names a buffer that
  // is not there: its CQE is -EFAULT (uring_failed 1), no disk request.
  auto u = test::simulate_text("memlock",
                               test::one_file_scenario("mm.memlock: 128KiB", "64KiB", false, true,
                                                       ", {uring_setup: { entries: 4 }}",
                                                       "      - uring_register: { buffers: 4, bytes: 64KiB }\n"
                                                       "      - uring: { do: [ { read: { fd: f, bytes: 64KiB, fixed: 0 } } ] }\n"));
  const auto& c = u.at(0)["counters"];
  CHECK(c["memlock_refusals"] == 1);
  CHECK(c["uring_pinned_pages"] == 0);
  CHECK(c["uring_failed"] == 1);
  CHECK(c["disk_requests"] == 0);
  CHECK(c["syscalls"] == 2);  // io_uring_register, io_uring_enter
}

TEST_CASE("io_uring ring: a short read fails its link and cancels the rest of the chain", "[uring][link]") {
  // 6 KiB file, reads at the file position. Chains: SQEs 1-4 (the fourth has no link)
  // and SQE 5. Both heads are issued first: SQE 1 takes bytes 0-4 KiB, SQE 5 the rest,
  // 4-6 KiB (2 KiB). Then the first chain goes on: SQE 2 finds the end of the file, 0
  // bytes of 4 KiB, a short read: it fails its link and SQEs 3 and 4 complete with
  // -ECANCELED. Copies: 4 KiB + 2 KiB = 2.
  auto u = test::simulate_text("links",
                               test::one_file_scenario("", "6KiB", true, false, ", {uring_setup: { entries: 8 }}",
                                                       "      - uring: { do: [ {read: {fd: f, bytes: 4KiB, link: true}},\n"
                                                       "          {read: {fd: f, bytes: 4KiB, link: true}}, "
                                                       "{read: {fd: f, bytes: 4KiB, link: true}},\n"
                                                       "          {read: {fd: f, bytes: 4KiB}}, {read: {fd: f, bytes: 4KiB}} ] }\n"));
  const auto& c = u.at(0)["counters"];
  CHECK(c["uring_sqes"] == 5);
  CHECK(c["uring_cqes"] == 5);
  CHECK(c["uring_canceled"] == 2);
  CHECK(c["cpu_copies"] == 2);
  CHECK(c["cpu_copy_bytes"] == 6 * 1024);
}
