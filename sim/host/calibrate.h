// kiosim calibrate: micro-benchmarks, each isolating one cost the machine profile
// uses (REAL-MODE.md "Calibration"), and the profile they make. The composite
// methods (read+write, mmap+write, sendfile, splice) are never run here: they are
// the held-out test of the model (`kiosim check`).
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/host/host_facts.h"
#include "sim/scenario/machine.h"

namespace kiosim::host {

struct CalibrationValue {
  std::string key;    // machine key, e.g. cpu.syscall
  std::string value;  // as written in a profile, e.g. 95ns
  std::string how;    // one line: how it was measured (or why it is the default)
};

struct Calibration {
  HostFacts facts;
  std::vector<CalibrationValue> values;  // every machine key, in registry order
  std::vector<std::string> notes;        // figures measured but not used by the model
  std::string yaml() const;              // the profile, with a comment per value
};

struct CalibrateOptions {
  double scale = 1.0;  // < 1: fewer iterations (tests); the figures get noisier
  unsigned rounds = 3; // every benchmark this many times; each value is the median
};

// Runs the benchmarks in a PrivateDir (removed before it returns). `progress`
// gets "[i/n] what" lines.
Calibration calibrate(const CalibrateOptions& o, const std::function<void(const std::string&)>& progress);

}  // namespace kiosim::host
