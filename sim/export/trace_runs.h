// The runs of a trace document (docs/TRACE.md, `kiosim-trace` v1) as plain data, for
// the exports: the data-path graph, the critical path, Perfetto and CSV. The CLI
// reads them from a simulation's results or a trace file, the GUI from what it plays;
// both then go through the same code.
// sim/export/ depends on sim/trace/schema.h (header only), nlohmann-json, fmt and
// Boost.Graph; never on the engine, the kernel or Qt, so the GUI links it too.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/events.h"

namespace kiosim::exports {

// A trace that is not what docs/TRACE.md describes: says what and where.
struct TraceFormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RunLane {
  std::string name;
  std::string kind;  // user, kernel, device
};

struct RunEvent {
  std::int64_t t = 0, dur = 0;
  std::uint32_t lane = 0;
  EventKind kind = EventKind::count_;  // count_: a kind sim/trace/schema.h does not know
  std::string kind_name;
  std::string name;
  std::string from, to;  // places (docs/TRACE.md); "" for none
  std::uint64_t bytes = 0, pages = 0, req = 0;
  std::int64_t page = -1;
  bool user_mode = false;
  std::int64_t end() const { return t + dur; }
};

struct TraceRun {
  std::string name;  // the method, or "program"
  std::vector<RunLane> lanes;
  std::vector<RunEvent> events;  // sorted by t (stable)
  // Final counters, flattened: nested objects as "a.b" (time_breakdown_ns.copy).
  std::vector<std::pair<std::string, double>> counters;
};

// One run object of a trace document (or of `simulate`'s results: the same shape).
TraceRun read_run(const nlohmann::ordered_json& run);
// Every run of a whole trace document; throws TraceFormatError on a bad document.
std::vector<TraceRun> read_trace_document(const nlohmann::ordered_json& doc);
// True when `doc` says it is a kiosim trace.
bool is_trace_document(const nlohmann::ordered_json& doc);

// The runs whose name is `method`, or whose name starts with "method[" (a sweep's).
std::vector<TraceRun> runs_of_method(std::vector<TraceRun> runs, const std::string& method);

}  // namespace kiosim::exports
