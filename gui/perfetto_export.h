// Writes the runs on screen as a Chrome/Perfetto JSON trace (ui.perfetto.dev opens
// it): one process per run, one thread per lane, slices for events with a duration.
#pragma once
#include <QString>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

bool writePerfettoTrace(const TraceData& trace, const std::vector<int>& runs, const QString& path, QString* error);

}  // namespace kiosim::gui
