// Writes the runs on screen as a Chrome/Perfetto JSON trace (ui.perfetto.dev opens
// it) with sim/export/perfetto.h, the code `kiosim export --format perfetto` runs.
#pragma once
#include <QString>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

bool writePerfettoTrace(const TraceData& trace, const std::vector<int>& runs, const QString& path, QString* error);

}  // namespace kiosim::gui
