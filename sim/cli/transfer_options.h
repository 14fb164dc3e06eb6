// --size and --cache, as check and measure have them, for run, compare and explain
// (issue 21 item 3): the transfer's file resized, and cached or not before the run.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "sim/scenario/scenario.h"

namespace kiosim::cli {

struct TransferOptions {
  std::string size;              // "" : as the scenario says
  std::string cache = "scenario";  // scenario, cold or warm
};

void add_transfer_options(CLI::App* c, TransferOptions& t);
// Applies them to a loaded scenario; InputError (exit 2) for a bad size, or for --size or
// --cache on a scenario without `compare: transfer:`.
void apply_transfer_options(const TransferOptions& t, Scenario& s);

}  // namespace kiosim::cli
