// Each subcommand registers itself on the app and returns the function that runs it.
// A subcommand's function returns the exit code: 0 ok, 1 failed (a check, a run),
// 2 bad input (the scenario, a flag, a profile).
// sim/cli/ owns the command line (CLI11); it calls every other sim/ folder.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

namespace kiosim::cli {

using Action = std::function<int()>;

Action add_run(CLI::App& app);      // kiosim run
Action add_compare(CLI::App& app);  // kiosim compare
Action add_explain(CLI::App& app);  // kiosim explain
Action add_keys(CLI::App& app);     // kiosim keys
Action add_cache_replay(CLI::App& app);  // kiosim cache-replay
Action add_measure(CLI::App& app);    // kiosim measure (real mode, sim/host)
Action add_calibrate(CLI::App& app);  // kiosim calibrate (real mode, sim/host)
Action add_check(CLI::App& app);      // kiosim check (real mode, sim/host)
Action add_homework(CLI::App& app);   // kiosim homework new|key|grade (sim/homework)
Action add_export(CLI::App& app);     // kiosim export (dot, perfetto, csv)
Action add_sweep(CLI::App& app);      // kiosim sweep (CSV and an SVG plot)

}  // namespace kiosim::cli
