// Dirty throttling as balance_dirty_pages (mm/page-writeback.c) computes it:
// sim/kernel/dirty_throttle.h, numbers worked by hand in the comments. The cache
// of the examples is 64 MiB = 16384 pages: thresh = 20% = 3276, bg_thresh = 10% = 1638.
#include <catch2/catch.hpp>

#include "sim/kernel/dirty_throttle.h"
#include "tests/unit/scenario_support.h"
#include "sim/run/run.h"

#include <algorithm>
#include <cstdlib>

using namespace kiosim;
namespace d = kiosim::dirty;

TEST_CASE("dirty_freerun_ceiling and dirty_poll_interval: free run below (thresh + bg_thresh) / 2") {
  // (3276 + 1638) / 2 = 2457.
  CHECK(d::freerun_ceiling(3276, 1638) == 2457);
  d::Inputs in;
  in.thresh = 3276;
  in.bg_thresh = 1638;
  in.dirty = 2457;
  in.pages_dirtied = 10000;  // however many: no pause at the ceiling
  const d::Decision at = d::balance(in);
  CHECK(at.free_run);
  CHECK(at.pause == 0);
  // The next look: 1 << (ilog2(thresh - dirty) >> 1): 3276 - 2457 = 819, ilog2 9,
  // 9 >> 1 = 4: 16 pages. With nothing dirty: ilog2(3276) = 11, 11 >> 1 = 5: 32.
  CHECK(at.nr_dirtied_pause == 16);
  CHECK(d::poll_interval(0, 3276) == 32);
  CHECK(d::poll_interval(3300, 3276) == 1);
  in.dirty = 2458;
  CHECK_FALSE(d::balance(in).free_run);
}

TEST_CASE("pos_ratio_polynom and wb_position_ratio: 2 at the freerun ceiling, 1 at the setpoint, 0 at the limit") {
  // setpoint = (freerun + limit) / 2 = (2457 + 3276) / 2 = 2866; limit - setpoint = 410, |1 = 411.
  // At the setpoint x = 0: 1.0 = 1024.
  CHECK(d::pos_ratio_polynom(2866, 2866, 3276) == 1024);
  // At the ceiling: x = 409 * 1024 / 411 = 1019; 1019^2 / 1024 = 1014; 1014 * 1019 / 1024
  // = 1009; 1024 + 1009 = 2033 (2.0 but for the |1).
  CHECK(d::pos_ratio_polynom(2866, 2457, 3276) == 2033);
  // At the limit: x = -410 * 1024 / 411 = -1021 (truncated); 1021^2 / 1024 = 1018;
  // 1018 * -1021 = -1039378, / 1024 rounded down = -1016; 1024 - 1016 = 8.
  CHECK(d::pos_ratio_polynom(2866, 3276, 3276) == 8);
  // wb_position_ratio returns 0 from the limit on.
  CHECK(d::position_ratio(3276, 3276, 1638, d::kInitBw) == 0);
  // At the setpoint with INIT_BW = 25600 pages/s: span = 8 * 25600 = 204800,
  // x_intercept = 2866 + 204800 = 207666; 1024 * 204800 / 204801 = 1023.
  CHECK(d::position_ratio(2866, 3276, 1638, d::kInitBw) == 1023);
}

TEST_CASE("balance_dirty_pages: a pause of pages_dirtied / task_ratelimit") {
  d::Inputs in;
  in.thresh = 3276;
  in.bg_thresh = 1638;
  in.dirty = 2866;
  in.pages_dirtied = 200;
  in.now = 1000;
  const d::Decision dec = d::balance(in);
  REQUIRE_FALSE(dec.free_run);
  CHECK(dec.pos_ratio == 1023);
  // task_ratelimit = 25600 * 1023 >> 10 = 25575 pages/s.
  CHECK(dec.task_ratelimit == 25575);
  // wb_max_pause: 2866 / (1 + 25600 / 128) = 2866 / 201 = 14, + 1 = 15 ms.
  CHECK(dec.max_pause == 15);
  // wb_min_pause: t = 10 ms, capped at 1 + 15 / 2 = 8; pages = 25600 * 8 / 1024 = 200
  // (>= 32); minimum 1 + 8 / 2 = 5 ms.
  CHECK(dec.min_pause == 5);
  CHECK(dec.nr_dirtied_pause == 200);
  // period = 1000 * 200 / 25575 = 7 ms: sleep 7 ms, and the next period starts at 1007.
  CHECK(dec.period == 7);
  CHECK(dec.pause == 7);
  CHECK(dec.paused_when == 1007);
  // The time since the last pause counts (think time): paused 3 ms ago -> 7 - 3 = 4,
  // under the 5 ms minimum: no sleep, the period is owed (paused_when += 7).
  in.paused_when = 997;
  const d::Decision owed = d::balance(in);
  CHECK(owed.pause == 0);
  CHECK(owed.paused_when == 1004);
}

