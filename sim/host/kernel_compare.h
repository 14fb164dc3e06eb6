// The kernel's events set beside the simulator's of the same kind (issue 14, item 7):
// per kind, how many and the distribution of their sizes (pages) or durations,
// predicted (the simulated run's trace, docs/TRACE.md) against the kernel's
// (kernel_events.h). Counts of things, not a verdict: the kernel's windows follow
// its device's read_ahead_kb, the simulator's the machine's page_cache.readahead.
#pragma once
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/host/kernel_events.h"

namespace kiosim::host {

struct KindBeside {
  std::string kind;   // what is counted, e.g. "readahead windows"
  std::string unit;   // of each value: pages, us, or "" for a count only
  std::optional<std::vector<double>> predicted;  // nullopt: the simulator has no such event
  std::vector<double> kernel;
  std::string note;   // which tracepoint and simulator event, or why one side is missing
};

// `sim_run`: a simulated run's JSON with its "lanes" and "events" (null: no prediction).
// Events on user lanes count only for `process` (its lane, or "process/N" for its threads);
// kernel and device lanes (jbd2, kswapd, flusher, disk) count for every process.
// The run's journal commits are the process's when its `counters` (journal_commits) say it
// owns all of them (or none); otherwise they are shared and not set beside one process's.
std::vector<KindBeside> kinds_beside(const nlohmann::ordered_json& sim_run, const std::string& process,
                                     const KernelEvents& k, const nlohmann::ordered_json* counters = nullptr);

// The simulated run's events that count for `process` (as kinds_beside counts them), or
// nullopt when there is no simulated run.
std::optional<std::vector<const nlohmann::ordered_json*>> events_for(const nlohmann::ordered_json& sim_run,
                                                                      const std::string& process);
// The kinds of kernel_compare_more.cpp: reclaim, dirty throttling, TLB flushes and IPIs,
// transmits and skbs, io_uring.
void add_more_kinds(std::vector<KindBeside>& out, const std::optional<std::vector<const nlohmann::ordered_json*>>& sim,
                    const KernelEvents& k);

// "64x1 256x3" (value x how many, by value; at most `most` values, then "...").
std::string distribution(const std::vector<double>& v, std::size_t most = 6);
nlohmann::ordered_json kinds_json(const std::vector<KindBeside>& kinds);
void print_kinds(std::ostream& out, const std::string& title, const std::vector<KindBeside>& kinds);

struct Measurement;
// What measure --kernel-trace and check --kernel-trace print and put under `kernel_trace`:
// the instance (or why there was none, one line), then per method its kinds beside the
// prediction. `predicted[k]`: method k's simulated run (with its trace) and process name;
// missing or null: no prediction (measure).
struct Predicted {
  const nlohmann::ordered_json* run = nullptr;
  std::string process;
  const nlohmann::ordered_json* counters = nullptr;  // the process's, in the simulated run
};
nlohmann::ordered_json kernel_trace_report(const Measurement& m, const std::vector<Predicted>& predicted,
                                           std::ostream& table);

}  // namespace kiosim::host
