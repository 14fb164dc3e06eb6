#include "sim/cli/commands.h"
namespace kiosim::cli {
Action add_calibrate(CLI::App& app) {
  app.add_subcommand("calibrate", "micro-benchmarks of this machine -> a machine profile");
  return [] { return 1; };
}
}  // namespace kiosim::cli