TEST_CASE("balance_dirty_pages: a pause is at most MAX_PAUSE (200 ms)") {
  // A slow device, write_bw = dirty_ratelimit = 100 pages/s (400 KB/s), 3000 dirty.
  d::Inputs in;
  in.thresh = 3276;
  in.bg_thresh = 1638;
  in.dirty = 3000;
  in.write_bw = in.dirty_ratelimit = 100;
  in.pages_dirtied = 32;
  in.now = 5000;
  const d::Decision dec = d::balance(in);
  // polynom: x = -134 * 1024 / 411 = -333; 333^2 / 1024 = 108; 108 * -333 = -35964,
  // / 1024 down = -36: 988. The device line: span 800, x_intercept 3666,
  // 988 * 666 / 801 = 821. task_ratelimit = 100 * 821 >> 10 = 80 pages/s.
  CHECK(dec.pos_ratio == 821);
  CHECK(dec.task_ratelimit == 80);
  // wb_max_pause: 3000 / (1 + 0) + 1 = 3001 -> MAX_PAUSE 200.
  CHECK(dec.max_pause == d::kMaxPause);
  CHECK(d::kMaxPause == 200);
  // wb_min_pause: 100 * 10 / 1024 = 0 pages < 32 -> t = 200, 100 * 200 / 1024 = 19;
  // 1000 * 19 / 81 = 234 > 200 -> pages = 80 * 200 / 1024 = 15; minimum 200 (< 32 pages).
  CHECK(dec.nr_dirtied_pause == 15);
  CHECK(dec.min_pause == 200);
  // period = 1000 * 32 / 80 = 400 ms, cut to 200; the other 200 are owed.
  CHECK(dec.period == 400);
  CHECK(dec.pause == 200);
  CHECK(dec.paused_when == 5000 + 200 + 200);
  // At the limit task_ratelimit is 0: the longest pause, then look again.
  in.dirty = 3276;
  const d::Decision full = d::balance(in);
  CHECK(full.task_ratelimit == 0);
  CHECK(full.pause == full.max_pause);
  CHECK(full.again);
}

TEST_CASE("wb_update_write_bandwidth and wb_update_dirty_ratelimit: estimates every 200 ms") {
  d::Bandwidth bw;
  CHECK(bw.write_bw() == d::kInitBw);
  CHECK_FALSE(bw.due(199));
  CHECK(bw.due(200));
  // 10240 pages written in 200 ms (200 MiB/s): (10240 * 1000 + 25600 * (4096 - 200)) >> 12
  // = 109977600 / 4096 = 26850; the average does not move (it moves only toward an old
  // estimate that lies between it and the new one).
  bw.update(200, 0, 10240, false, 0);
  CHECK(bw.write_bw() == d::kInitBw);
  // Another 10240: (10240000 + 26850 * 3896) >> 12 = 114847600 / 4096 = 28038; the
  // average goes 1/8 of the way to the old estimate: 25600 + (1250 >> 3) = 25756.
  bw.update(400, 0, 20480, false, 0);
  CHECK(bw.write_bw() == 25756);
  // The base rate: 51200 pages dirtied in 200 ms = 256000 pages/s, ten times what the
  // disk writes (a fresh estimate: 25600): (25600 * 1024 >> 10) + 1 = 25601;
  // 25601 * 25600 / 256000 = 2560, a tenth: the rate that makes the writer dirty what
  // the disk writes.
  d::Bandwidth rate;
  rate.update(200, 51200, 0, true, 1024);
  CHECK(rate.dirty_ratelimit() == 25601ULL * 25600 / 256000);
  CHECK(rate.dirty_ratelimit() == 2560);
}

