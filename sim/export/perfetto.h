// Chrome/Perfetto trace-event JSON (ui.perfetto.dev, chrome://tracing) of runs: one
// process per run, one track per lane (a second track, "disk #2", where a lane's
// events overlap without nesting), system calls as begin/end slices, copies, DMA,
// faults, sleeps and commits as complete slices, flow arrows that follow each request
// from lane to lane, and the counters the events determine as counter tracks.
// Events on the critical path carry "critical": true. `kiosim export --format
// perfetto` and the GUI's File > Export both write it with this function.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/export/trace_runs.h"

namespace kiosim::exports {

nlohmann::json perfetto_trace(const std::vector<TraceRun>& runs);

}  // namespace kiosim::exports
