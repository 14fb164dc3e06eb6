// What `export` and `explain --critical-path/--request` read: a scenario, which they
// simulate with the trace on, or a trace file that `run --trace` or `compare --trace`
// wrote (docs/TRACE.md). Either way the result is a trace document.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosim::cli {

struct TraceInput {
  std::string file;
  std::vector<std::string> sets;
  std::string machines_dir, machine_file;
  unsigned jobs = 0;
  std::string method;  // only this run (of a sweep: all its values)
};

// Throws InputError (exit 2) for a bad scenario, a bad trace file or an unknown --method.
nlohmann::ordered_json load_trace_input(const TraceInput& in);

// kiosim explain FILE --critical-path / --request N.
int explain_paths(const TraceInput& in, bool critical_path, std::uint64_t request);

}  // namespace kiosim::cli
