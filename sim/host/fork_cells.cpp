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

std::vector<Cell> child_cells(const nlohmann::ordered_json& run, const std::vector<Sample>& samples,
                              const std::string& child) {
  auto predicted = [&](const char* counter) {
    double sum = 0;
    if (run.contains("processes"))
      for (const auto& p : run["processes"])
        if (p.value("name", "") == child && p["counters"].contains(counter)) sum += p["counters"][counter].get<double>();
    return sum;
  };
  auto measured = [&](const std::function<double(const ChildSample&)>& f) {
    std::vector<double> v;
    for (const auto& s : samples) {
      double sum = 0;
      for (const auto& c : s.children)
        if (c.name == child) sum += f(c);
      v.push_back(sum);
    }
    return v;
  };
  return {
      cell_of("cpu_time_ns", Family::time, predicted("cpu_time_ns"),
              measured([](const ChildSample& c) { return c.usage.cpu_ns(); })),
      cell_of("syscalls", Family::syscalls, predicted("syscalls"),
              measured([](const ChildSample& c) { return double(c.syscalls_total); })),
      cell_of("page_faults_minor", Family::faults, predicted("page_faults_minor"),
              measured([](const ChildSample& c) { return double(c.usage.minflt); })),
      cell_of("page_faults_major", Family::faults, predicted("page_faults_major"),
              measured([](const ChildSample& c) { return double(c.usage.majflt); })),
      cell_of("context_switches", Family::switches, predicted("context_switches"),
              measured([](const ChildSample& c) { return double(c.usage.nvcsw + c.usage.nivcsw); })),
  };
}

}  // namespace kiosim::host
