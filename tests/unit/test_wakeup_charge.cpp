// The CPU a sleeper pays on the host beyond its switch (issue 14's CPU floor):
// cpu.wakeup_charged, what Linux charges a woken task from try_to_wake_up to its run
// (rq_clock_skip_update), at every wake-up from a block, taken out of its wait; cpu.nanosleep, the CPU of a
// `sleep` op's nanosleep. Both 0 on the default machine (no timing moves); a profile
// from calibrate sets them.
#include <catch2/catch.hpp>

#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {

nlohmann::ordered_json counters(const std::string& set, const std::string& program, bool cached) {
  return test::single_run_counters(
      "wake-charge", "kiosim: 1\n" + set + "files: [{name: d, size: 64KiB, cached: " + (cached ? "true" : "false") +
                         "}]\nprocesses:\n  - program:\n" + program);
}

}  // namespace

TEST_CASE("sleep: cpu.nanosleep is the sleeper's CPU after its sleep, no call counted", "[sched][wakeup]") {
  // A lone `sleep: 1ms` on the default machine costs no CPU (not a system call, no
  // switch). With cpu.nanosleep 11 us the thread runs 11 us of CPU when it wakes:
  // cpu_time 11000 ns, and the run ends at 1 ms + 11 us = 1011000 ns.
  const std::string prog = "      - sleep: 1ms\n";
  auto base = counters("", prog, true);
  CHECK(base["cpu_time_ns"] == 0);
  CHECK(base["sim_time_ns"] == 1000000);
  auto c = counters("set: { cpu.nanosleep: 11us }\n", prog, true);
  CHECK(c["cpu_time_ns"] == 11000);
  CHECK(c["sim_time_ns"] == 1011000);
  CHECK(c["syscalls"] == 0);
  CHECK(c["context_switches_voluntary"] == 0);
}

TEST_CASE("a disk wait: cpu.wakeup_charged is the woken thread's CPU, once per voluntary switch", "[sched][wakeup]") {
  // One open and one pread of 4 KiB from a cold file: the read waits on the disk and
  // the thread is woken. Whatever else it costs, the last cpu.wakeup_charged (7 us) of
  // each wait, far shorter than the disk's 80 us, is counted as the thread's CPU instead
  // of waiting, and the wait lasts as long: against the same run at 0, CPU time grows
  // by 7000 ns x its voluntary switches and the simulated time does not move.
  const std::string prog = "      - open: { file: d, as: f }\n      - pread: { fd: f, bytes: 4KiB, offset: 0 }\n";
  auto base = counters("", prog, false);
  auto c = counters("set: { cpu.wakeup_charged: 7us }\n", prog, false);
  const std::uint64_t switches = base["context_switches_voluntary"].get<std::uint64_t>();
  CHECK(switches >= 1);  // the read slept on the disk at least once
  CHECK(c["context_switches_voluntary"] == switches);
  CHECK(c["cpu_time_ns"].get<std::uint64_t>() - base["cpu_time_ns"].get<std::uint64_t>() == 7000 * switches);
  CHECK(c["sim_time_ns"] == base["sim_time_ns"]);
}
