// Measuring a scenario for real: per method, an untimed warm-up, N timed repeats,
// and for each figure the median and the spread (min, max), like a benchmark
// harness. Also the checks that keep it safe: sizes that do not fit the free
// space of the temporary directory or the memory are refused before anything runs.
// sim/host/ owns real mode: measure, calibrate, check. It calls the host's system
// calls, sim/program and sim/scenario; never the engine or the kernel.
#pragma once
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/host/host_facts.h"
#include "sim/host/kernel_events.h"
#include "sim/host/runner.h"
#include "sim/scenario/scenario.h"

namespace kiosim::host {

// A request the host cannot serve (too big for its disk or memory, no transfer
// scenario): the CLI prints it and exits 2, before any file is written.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct MeasureOptions {
  unsigned repeat = 5;
  RunnerOptions runner;
  std::vector<std::string> methods;  // empty: every run of the scenario
  bool kernel_trace = false;  // the kernel's tracepoints of each method's first timed repeat
};

struct MethodMeasurement {
  std::string method;
  std::vector<Sample> samples;  // the timed repeats (the warm-up is not kept)
  std::optional<KernelEvents> kernel;  // --kernel-trace: the first timed repeat's
  nlohmann::ordered_json summary() const;  // medians and spreads, simulator counter names
};

struct Measurement {
  HostFacts facts;
  double create_ns = 0;  // making the files (not timed)
  std::string perf_note;  // why perf counters are missing, if they are
  std::vector<MethodMeasurement> methods;
  nlohmann::ordered_json kernel_trace;  // --kernel-trace: the instance, or why there was none
  nlohmann::ordered_json to_json() const;
};

using Progress = std::function<void(const std::string&)>;

// Throws Refused before creating anything when the files do not fit.
void check_fits(const Scenario& s, const std::string& dir, std::uint64_t free_bytes);
// Runs in a fresh PrivateDir, removed before it returns (and on signals).
Measurement measure(const Scenario& s, const MeasureOptions& o, const Progress& progress = {});
// The same for runs chosen by the caller (each of one process, `threads: N` as N pthreads, as
// per_process in runnable.h makes them); o.methods is not looked at.
Measurement measure_runs(const Scenario& s, const std::vector<RunSpec>& runs, const MeasureOptions& o,
                         const Progress& progress = {});

double median(std::vector<double> v);
// Prints one row per method: wall, CPU (sender, receiver), syscalls, faults, switches.
void print_measurement(std::ostream& out, const Measurement& m);

}  // namespace kiosim::host

namespace kiosim::host {
// The scenario with its transfer file resized to `bytes` (the transfer then runs to
// the end of the file). Throws Refused for a scenario without a transfer.
Scenario with_transfer_size(Scenario s, std::uint64_t bytes);
}  // namespace kiosim::host
