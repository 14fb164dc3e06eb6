// kiosim calibrate: micro-benchmarks of this machine -> a machine profile (YAML,
// a comment under each value saying how it was measured). Never runs the composite
// methods: `kiosim check` uses them to test the model.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "sim/cli/commands.h"
#include "sim/cli/on_host.h"
#include "sim/host/calibrate.h"
#include "sim/host/host_fact_keys.h"
#include "sim/host/measure.h"
#include "sim/report/report.h"

namespace kiosim::cli {

namespace {

struct CalibrateArgs {
  std::string output;
  bool quick = false;
  unsigned rounds = 0;  // 0: 3, or 1 with --quick
  bool quiet = false;
  bool json = false;
};

int run_calibrate(const CalibrateArgs& a) {
  const unsigned rounds = a.rounds ? a.rounds : a.quick ? 1 : 3;
  std::cerr << fmt::format("ARG command   calibrate\nARG output    {}\nARG quick     {}\nARG rounds    {}\n",
                           a.output.empty() ? "(stdout)" : a.output, a.quick, rounds);
  return on_host("calibrate", "a benchmark", [&] {
    host::CalibrateOptions o;
    o.rounds = rounds;
    if (a.quick) o.scale = 0.1;
    auto progress = [&](const std::string& m) {
      if (!a.quiet) std::cerr << "kiosim calibrate: " << m << std::endl;
    };
    host::Calibration c = host::calibrate(o, progress);
    if (!a.quiet) {  // the facts it read; the profile says which keys they became
      std::cerr << c.facts.header();
      for (const auto& n : host::facts_without_keys(c.facts)) std::cerr << "HOST no key: " << n << "\n";
    }
    if (a.json) {
      nlohmann::ordered_json j;
      j["host"] = c.facts.to_json();
      nlohmann::ordered_json vs = nlohmann::ordered_json::array();
      for (const auto& v : c.values) vs.push_back({{"key", v.key}, {"value", v.value}, {"how", v.how}});
      j["values"] = vs;
      j["notes"] = c.notes;
      j["facts_without_keys"] = host::facts_without_keys(c.facts);
      if (!a.output.empty()) write_file_atomically(a.output, c.yaml());
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    if (a.output.empty()) {
      std::cout << c.yaml();
    } else {
      write_file_atomically(a.output, c.yaml());
      std::cerr << fmt::format("kiosim calibrate: wrote {}\n", a.output);
    }
    return 0;
  });
}

}  // namespace

Action add_calibrate(CLI::App& app) {
  auto a = std::make_shared<CalibrateArgs>();
  auto* c = app.add_subcommand("calibrate", "micro-benchmarks of this machine -> a machine profile (YAML)");
  c->add_option("-o,--output", a->output, "write the profile here (atomically) instead of to stdout");
  c->add_flag("--quick", a->quick, "fewer iterations and a smaller file (for tests; noisier figures)");
  c->add_option("--rounds", a->rounds, "run every benchmark this many times and keep each value's median "
                "(default 3; with --quick 1)")
      ->check(CLI::Range(1, 50));
  c->add_flag("--json", a->json, "print the values as JSON");
  c->add_flag("-q,--quiet", a->quiet, "no progress lines on stderr");
  return [a] { return run_calibrate(*a); };
}

}  // namespace kiosim::cli
