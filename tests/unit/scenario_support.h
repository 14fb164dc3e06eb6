// Shared by the tests that simulate small scenarios written inline: write the text to a
// private temporary file, load it against the project's machine profiles, simulate
// every run (each in its own child process) and remove the file.
#pragma once
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "sim/run/run.h"
#include "sim/scenario/scenario.h"

namespace kiosim::test {

inline Scenario load_text(const std::string& name, const std::string& text, std::vector<std::string> sets = {}) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/kiosim-test-" + std::to_string(::getpid()) + "-" +
                     name + ".yaml";
  std::ofstream(path) << text;
  LoadOptions lo;
  lo.sets = std::move(sets);
  lo.machines_dir = std::string(KIOSIM_SOURCE_DIR) + "/scenarios/machines";
  struct Remove {
    std::string p;
    ~Remove() { ::unlink(p.c_str()); }
  } remove{path};
  return load_scenario(path, lo);
}

inline std::vector<nlohmann::ordered_json> simulate_text(const std::string& name, const std::string& text,
                                                         const RunOptions& opt = {}) {
  Scenario s = load_text(name, text);
  RunOptions checked = opt;
  checked.check_invariants = true;  // always, in tests (sim/kernel/invariants.h)
  return simulate(s, s.runs(), checked);
}

// The counters of a scenario that has one run.
inline nlohmann::ordered_json single_run_counters(const std::string& name, const std::string& text) {
  auto r = simulate_text(name, text);
  if (r.size() != 1) throw std::logic_error("test scenario `" + name + "` has more than one run");
  return r[0]["counters"];
}

}  // namespace kiosim::test