namespace {

// One write() of `mib` MiB into an empty file in a 64 MiB cache (the default disk,
// 1 GB/s). journal.mode writeback: no commit writes the data meanwhile.
nlohmann::ordered_json one_write(const std::string& mib) {
  auto runs = test::simulate_text("throttle-" + mib,
                                  "kiosim: 1\nset:\n  page_cache.size: 64MiB\n  journal.mode: writeback\n"
                                  "files:\n  - { name: o.bin, size: 0 }\nprocesses:\n  - program:\n"
                                  "      - open: { file: o.bin, as: f, flags: [wronly, creat] }\n"
                                  "      - write: { fd: f, bytes: " + mib + "MiB }\n");
  REQUIRE(runs.size() == 1);
  return runs.front()["counters"];
}

}  // namespace

TEST_CASE("balance_dirty_pages runs inside one large write(), and only above the freerun ceiling") {
  // 8 MiB = 2048 pages: under the ceiling of 2457 (dirty + writeback never exceeds
  // what was written), so no pause - and no pause under the old on/off rule either.
  const auto small = one_write("8");
  CHECK(small["syscalls"] == 2);
  CHECK(small["dirty_throttle_ns"] == 0);
  CHECK(small["context_switches_voluntary"] == 0);
  // 12 MiB = 3072 pages: still under thresh (3276), where the old rule never slept,
  // but above the ceiling (2457). The page walk takes no simulated time until the
  // writer first sleeps, so the flusher cannot clean a page before the first pause:
  // the writer pauses inside its one write() call. Each pause is at most
  // MAX_PAUSE (+ the wake-up).
  const auto big = one_write("12");
  CHECK(big["syscalls"] == 2);
  const std::uint64_t pauses = big["context_switches_voluntary"];
  CHECK(pauses >= 1);
  CHECK(big["dirty_throttle_ns"].get<std::uint64_t>() > 0);
  CHECK(big["dirty_throttle_ns"].get<std::uint64_t>() <= pauses * (200'000'000 + 5'000));
}

TEST_CASE("backpressure.yaml: the writer pauses only above the freerun ceiling, never longer than MAX_PAUSE") {
  // 128 writes of 1 MiB (256 pages) into a 64 MiB cache: freerun ceiling 2457 pages.
  // After 9 writes at most 9 x 256 = 2304 pages are dirty or under writeback (< 2457),
  // so no pause comes before the 10th write() has begun. The pauses' lengths depend
  // on the bandwidth estimate (only the simulator can say): each is at most 200 ms.
  RunOptions ro;
  ro.trace = true;
  LoadOptions lo;
  lo.machines_dir = std::string(KIOSIM_SOURCE_DIR) + "/scenarios/machines";
  Scenario s = load_scenario(std::string(KIOSIM_SOURCE_DIR) + "/scenarios/backpressure.yaml", lo);
  auto runs = simulate(s, s.runs(), ro);
  REQUIRE(runs.size() == 1);
  const auto& run = runs.front();
  std::size_t writes_before = 0, pauses = 0;
  std::int64_t longest = 0, paused = 0;
  for (const auto& e : run["events"]) {
    if (e["kind"] == "syscall_enter" && e.value("name", "") == "write" && pauses == 0) ++writes_before;
    if (e["kind"] == "block" && e.value("name", "").rfind("dirty throttling (balance_dirty_pages)", 0) == 0) {
      ++pauses;
      longest = std::max<std::int64_t>(longest, e["dur"].get<std::int64_t>());
      paused += e["dur"].get<std::int64_t>();
    }
  }
  CHECK(pauses >= 1);
  CHECK(writes_before >= 10);
  CHECK(longest <= 200'000'000 + 5'000);
  CHECK(run["counters"]["context_switches_voluntary"] == pauses);
  CHECK(std::llabs(run["counters"]["dirty_throttle_ns"].get<std::int64_t>() - paused) <= std::int64_t(pauses));
}
