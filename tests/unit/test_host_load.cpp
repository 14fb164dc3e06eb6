// Real mode's reading of a busy host (sim/host/host_load.h): /proc/loadavg and PSI's
// /proc/pressure/cpu (kernel/sched/psi.c), and when a measurement is marked busy.
#include <catch2/catch.hpp>

#include "sim/host/host_load.h"

using namespace kiosim::host;

TEST_CASE("host load: /proc/loadavg's first field is the 1-minute load") {
  CHECK(parse_loadavg("7.53 3.73 1.72 10/137 10857\n") == 7.53);
  CHECK(parse_loadavg("0.00 0.01 0.05 1/80 42") == 0.0);
  CHECK_FALSE(parse_loadavg("").has_value());
  CHECK_FALSE(parse_loadavg("load high").has_value());
  CHECK_FALSE(parse_loadavg("nan 1 1 1/1 1").has_value());
}

TEST_CASE("host load: /proc/pressure/cpu's some avg10 is a percentage") {
  CHECK(parse_cpu_pressure("some avg10=98.05 avg60=90.01 avg300=39.47 total=156321481\n"
                           "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n") == 98.05);
  CHECK(parse_cpu_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0") == 0.0);
  CHECK_FALSE(parse_cpu_pressure("").has_value());  // no PSI: the file is absent
  CHECK_FALSE(parse_cpu_pressure("full avg10=3.00").has_value());
}

TEST_CASE("host load: busy means a task waited for a CPU in 10% of the last 10 s") {
  // With PSI the pressure decides, whatever the load average (it holds our own tasks).
  CHECK(is_busy({"x", 0.5, 10.0}, 2, false));
  CHECK_FALSE(is_busy({"x", 9.0, 9.99}, 2, false));
  // Without PSI: only before any measurement, and when the load reaches the CPUs.
  CHECK(is_busy({"before", 2.0, std::nullopt}, 2, true));
  CHECK_FALSE(is_busy({"before", 1.9, std::nullopt}, 2, true));
  CHECK_FALSE(is_busy({"1MiB repeat 1/5", 9.0, std::nullopt}, 2, false));
}

TEST_CASE("host load: the watch marks the sizes measured while busy, and warns") {
  LoadWatch idle(2);
  idle.add({"before", 1.1, 0.5});
  idle.add({"1MiB repeat 1/5", 1.3, 2.0});
  CHECK_FALSE(idle.busy());
  CHECK(idle.warning().empty());
  CHECK(idle.to_json()["busy"] == false);

  LoadWatch w(2);
  w.add({"before", 1.1, 0.5});
  w.add({"1MiB repeat 1/5", 1.3, 2.0});
  w.add({"16MiB repeat 1/5", 4.0, 55.0});  // a build started
  CHECK(w.busy());
  CHECK_FALSE(w.busy_during("1MiB "));
  CHECK(w.busy_during("16MiB "));
  REQUIRE_FALSE(w.warning().empty());
  CHECK(w.warning().front().find("CPU pressure up to 55%") != std::string::npos);
  CHECK(w.to_json()["samples"].size() == 3);

  // Without PSI a busy first sample speaks for every size.
  LoadWatch old(2);
  old.add({"before", 3.0, std::nullopt});
  old.add({"1MiB repeat 1/5", 3.0, std::nullopt});
  CHECK(old.busy_during("1MiB "));
  CHECK(old.warning().front().find("load average 3.00 on 2 CPUs") != std::string::npos);
}
