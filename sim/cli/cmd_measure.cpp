// kiosim measure: the scenario's transfer, run for real on this machine (real mode,
// REAL-MODE.md), with the counters the simulator reports where the host shows them.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <sstream>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/cli/on_host.h"
#include "sim/host/host_load.h"
#include "sim/host/kernel_compare.h"
#include "sim/host/measure.h"
#include "sim/scenario/units.h"

namespace kiosim::cli {

namespace {

struct MeasureArgs {
  std::string file;
  unsigned repeat = 5;
  bool json = false;
  std::string receiver = "socketpair";
  std::string cache = "scenario";
  std::vector<std::string> methods;
  std::vector<std::string> sets;
  std::string size;
  bool quiet = false;
  bool kernel_trace = false;
};

host::ReceiverKind receiver_kind(const std::string& s) {
  return s == "tcp" ? host::ReceiverKind::tcp : host::ReceiverKind::socketpair;
}
host::CacheState cache_state(const std::string& s) {
  return s == "cold" ? host::CacheState::cold : s == "warm" ? host::CacheState::warm : host::CacheState::scenario;
}

int run_measure(const MeasureArgs& a) {
  LoadOptions lo;
  lo.sets = a.sets;
  Scenario s = load_scenario(a.file, lo);
  return on_host("measure", "the workload", [&] {
    if (!a.size.empty()) {
      auto b = parse_size(a.size);
      if (!b || *b < 1) throw InputError("command line", 0, 0, "--size", fmt::format("expected a size like 1MiB, found `{}`", a.size));
      s = host::with_transfer_size(s, std::uint64_t(*b));
    }
    host::MeasureOptions o;
    o.repeat = a.repeat;
    o.methods = a.methods;
    o.runner.receiver = receiver_kind(a.receiver);
    o.runner.cache = cache_state(a.cache);
    o.kernel_trace = a.kernel_trace;
    std::ostream& out = std::cout;
    host::LoadWatch load(unsigned(::sysconf(_SC_NPROCESSORS_ONLN)));
    load.sample("before");
    for (const auto& line : load.warning()) std::cerr << "kiosim measure: " << line << "\n";
    auto progress = [&](const std::string& m) {
      load.sample(m);
      if (!a.quiet) std::cerr << "kiosim measure: " << m << "\n";
    };
    host::Measurement m = host::measure(s, o, progress);
    if (!a.json) {
      for (const auto& line : load.warning()) out << line << "\n";
      out << fmt::format("ARG command   measure\nARG scenario  {}\nARG repeat    {}\nARG receiver  {}\nARG cache     {}\n",
                         a.file, a.repeat, a.receiver, a.cache);
      if (!a.size.empty()) out << fmt::format("ARG size      {}\n", a.size);
      for (const auto& name : a.methods) out << fmt::format("ARG method    {}\n", name);
      for (const auto& kv : a.sets) out << fmt::format("ARG set       {}\n", kv);
      out << "\n";
    }
    if (a.json) {
      nlohmann::ordered_json doc;
      doc["scenario"] = s.path;
      doc["options"] = {{"command", "measure"}, {"repeat", a.repeat}, {"receiver", a.receiver},
                        {"cache", a.cache},     {"size", a.size},     {"methods", a.methods}, {"set", a.sets}};
      doc["warnings"] = load.warning();
      doc["host_load"] = load.to_json();
      doc["measurement"] = m.to_json();
      std::ostringstream ignored;
      if (a.kernel_trace) doc["kernel_trace"] = host::kernel_trace_report(m, {}, ignored);
      out << doc.dump(2) << "\n";
    } else {
      host::print_measurement(out, m);
      if (a.kernel_trace) host::kernel_trace_report(m, {}, out);
    }
    return 0;
  });
}

}  // namespace

Action add_measure(CLI::App& app) {
  auto a = std::make_shared<MeasureArgs>();
  auto* c = app.add_subcommand("measure",
                               "run the scenario's transfer for real on this machine (unprivileged) and measure it");
  c->add_option("FILE", a->file, "scenario file (YAML) with a transfer")->required()->check(CLI::ExistingFile);
  c->add_option("--repeat", a->repeat, "timed repeats per method, after one untimed warm-up (median and spread)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  c->add_flag("--json", a->json, "print JSON instead of tables");
  c->add_option("--receiver", a->receiver, "where the data goes: socketpair (default) or tcp (loopback)")
      ->check(CLI::IsMember({"socketpair", "tcp"}));
  c->add_option("--cache", a->cache,
                "page cache before each run: scenario (default: each file's cached:, so copy-table.yaml is cold), "
                "cold, or warm (what check uses)")
      ->check(CLI::IsMember({"scenario", "cold", "warm"}));
  c->add_option("--method", a->methods, "only these methods (repeatable)");
  c->add_option("--size", a->size, "resize the transfer's file, e.g. 16MiB");
  c->add_option("--set", a->sets, "override a machine key of the scenario (changes the program, e.g. pipe.slots)")
      ->type_name("KEY=VALUE");
  c->add_flag("-q,--quiet", a->quiet, "no progress lines on stderr");
  c->add_flag("--kernel-trace", a->kernel_trace,
              "also record the kernel's tracepoints (readahead, faults, page cache, jbd2) of the run's files and "
              "process, in a tracefs instance of its own, always removed (needs root or CAP_PERFMON)");
  return [a] { return run_measure(*a); };
}

}  // namespace kiosim::cli
