#include "sim/host/fork_cells.h"

#include <algorithm>
#include <functional>

namespace kiosim::host {

std::vector<std::string> forked_child_names(const std::vector<Sample>& samples) {
  std::vector<std::string> names;
  for (const auto& s : samples)
    for (const auto& c : s.children)
      if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
  return names;
}

Cell child_cell(const std::string& figure, Family family, const nlohmann::ordered_json& run,
                const std::vector<Sample>& samples, const std::string& child,
                const std::function<double(const ChildSample&)>& measure) {
  double predicted = 0;
  if (run.contains("processes"))
    for (const auto& p : run["processes"])
      if (p.value("name", "") == child && p["counters"].contains(figure))
        predicted += p["counters"][figure].get<double>();
  std::vector<double> measured;
  for (const auto& s : samples) {
    double sum = 0;
    for (const auto& c : s.children)
      if (c.name == child) sum += measure(c);
    measured.push_back(sum);
  }
  return cell_of(figure, family, predicted, measured);
}

std::vector<Cell> child_cells(const nlohmann::ordered_json& run, const std::vector<Sample>& samples,
                              const std::string& child) {
  auto cell = [&](const char* figure, Family family, const std::function<double(const ChildSample&)>& f) {
    return child_cell(figure, family, run, samples, child, f);
  };
  return {
      cell("cpu_time_ns", Family::time, [](const ChildSample& c) { return c.usage.cpu_ns(); }),
      cell("syscalls", Family::syscalls, [](const ChildSample& c) { return double(c.syscalls_total); }),
      cell("page_faults_minor", Family::faults, [](const ChildSample& c) { return double(c.usage.minflt); }),
      cell("page_faults_major", Family::faults, [](const ChildSample& c) { return double(c.usage.majflt); }),
      cell("context_switches", Family::switches,
           [](const ChildSample& c) { return double(c.usage.nvcsw + c.usage.nivcsw); }),
  };
}

}  // namespace kiosim::host
