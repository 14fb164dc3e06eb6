// kiosim check's cells for the children a program forks (sim/host/fork_runner.h): each
// child, by the fork's `as` (the simulated child's process name), beside the simulated
// processes of that name. A fork inside a repeat makes several children of one name:
// their counts are summed on both sides. Pure: reads JSON and samples.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/host/check_cells.h"
#include "sim/host/runner.h"

namespace kiosim::host {

// The child names of the repeats' samples, in fork order, each once.
std::vector<std::string> forked_child_names(const std::vector<Sample>& samples);
// The child's cells: CPU time, system calls, minor and major faults, context switches;
// predicted from the simulated run's processes named `child` (`run`: one run of the
// simulated JSON, with its "processes"), measured as the median over the repeats.
// One cell of the child: `figure` predicted as the sum of that counter over the simulated
// processes named `child` (`run`: one run of the simulated JSON), measured per repeat as
// the sum of `measure` over the sample's children of that name (the cell: their median).
Cell child_cell(const std::string& figure, Family family, const nlohmann::ordered_json& run,
                const std::vector<Sample>& samples, const std::string& child,
                const std::function<double(const ChildSample&)>& measure);
std::vector<Cell> child_cells(const nlohmann::ordered_json& run, const std::vector<Sample>& samples,
                              const std::string& child);

}  // namespace kiosim::host
