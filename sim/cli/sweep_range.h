// `kiosim sweep --vary KEY=LO..HI --steps N [--log]`: the values of the swept key and
// the scenario at each of them. KEY is a machine key (nic.max_frags, disk.bandwidth),
// file.size (the compared transfer's file), transfer.chunk/offset/bytes or params.NAME.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace kiosim::cli {

struct SweepPoint {
  std::string text;   // as --set or the scenario would write it: 64KiB, 80us
  double value = 0;   // in base units (bytes, ns, bytes/s, Hz, a number): the CSV's column
};

struct SweepRange {
  std::string key;
  std::vector<SweepPoint> points;
};

// Checks everything (the key, the range, the steps) and throws InputError (exit 2).
SweepRange parse_sweep_range(const std::string& vary, unsigned steps, bool log, const Scenario& base);

// The scenario with point `i` applied; machine keys go through --set's validation.
Scenario scenario_at(const std::string& path, const LoadOptions& lo, const SweepRange& r, std::size_t i);

}  // namespace kiosim::cli
