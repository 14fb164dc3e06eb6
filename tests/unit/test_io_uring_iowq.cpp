// io-wq's bounded workers (io_uring/io-wq.c io_wq_enqueue, io_wq_create_worker): reads of
// a file without FMODE_NOWAIT go to a worker each (io_read: -EAGAIN before any attempt),
// at most the bound at once, the rest queued. Numbers by hand from the default machine
// (scenarios/machines/default.yaml): disk 80 us a request + bytes at 2 GB/s shared by
// the requests in flight, interrupt 1 us, wake-up 5 us + switch 1.5 us, page lookup
// 25 ns, a 4 KiB copy 409.6 ns, cpu.syscall 100 ns, cpu.uring_op 150 ns.
#include <catch2/catch.hpp>

#include "model/io_wq.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {

// One io_uring_enter of 8 reads of 4 KiB of an uncached 32 KiB file; no readahead and
// a disk with 32 tags, so the disk would serve all 8 at once.
std::string reads(const std::string& ring, bool nowait = false, const std::string& set = "") {
  std::string sqes;
  for (int i = 0; i < 8; ++i) sqes += "{ read: { fd: f, bytes: 4KiB } },";
  sqes.pop_back();
  return "kiosim: 1\nset: { page_cache.readahead: 0, disk.queue_depth: 32" + set + " }\n"
         "files: [{name: d, size: 32KiB, nowait: " + (nowait ? "true" : "false") + "}]\n"
         "processes:\n  - setup: [ {open: {file: d, as: f}}, {uring_setup: " + ring + "} ]\n"
         "    program:\n      - uring: { do: [" + sqes + "] }\n";
}

}  // namespace

TEST_CASE("io-wq bound: enqueue takes a worker while fewer than the bound are busy", "[uring][iowq]") {
  CHECK(iowq_default_bound(8, 2) == 8);    // min(SQ entries, 4 x cpus)
  CHECK(iowq_default_bound(64, 2) == 8);
  CHECK(iowq_default_bound(16, 1) == 4);
  IoWqBound wq(2);
  CHECK(wq.enqueue(0));
  CHECK(wq.enqueue(1));
  CHECK_FALSE(wq.enqueue(2));  // both busy: it waits in the list
  CHECK_FALSE(wq.enqueue(3));
  CHECK(wq.waiting() == 2);
  CHECK(wq.done() == std::optional<std::size_t>(2));  // the worker goes on with the list's head
  CHECK(wq.done() == std::optional<std::size_t>(3));
  CHECK(wq.done() == std::nullopt);  // nothing left: the worker goes idle
  CHECK(wq.running() == 1);
  CHECK(wq.workers() == 2);
  wq.set_max(0);  // 0 leaves the bound as it is (io_wq_max_workers)
  CHECK(wq.max_workers() == 2);
}

TEST_CASE("io-wq: 8 blocking reads on N workers take ceil(8/N) rounds of disk time", "[uring][iowq]") {
  // Each read goes to io-wq (8 punts); N run at once. A round: N requests in flight
  // together, 80 us + N x 2.048 us on the disk, then per request its interrupt (1 us)
  // and its lookup and copy (0.43 us), and one wake-up and switch of the submitter
  // (6.5 us). The next round's first request cannot start before a request of this
  // one has finished, so R = ceil(8/N) rounds take at least R x 80 us; and at most
  // R x (80 + 2.048 N + 1.5 N + 6.5) us + 2 us (the crossing and 8 SQEs: 1.3 us).
  //   N = 1: R = 8, 640 .. 722.4 us;  N = 2: R = 4, 320 .. 376.4 us;
  //   N = 8: R = 1,  80 .. 116.9 us.
  struct Case {
    std::uint32_t n;
    double lo_us, hi_us;
  };
  std::vector<double> times;
  for (const Case& k : {Case{1, 640, 722.4}, Case{2, 320, 376.4}, Case{8, 80, 116.9}}) {
    auto u = test::simulate_text("iowq" + std::to_string(k.n),
                                 reads("{ entries: 8, iowq_max: " + std::to_string(k.n) + " }"));
    const auto& c = u.at(0)["counters"];
    INFO("N = " << k.n);
    CHECK(c["uring_iowq_punts"] == 8);
    CHECK(c["uring_iowq_workers"] == k.n);
    CHECK(c["disk_requests"] == 8);
    CHECK(c["cpu_copies"] == 8);
    CHECK(c["uring_cqes"] == 8);
    CHECK(c["syscalls"] == 1);
    const double us = c["sim_time_ns"].get<double>() / 1e3;
    CHECK(us >= k.lo_us);
    CHECK(us <= k.hi_us);
    times.push_back(us);
  }
  CHECK(times[0] > times[1]);
  CHECK(times[1] > times[2]);
}

TEST_CASE("io-wq: the default bound is min(SQ entries, 4 x cores), and a nowait file needs no worker", "[uring][iowq]") {
  // 8 entries, 2 cores: min(8, 8) = 8 workers for the 8 reads; 1 core: min(8, 4) = 4.
  auto two = test::simulate_text("iowq-default", reads("{ entries: 8 }"));
  CHECK(two.at(0)["counters"]["uring_iowq_workers"] == 8);
  auto one = test::simulate_text("iowq-1core", reads("{ entries: 8 }", false, ", cpu.cores: 1"));
  CHECK(one.at(0)["counters"]["uring_iowq_workers"] == 4);
  // FMODE_NOWAIT (ext4): each read is tried inline, and a miss waits for its page
  // through the page's wait queue (FOP_BUFFER_RASYNC, io_async_buf_func): no worker.
  // Inline, the 8 one-page reads (readahead off: page_cache_sync_ra reads 1 page) are
  // under the submission's plug (8 SQEs > 2), adjacent: 1 request, 7 merges.
  auto ext4 = test::simulate_text("iowq-nowait", reads("{ entries: 8 }", true));
  CHECK(ext4.at(0)["counters"]["uring_iowq_punts"] == 0);
  CHECK(ext4.at(0)["counters"]["uring_iowq_workers"] == 0);
  CHECK(ext4.at(0)["counters"]["disk_requests"] == 1);
  CHECK(ext4.at(0)["counters"]["disk_reads_merged"] == 7);
  CHECK(two.at(0)["counters"]["disk_requests"] == 8);  // on 8 workers: no plug of the submitter's
}
