// What kiosim check's two halves share: the transfer half (cmd_check.cpp, a row per
// method and size) and the program half (check_processes.cpp, a row per process).
// Private to sim/cli.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sim/host/check_cells.h"
#include "sim/scenario/scenario.h"

namespace kiosim::cli::check {

struct CheckArgs {
  std::vector<std::string> files;
  bool all = false;
  std::string file;  // the scenario being checked
  std::string machine;
  std::string sizes = "1MiB,16MiB,128MiB";
  unsigned repeat = 5;
  bool json = false;
  std::string cache = "scenario";  // one rule for measure and check: the scenario's `cached:`
  std::string receiver = "socketpair";
  std::vector<std::string> methods;
  std::vector<std::string> sets;
  bool quiet = false;
  bool verbose = false;
  bool kernel_trace = false;  // the kernel's tracepoints beside the simulator's events
};

// What one scenario's check gave: its JSON document, its table and its cells; or the
// one-line reason the host cannot run it.
struct ScenarioCheck {
  std::string path;
  std::string skipped;
  nlohmann::ordered_json doc;
  std::string table;
  std::vector<host::Cell> cells;
  std::vector<std::string> what_ifs;  // runs skipped as what-ifs of another host (host/what_if.h), one line each
};

// The counters of the process `name` in a simulated run's JSON (null: no such process).
const nlohmann::ordered_json* process_named(const nlohmann::ordered_json& run, const std::string& name);
nlohmann::ordered_json cells_json(const std::vector<host::Cell>& cells);
// Every file of the scenario cached as --cache says (scenario: as each file's `cached:`).
void apply_cache(Scenario& s, const std::string& cache);
// The scenario's machine for the prediction: the scenario's, or the --machine profile with
// the scenario's `set:` and --set on top; the receiver local (check_machine.cpp).
void apply_machine(const CheckArgs& a, Scenario& base, std::string& machine_name);

// A program scenario (no transfer): each run the host can run, each process measured alone.
ScenarioCheck check_processes(const CheckArgs& a, Scenario& base, const std::string& machine_name);

}  // namespace kiosim::cli::check
