// Every counter of every run, one row per run, for spreadsheets (RFC 4180 CSV).
// The columns: run, then the counters in sim/trace/schema.h's order, nested ones
// (time_breakdown_ns, syscalls_by_name) flattened as name.key, in first-seen order.
#pragma once
#include <string>
#include <vector>

#include "sim/export/trace_runs.h"

namespace kiosim::exports {

// `extra` columns come first after `run` (a sweep's parameter), one value per run.
struct CsvColumn {
  std::string name;
  std::vector<std::string> values;
};
std::string counters_csv(const std::vector<TraceRun>& runs, const std::vector<CsvColumn>& extra = {});
std::string csv_field(const std::string& s);  // quoted when it must be

}  // namespace kiosim::exports
