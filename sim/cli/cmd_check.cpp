// kiosim check: predicted (the simulator, with a machine profile and the receiver
// local, as real mode has it) beside measured (real mode), per method and size,
// with the ratio predicted/measured; a summary of |ratio - 1| on wall time.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "sim/cli/commands.h"
#include "sim/host/measure.h"
#include "sim/host/profile.h"
#include "sim/scenario/machine_keys.h"
#include "sim/run/run.h"
#include "sim/scenario/units.h"

namespace kiosim::cli {

namespace {

struct CheckArgs {
  std::string file;
  std::string machine;
  std::string sizes = "1MiB,16MiB,128MiB";
  unsigned repeat = 5;
  bool json = false;
  std::string cache = "warm";
  std::string receiver = "socketpair";
  std::vector<std::string> methods;
  std::vector<std::string> sets;
  bool quiet = false;
};

std::vector<std::uint64_t> parse_sizes(const std::string& text) {
  std::vector<std::uint64_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto b = parse_size(item);
    if (!b || *b < 4096)
      throw InputError("command line", 0, 0, "--sizes",
                       fmt::format("expected sizes of at least 4KiB like 1MiB,16MiB, found `{}`", item));
    out.push_back(std::uint64_t(*b));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

double ratio(double pred, double meas) { return meas > 0 ? pred / meas : (pred > 0 ? INFINITY : 1.0); }

const nlohmann::ordered_json* process_named(const nlohmann::ordered_json& run, const std::string& name) {
  for (const auto& p : run["processes"])
    if (p["name"] == name) return &p["counters"];
  return nullptr;
}

struct Row {
  std::string method;
  std::uint64_t size = 0;
  double wall_p = 0, wall_m = 0, cpu_p = 0, cpu_m = 0, rcpu_p = 0, rcpu_m = 0;
  double sys_p = 0, sys_m = 0, minflt_p = 0, minflt_m = 0, cs_p = 0, cs_m = 0;
  double spread = 0;
  nlohmann::ordered_json json() const {
    return {{"method", method},
            {"size", size},
            {"wall_time_ns", {{"predicted", wall_p}, {"measured", wall_m}, {"ratio", ratio(wall_p, wall_m)},
                              {"measured_spread", spread}}},
            {"cpu_time_ns", {{"predicted", cpu_p}, {"measured", cpu_m}, {"ratio", ratio(cpu_p, cpu_m)}}},
            {"receiver_cpu_time_ns", {{"predicted", rcpu_p}, {"measured", rcpu_m}, {"ratio", ratio(rcpu_p, rcpu_m)}}},
            {"syscalls", {{"predicted", sys_p}, {"measured", sys_m}, {"ratio", ratio(sys_p, sys_m)}}},
            {"page_faults_minor", {{"predicted", minflt_p}, {"measured", minflt_m}, {"ratio", ratio(minflt_p, minflt_m)}}},
            {"context_switches", {{"predicted", cs_p}, {"measured", cs_m}, {"ratio", ratio(cs_p, cs_m)}}}};
  }
};

int run_check(const CheckArgs& a) {
  LoadOptions lo;
  lo.sets = a.sets;
  Scenario base = load_scenario(a.file, lo);
  if (!base.transfer) {
    std::cerr << "kiosim check: " << a.file << " has no transfer (compare: transfer:); check compares transfers\n";
    return 2;
  }
  auto sizes = parse_sizes(a.sizes);
  std::string machine_name = base.machine_name;
  if (!a.machine.empty()) {
    base.machine = host::load_profile(a.machine, std::cerr);
    machine_name = a.machine;
    // --set still applies on top of the profile.
    for (const auto& kv : a.sets) {
      auto eq = kv.find('=');
      const MachineKey* k = eq == std::string::npos ? nullptr : find_machine_key(kv.substr(0, eq));
      if (k) apply_machine_value(base.machine, *k, kv.substr(eq + 1));
    }
  }
  base.machine.receiver_local = true;  // real mode's receiver is a process on this machine
  base.machine.derive();

  std::ostream& out = std::cout;
  if (!a.json) {
    out << fmt::format("ARG command   check\nARG scenario  {}\nARG machine   {}\nARG sizes     {}\nARG repeat    {}\n"
                       "ARG cache     {}\nARG receiver  {}\n",
                       a.file, machine_name, a.sizes, a.repeat, a.cache, a.receiver);
    for (const auto& kv : a.sets) out << fmt::format("ARG set       {}\n", kv);
    out << "ARG predicted net.receiver=local\n\n";
  }
  std::vector<Row> rows;
  host::HostFacts facts;
  std::string perf_note;
  try {
    for (std::uint64_t size : sizes) {
      Scenario s = host::with_transfer_size(base, size);
      for (auto& f : s.files)
        if (f.name == s.transfer->file && a.cache != "scenario") f.cached = a.cache == "warm";
      std::vector<RunSpec> runs;
      for (const auto& r : s.runs())
        if (a.methods.empty() || std::find(a.methods.begin(), a.methods.end(), r.name) != a.methods.end())
          runs.push_back(r);
      if (runs.empty()) throw host::Refused("no run of the scenario matches --method");
      if (!a.quiet) std::cerr << fmt::format("kiosim check: {}: simulating\n", format_size(double(size)));
      auto predicted = simulate(s, runs);
      host::MeasureOptions mo;
      mo.repeat = a.repeat;
      for (const auto& r : runs) mo.methods.push_back(r.name);
      mo.runner.cache = a.cache == "warm" ? host::CacheState::warm : a.cache == "cold" ? host::CacheState::cold
                                                                                       : host::CacheState::scenario;
      mo.runner.receiver = a.receiver == "tcp" ? host::ReceiverKind::tcp : host::ReceiverKind::socketpair;
      mo.runner.recv_buffer = s.machine.recv_buffer_bytes;
      auto progress = [&](const std::string& m) {
        if (!a.quiet) std::cerr << fmt::format("kiosim check: {}: {}\n", format_size(double(size)), m);
      };
      host::Measurement m = host::measure(s, mo, progress);
      facts = m.facts;
      perf_note = m.perf_note;
      for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& pr = predicted[i];
        auto mj = m.methods[i].summary();
        const auto* snd = process_named(pr, "sender");
        const auto* rcv = process_named(pr, "receiver");
        auto med = [](const nlohmann::ordered_json& x) { return x["median"].get<double>(); };
        Row r;
        r.method = runs[i].name;
        r.size = size;
        r.wall_p = pr["counters"]["sim_time_ns"].get<double>();
        r.wall_m = med(mj["counters"]["wall_time_ns"]);
        r.spread = r.wall_m > 0 ? (mj["counters"]["wall_time_ns"]["max"].get<double>() -
                                   mj["counters"]["wall_time_ns"]["min"].get<double>()) / r.wall_m
                                : 0;
        r.cpu_p = snd ? (*snd)["cpu_time_ns"].get<double>() : 0;
        r.cpu_m = med(mj["counters"]["cpu_time_ns"]);
        r.rcpu_p = rcv ? (*rcv)["cpu_time_ns"].get<double>() : 0;
        r.rcpu_m = med(mj["receiver"]["cpu_time_ns"]);
        r.sys_p = snd ? (*snd)["syscalls"].get<double>() : 0;
        r.sys_m = mj["counters"]["syscalls"].get<double>();
        r.minflt_p = snd ? (*snd)["page_faults_minor"].get<double>() : 0;
        r.minflt_m = med(mj["counters"]["page_faults_minor"]);
        r.cs_p = snd ? (*snd)["context_switches"].get<double>() : 0;
        r.cs_m = med(mj["counters"]["context_switches"]);
        rows.push_back(r);
      }
    }
  } catch (const host::Refused& e) {
    std::cerr << "kiosim check: " << e.what() << "\n";
    return 2;
  } catch (const host::HostError& e) {
    std::cerr << "kiosim check: this host refused a call the workload needs: " << e.what() << "\n";
    return 1;
  }
  std::vector<double> dev;
  for (const auto& r : rows) dev.push_back(std::fabs(ratio(r.wall_p, r.wall_m) - 1));
  double med_dev = host::median(dev), worst = dev.empty() ? 0 : *std::max_element(dev.begin(), dev.end());
  std::vector<double> cpu_dev;  // the sender's CPU time, a second view that sleeps do not blur
  for (const auto& r : rows) cpu_dev.push_back(std::fabs(ratio(r.cpu_p, r.cpu_m) - 1));
  double cpu_med = host::median(cpu_dev), cpu_worst = cpu_dev.empty() ? 0 : *std::max_element(cpu_dev.begin(), cpu_dev.end());
  // How much the host itself varied, and how many rows made the predicted system calls.
  std::vector<double> spreads;
  std::size_t same_calls = 0;
  for (const auto& r : rows) {
    spreads.push_back(r.spread);
    same_calls += r.sys_p == r.sys_m;
  }
  double spread_med = host::median(spreads), spread_worst = spreads.empty() ? 0 : *std::max_element(spreads.begin(), spreads.end());
  if (a.json) {
    nlohmann::ordered_json doc;
    doc["scenario"] = base.path;
    doc["options"] = {{"command", "check"}, {"machine", machine_name}, {"sizes", a.sizes}, {"repeat", a.repeat},
                      {"cache", a.cache},   {"receiver", a.receiver}, {"methods", a.methods}, {"set", a.sets}};
    doc["host"] = facts.to_json();
    doc["perf"] = perf_note.empty() ? "software counters, user mode only" : perf_note;
    nlohmann::ordered_json jr = nlohmann::ordered_json::array();
    for (const auto& r : rows) jr.push_back(r.json());
    doc["rows"] = jr;
    doc["summary"] = {{"wall_time_median_abs_ratio_minus_1", med_dev},
                      {"wall_time_worst_abs_ratio_minus_1", worst},
                      {"cpu_time_median_abs_ratio_minus_1", cpu_med},
                      {"cpu_time_worst_abs_ratio_minus_1", cpu_worst},
                      {"measured_wall_spread_median", spread_med},
                      {"measured_wall_spread_worst", spread_worst},
                      {"rows_with_predicted_syscalls", same_calls}};
    out << doc.dump(2) << "\n";
    return 0;
  }
  out << facts.header() << "\n";
  out << fmt::format("{:<11} {:>7} | {:>9} {:>9} {:>5} | {:>9} {:>9} {:>5} | {:>9} {:>9} | {:>6} {:>6} | {:>6} {:>6} | {:>5} {:>5}\n",
                     "method", "size", "wall pred", "meas", "ratio", "cpu pred", "meas", "ratio", "rcpu pred", "meas",
                     "sys p", "m", "flt p", "m", "cs p", "m");
  for (const auto& r : rows)
    out << fmt::format("{:<11} {:>7} | {:>9} {:>9} {:>5.2f} | {:>9} {:>9} {:>5.2f} | {:>9} {:>9} | {:>6.0f} {:>6.0f} | {:>6.0f} {:>6.0f} | {:>5.0f} {:>5.0f}\n",
                       r.method, format_size(double(r.size)), format_time_ns(r.wall_p), format_time_ns(r.wall_m),
                       ratio(r.wall_p, r.wall_m), format_time_ns(r.cpu_p), format_time_ns(r.cpu_m),
                       ratio(r.cpu_p, r.cpu_m), format_time_ns(r.rcpu_p), format_time_ns(r.rcpu_m), r.sys_p, r.sys_m,
                       r.minflt_p, r.minflt_m, r.cs_p, r.cs_m);
  out << fmt::format("\nwall time |predicted/measured - 1|: median {:.1f}%, worst {:.1f}% over {} rows\n", med_dev * 100,
                     worst * 100, rows.size());
  out << fmt::format("sender CPU time |predicted/measured - 1|: median {:.1f}%, worst {:.1f}%\n", cpu_med * 100,
                     cpu_worst * 100);
  out << fmt::format("measured wall spread (max - min) / median over the repeats: median {:.1f}%, worst {:.1f}%\n",
                     spread_med * 100, spread_worst * 100);
  out << fmt::format("system calls as predicted in {} of {} rows\n", same_calls, rows.size());
  out << "cpu: the sender's user + system time; rcpu: the receiver's. sys: syscalls of the program's body; "
         "flt: minor faults; cs: context switches (voluntary + involuntary).\n";
  return 0;
}

}  // namespace

Action add_check(CLI::App& app) {
  auto a = std::make_shared<CheckArgs>();
  auto* c = app.add_subcommand("check", "predicted (simulator, receiver local) beside measured (real mode), with ratios");
  c->add_option("FILE", a->file, "scenario file (YAML) with a transfer")->required()->check(CLI::ExistingFile);
  c->add_option("--machine", a->machine, "machine profile for the prediction (e.g. from kiosim calibrate)")
      ->check(CLI::ExistingFile);
  c->add_option("--sizes", a->sizes, "transfer sizes, comma-separated (default 1MiB,16MiB,128MiB)");
  c->add_option("--repeat", a->repeat, "timed repeats per method and size (median)")->check(CLI::Range(1, 1000));
  c->add_option("--cache", a->cache, "page cache before each run: warm (default), cold, or scenario")
      ->check(CLI::IsMember({"warm", "cold", "scenario"}));
  c->add_option("--receiver", a->receiver, "socketpair (default) or tcp (loopback)")
      ->check(CLI::IsMember({"socketpair", "tcp"}));
  c->add_option("--method", a->methods, "only these methods (repeatable)");
  c->add_option("--set", a->sets, "override a machine key for the prediction")->type_name("KEY=VALUE");
  c->add_flag("--json", a->json, "print JSON instead of the table");
  c->add_flag("-q,--quiet", a->quiet, "no progress lines on stderr");
  return [a] { return run_check(*a); };
}

}  // namespace kiosim::cli
