// load_scenario for text read elsewhere: a homework problem made in memory
// (sim/homework/problem.cpp), reported as `path` (the template it came from).
#pragma once
#include <string>

#include "sim/scenario/scenario.h"

namespace kiosim {

Scenario load_scenario_text(const std::string& text, const std::string& path, const LoadOptions& opt = {});

}  // namespace kiosim
