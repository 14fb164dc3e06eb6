#include "sim/cli/trace_input.h"

#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sim/export/trace_runs.h"
#include "sim/report/paths.h"
#include "sim/report/report.h"
#include "sim/run/run.h"
#include "sim/scenario/scenario.h"

namespace kiosim::cli {

namespace {

bool looks_like_json(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char c = 0;
  while (f.get(c))
    if (!std::isspace(static_cast<unsigned char>(c))) return c == '{';
  return false;
}

nlohmann::ordered_json read_trace_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(f);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path, 0, 0, "", fmt::format("not valid JSON: {}", e.what()));
  }
  try {
    (void)exports::read_trace_document(doc);  // checks it before anything is written
  } catch (const exports::TraceFormatError& e) {
    throw InputError(path, 0, 0, "", e.what());
  }
  return doc;
}

std::string run_names(const nlohmann::ordered_json& runs) {
  std::string names;
  for (const auto& r : runs) names += (names.empty() ? "" : ", ") + r["name"].get<std::string>();
  return names;
}

void keep_method(nlohmann::ordered_json& doc, const std::string& method, const std::string& file) {
  if (method.empty()) return;
  nlohmann::ordered_json kept = nlohmann::ordered_json::array();
  for (const auto& r : doc["runs"]) {
    const std::string name = r["name"].get<std::string>();
    if (name == method || name.rfind(method + "[", 0) == 0) kept.push_back(r);
  }
  if (kept.empty())
    throw InputError("command line", 0, 0, "--method",
                     fmt::format("`{}` is not a run of {} (runs: {})", method, file, run_names(doc["runs"])));
  doc["runs"] = kept;
}

}  // namespace

nlohmann::ordered_json load_trace_input(const TraceInput& in) {
  nlohmann::ordered_json doc;
  if (looks_like_json(in.file)) {
    if (!in.sets.empty() || !in.machine_file.empty())
      throw InputError("command line", 0, 0, "--set", "a trace file is a finished run: --set and --machine need a scenario");
    doc = read_trace_file(in.file);
  } else {
    LoadOptions lo;
    lo.sets = in.sets;
    lo.machines_dir = in.machines_dir;
    lo.machine_file = in.machine_file;
    Scenario s = load_scenario(in.file, lo);
    std::vector<RunSpec> specs = s.runs();
    if (!in.method.empty()) {
      std::vector<RunSpec> kept;
      for (const auto& r : specs)
        if (r.name == in.method || r.name.rfind(in.method + "[", 0) == 0) kept.push_back(r);
      if (kept.empty()) {
        std::string names;
        for (const auto& r : specs) names += (names.empty() ? "" : ", ") + r.name;
        throw InputError("command line", 0, 0, "--method",
                         fmt::format("`{}` is not a run of {} (runs: {})", in.method, s.path, names));
      }
      specs = kept;
    }
    RunOptions ro;
    ro.trace = true;
    ro.jobs = in.jobs;
    doc = trace_document(s, simulate(s, specs, ro));
  }
  keep_method(doc, in.method, in.file);
  return doc;
}

int explain_paths(const TraceInput& in, bool critical_path, std::uint64_t request) {
  nlohmann::ordered_json doc = load_trace_input(in);
  if (request) {
    bool any = false;
    std::uint64_t last = 0;
    for (const auto& r : doc["runs"]) {
      last = std::max(last, last_request(r));
      if (print_request(std::cout, r, request)) {
        any = true;
        std::cout << "\n";
      }
    }
    if (!any)
      throw InputError("command line", 0, 0, "--request",
                       last ? fmt::format("no event carries request {} (requests are 1 to {})", request, last)
                            : fmt::format("no event carries request {} (this trace has no request ids)", request));
  }
  if (critical_path)
    for (const auto& r : doc["runs"]) {
      print_critical_path(std::cout, r);
      std::cout << "\n";
    }
  return 0;
}

}  // namespace kiosim::cli
