// How busy the host is while real mode measures. A measurement on a busy host times the
// waiting for a CPU as well as the work, so `check`'s ratios stop meaning the model's error.
// Read without privileges: /proc/loadavg (fs/proc/loadavg.c) and, where the kernel has PSI
// (CONFIG_PSI, kernel/sched/psi.c), /proc/pressure/cpu's "some avg10": the share of the last
// 10 s in which at least one runnable task waited for a CPU.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosim::host {

struct LoadSample {
  std::string when;           // "before", "16MiB repeat 3/7", ...
  double load1 = 0;           // 1-minute load average
  std::optional<double> psi;  // CPU pressure "some avg10" in percent; none without PSI
};

// The first field of /proc/loadavg ("7.53 3.73 1.72 10/137 10857").
std::optional<double> parse_loadavg(const std::string& text);
// "some avg10=" of /proc/pressure/cpu ("some avg10=98.05 avg60=... total=...").
std::optional<double> parse_cpu_pressure(const std::string& text);

LoadSample read_load(std::string when);

// Busy when a task waited for a CPU in at least kBusyPressure percent of the last 10 s.
// Without PSI only the sample before the first measurement can tell (the load average of
// later samples holds real mode's own sender and receiver): busy when the 1-minute load
// reaches the number of CPUs.
inline constexpr double kBusyPressure = 10.0;
bool is_busy(const LoadSample& s, unsigned cpus, bool before_any_measurement);

// The samples of one command: one before anything is measured, then one per progress step.
class LoadWatch {
 public:
  explicit LoadWatch(unsigned cpus);
  void sample(std::string when);  // reads /proc now
  void add(LoadSample s);         // a sample read elsewhere (tests)
  bool busy() const;
  // Busy in a sample whose `when` starts with `prefix` (e.g. "16MiB ").
  bool busy_during(const std::string& prefix) const;
  // The lines to print at the top of the output ("WARNING ..."), empty when idle.
  std::vector<std::string> warning() const;
  nlohmann::ordered_json to_json() const;

 private:
  unsigned cpus_;
  std::vector<LoadSample> samples_;
};

}  // namespace kiosim::host
