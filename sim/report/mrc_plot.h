// The SVG plot of a miss-ratio curve (`kiosim cache-replay --plot`): miss ratio
// against cache size on a log2 axis, one point per size, no plotting library.
#pragma once
#include <string>

#include "sim/run/cache_replay.h"

namespace kiosim {

std::string mrc_svg(const Curve& c, const std::string& policy, const std::string& trace);
// Writes mrc_svg() to `path` whole or not at all.
void write_mrc_plot(const std::string& path, const Curve& c, const std::string& policy, const std::string& trace);

}  // namespace kiosim
