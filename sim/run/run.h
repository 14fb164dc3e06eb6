// Running simulations: one run per process (SimGrid allows one engine per
// process), so every run is forked into a child that sends back its JSON result.
// sim/run/ owns the runs' child processes and the walk of programs in the simulator;
// it calls sim/engine, sim/kernel, sim/scenario and sim/trace.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.h"

namespace kiosim {

struct RunOptions {
  bool trace = false;  // record the event stream
  unsigned jobs = 0;   // children at once; 0: the number of cores
  bool check_invariants = false;  // sim/kernel/invariants.h after every engine activity and at the end
};

// A run that could not finish (a deadlock): what happened until then, with its trace
// when one was recorded (`partial`: name, lanes, events), for `explain` to show.
struct SimulationError : std::runtime_error {
  SimulationError(const std::string& what, nlohmann::ordered_json p) : std::runtime_error(what), partial(std::move(p)) {}
  nlohmann::ordered_json partial;
};

// Simulates one run in this process. Call at most once per process.
nlohmann::ordered_json simulate_here(const Scenario& s, const RunSpec& run, bool trace, bool check_invariants = false);

// Simulates each run in its own child process; results in the order of `runs`.
// Throws std::runtime_error if a child fails (SimulationError when its run deadlocked).
std::vector<nlohmann::ordered_json> simulate(const Scenario& s, const std::vector<RunSpec>& runs,
                                             const RunOptions& opt = {});

}  // namespace kiosim
