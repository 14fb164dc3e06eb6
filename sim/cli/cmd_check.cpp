// kiosim check: predicted (the simulator, with a machine profile and the receiver
// local, as real mode has it) beside measured (real mode), for any scenario real mode
// can run (--all: every one in scenarios/; the others are skipped with why): per method
// and size for a transfer, per process for a program; a summary per family of figures.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <sstream>
#include <filesystem>
#include <memory>
#include <unistd.h>

#include "sim/cli/check_shared.h"
#include "sim/cli/commands.h"
#include "sim/cli/on_host.h"
#include "sim/host/check_cells.h"
#include "sim/host/host_load.h"
#include "sim/host/runnable.h"
#include "sim/host/measure.h"
#include "sim/host/private_dir.h"
#include "sim/host/profile.h"
#include "sim/scenario/machine_keys.h"
#include "sim/run/run.h"
#include "sim/scenario/units.h"

namespace kiosim::cli {

namespace check {

const nlohmann::ordered_json* process_named(const nlohmann::ordered_json& run, const std::string& name) {
  for (const auto& p : run["processes"])
    if (p["name"] == name) return &p["counters"];
  return nullptr;
}

nlohmann::ordered_json cells_json(const std::vector<host::Cell>& cells) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const auto& c : cells) j.push_back(c.to_json());
  return j;
}

void apply_cache(Scenario& s, const std::string& cache) {
  if (cache == "scenario") return;
  for (auto& f : s.files) f.cached = cache == "warm";
}

}  // namespace check

namespace {

using namespace check;

std::vector<std::uint64_t> parse_sizes(const std::string& text) {
  std::vector<std::uint64_t> out;
  for (const auto& item : split_commas(text)) {
    auto b = parse_size(item);
    if (!b || *b < 4096)
      throw InputError("command line", 0, 0, "--sizes",
                       fmt::format("expected sizes of at least 4KiB like 1MiB,16MiB, found `{}`", item));
    out.push_back(std::uint64_t(*b));
  }
  return out;
}

double ratio(double pred, double meas) { return meas > 0 ? pred / meas : (pred > 0 ? INFINITY : 1.0); }

// Predicted, measured and their ratio, as the JSON rows show each figure.
nlohmann::ordered_json compared(double predicted, double measured) {
  return {{"predicted", predicted}, {"measured", measured}, {"ratio", ratio(predicted, measured)}};
}

// A cell from a measured figure as MethodMeasurement::summary() gives it: {median, min, max}, or a number.
host::Cell cell_from(const char* figure, host::Family f, double predicted, const nlohmann::ordered_json& m) {
  host::Cell c;
  c.figure = figure;
  c.family = f;
  c.predicted = predicted;
  if (m.is_number()) {
    c.measured = c.lo = c.hi = m.get<double>();
  } else {
    c.measured = m["median"].get<double>();
    c.lo = m["min"].get<double>();
    c.hi = m["max"].get<double>();
  }
  return c;
}

struct Row {
  std::string method;
  std::uint64_t size = 0;
  double wall_p = 0, wall_m = 0, cpu_p = 0, cpu_m = 0, rcpu_p = 0, rcpu_m = 0;
  double sys_p = 0, sys_m = 0, minflt_p = 0, minflt_m = 0, cs_p = 0, cs_m = 0;
  double spread = 0;
  std::vector<host::Cell> cells;   // each figure as the summary per family counts it
  std::vector<std::string> marks;  // "busy": measured while the host was busy; "noisy": spread > error
  std::string note() const {
    std::string n;
    for (const auto& m : marks) n += (n.empty() ? "" : ",") + m;
    return n;
  }
  nlohmann::ordered_json json() const {
    nlohmann::ordered_json wall = compared(wall_p, wall_m);
    wall["measured_spread"] = spread;
    return {{"method", method},
            {"size", size},
            {"wall_time_ns", wall},
            {"cpu_time_ns", compared(cpu_p, cpu_m)},
            {"receiver_cpu_time_ns", compared(rcpu_p, rcpu_m)},
            {"syscalls", compared(sys_p, sys_m)},
            {"page_faults_minor", compared(minflt_p, minflt_m)},
            {"context_switches", compared(cs_p, cs_m)},
            {"marks", marks},
            {"cells", cells_json(cells)}};
  }
};

void print_args(std::ostream& out, const CheckArgs& a, const std::string& machine_name) {
  out << fmt::format("ARG command   check\nARG scenario  {}\nARG machine   {}\nARG sizes     {}\nARG repeat    {}\n"
                     "ARG cache     {}\nARG receiver  {}\n",
                     a.file, machine_name, a.sizes, a.repeat, a.cache, a.receiver);
  for (const auto& kv : a.sets) out << fmt::format("ARG set       {}\n", kv);
  out << "ARG predicted net.receiver=local\n\n";
}

// The scenario at one transfer size, its transfer file cached as --cache says.
Scenario at_size(const Scenario& base, std::uint64_t size, const std::string& cache) {
  Scenario s = host::with_transfer_size(base, size);
  for (auto& f : s.files)
    if (f.name == s.transfer->file && cache != "scenario") f.cached = cache == "warm";
  return s;
}

// The scenario's runs that --method names (every run without it).
std::vector<RunSpec> selected_runs(const Scenario& s, const CheckArgs& a) {
  std::vector<RunSpec> runs;
  for (const auto& r : s.runs())
    if (a.methods.empty() || std::find(a.methods.begin(), a.methods.end(), r.name) != a.methods.end())
      runs.push_back(r);
  if (runs.empty()) throw host::Refused("no run of the scenario matches --method");
  return runs;
}

host::MeasureOptions measure_options(const CheckArgs& a, const Scenario& s, const std::vector<RunSpec>& runs) {
  host::MeasureOptions mo;
  mo.repeat = a.repeat;
  for (const auto& r : runs) mo.methods.push_back(r.name);
  mo.runner.cache = a.cache == "warm" ? host::CacheState::warm : a.cache == "cold" ? host::CacheState::cold
                                                                                   : host::CacheState::scenario;
  mo.runner.receiver = a.receiver == "tcp" ? host::ReceiverKind::tcp : host::ReceiverKind::socketpair;
  mo.runner.recv_buffer = s.machine.recv_buffer_bytes;
  return mo;
}

// One method at one size: the simulator's run `pr` beside its measurement.
Row make_row(const std::string& method, std::uint64_t size, const nlohmann::ordered_json& pr,
             const host::MethodMeasurement& measured) {
  auto mj = measured.summary();
  const auto* snd = process_named(pr, "sender");
  const auto* rcv = process_named(pr, "receiver");
  auto med = [](const nlohmann::ordered_json& x) { return x["median"].get<double>(); };
  auto sender = [&](const char* counter) { return snd ? (*snd)[counter].get<double>() : 0; };
  Row r;
  r.method = method;
  r.size = size;
  r.wall_p = pr["counters"]["sim_time_ns"].get<double>();
  r.wall_m = med(mj["counters"]["wall_time_ns"]);
  r.spread = r.wall_m > 0 ? (mj["counters"]["wall_time_ns"]["max"].get<double>() -
                             mj["counters"]["wall_time_ns"]["min"].get<double>()) / r.wall_m
                          : 0;
  r.cpu_p = sender("cpu_time_ns");
  r.cpu_m = med(mj["counters"]["cpu_time_ns"]);
  r.rcpu_p = rcv ? (*rcv)["cpu_time_ns"].get<double>() : 0;
  r.rcpu_m = med(mj["receiver"]["cpu_time_ns"]);
  r.sys_p = sender("syscalls");
  r.sys_m = mj["counters"]["syscalls"].get<double>();
  r.minflt_p = sender("page_faults_minor");
  r.minflt_m = med(mj["counters"]["page_faults_minor"]);
  r.cs_p = sender("context_switches");
  r.cs_m = med(mj["counters"]["context_switches"]);
  const auto& mc = mj["counters"];
  using host::Family;
  r.cells = {cell_from("wall_time_ns", Family::time, r.wall_p, mc["wall_time_ns"]),
             cell_from("cpu_time_ns", Family::time, r.cpu_p, mc["cpu_time_ns"]),
             cell_from("syscalls", Family::syscalls, r.sys_p, mc["syscalls"]),
             cell_from("page_faults_minor", Family::faults, r.minflt_p, mc["page_faults_minor"]),
             cell_from("context_switches", Family::switches, r.cs_p, mc["context_switches"])};
  return r;
}

// Every size, simulated then measured: a row per method and size, and what the host
// said of itself (from the last measurement).
struct Checked {
  std::vector<Row> rows;
  host::LoadWatch load{unsigned(::sysconf(_SC_NPROCESSORS_ONLN))};
  host::HostFacts facts;
  std::string perf_note;
};

// The marks of a row: `busy` when a load sample during its size said so, `noisy` when the
// host's own spread over the repeats is larger than the row's wall-time error.
void mark_row(Row& r, const host::LoadWatch& load) {
  if (load.busy_during(format_size(double(r.size)) + " ")) r.marks.push_back("busy");
  if (r.spread > std::fabs(ratio(r.wall_p, r.wall_m) - 1)) r.marks.push_back("noisy");
}

void simulate_and_measure(const CheckArgs& a, const Scenario& base, const std::vector<std::uint64_t>& sizes,
                          Checked& c) {
  for (std::uint64_t size : sizes) {
    Scenario s = at_size(base, size, a.cache);
    std::vector<RunSpec> runs = selected_runs(s, a);
    if (!a.quiet) std::cerr << fmt::format("kiosim check: {}: simulating\n", format_size(double(size)));
    auto predicted = simulate(s, runs);
    auto progress = [&](const std::string& m) {
      c.load.sample(fmt::format("{} {}", format_size(double(size)), m));
      if (!a.quiet) std::cerr << fmt::format("kiosim check: {}: {}\n", format_size(double(size)), m);
    };
    host::Measurement m = host::measure(s, measure_options(a, s, runs), progress);
    c.facts = m.facts;
    c.perf_note = m.perf_note;
    for (std::size_t i = 0; i < runs.size(); ++i) c.rows.push_back(make_row(runs[i].name, size, predicted[i], m.methods[i]));
  }
  for (auto& r : c.rows) mark_row(r, c.load);
}

// The median and the worst of some figures (the worst of none is 0).
struct Spread {
  double median = 0, worst = 0;
};

Spread median_and_worst(const std::vector<double>& v) {
  return {host::median(v), v.empty() ? 0 : *std::max_element(v.begin(), v.end())};
}

struct Summary {
  Spread wall;    // |predicted/measured - 1| of the wall time
  Spread cpu;     // the same of the sender's CPU time, a second view that sleeps do not blur
  Spread spread;  // how much the host itself varied: (max - min) / median of the repeats
  std::size_t same_calls = 0;  // rows that made the predicted system calls
};

// What to say at the top of the output: the host was busy, or varied more than the model errs.
std::vector<std::string> warnings(const Checked& c, const Summary& s) {
  std::vector<std::string> out = c.load.warning();
  if (!out.empty()) out.push_back("WARNING Rows measured while the host was busy say `busy` in the note column.");
  if (s.spread.median > s.wall.median)
    out.push_back(fmt::format("NOTE the host varied more over the repeats (median spread {:.1f}%) than the prediction "
                              "errs (median {:.1f}%): raise --repeat; rows whose spread exceeds their error say `noisy`.",
                              s.spread.median * 100, s.wall.median * 100));
  return out;
}

Summary summarize(const std::vector<Row>& rows) {
  std::vector<double> dev, cpu_dev, spreads;
  Summary s;
  for (const auto& r : rows) {
    dev.push_back(std::fabs(ratio(r.wall_p, r.wall_m) - 1));
    cpu_dev.push_back(std::fabs(ratio(r.cpu_p, r.cpu_m) - 1));
    spreads.push_back(r.spread);
    s.same_calls += r.sys_p == r.sys_m;
  }
  s.wall = median_and_worst(dev);
  s.cpu = median_and_worst(cpu_dev);
  s.spread = median_and_worst(spreads);
  return s;
}

nlohmann::ordered_json transfer_json(const CheckArgs& a, const Scenario& base, const std::string& machine_name,
                                     const Checked& c, const Summary& s) {
  nlohmann::ordered_json doc;
  doc["scenario"] = base.path;
  doc["options"] = {{"command", "check"}, {"machine", machine_name}, {"sizes", a.sizes}, {"repeat", a.repeat},
                    {"cache", a.cache},   {"receiver", a.receiver}, {"methods", a.methods}, {"set", a.sets}};
  doc["host"] = c.facts.to_json();
  doc["perf"] = c.perf_note.empty() ? "software counters, user mode only" : c.perf_note;
  doc["warnings"] = warnings(c, s);
  doc["host_load"] = c.load.to_json();
  nlohmann::ordered_json jr = nlohmann::ordered_json::array();
  for (const auto& r : c.rows) jr.push_back(r.json());
  doc["rows"] = jr;
  doc["summary"] = {{"wall_time_median_abs_ratio_minus_1", s.wall.median},
                    {"wall_time_worst_abs_ratio_minus_1", s.wall.worst},
                    {"cpu_time_median_abs_ratio_minus_1", s.cpu.median},
                    {"cpu_time_worst_abs_ratio_minus_1", s.cpu.worst},
                    {"measured_wall_spread_median", s.spread.median},
                    {"measured_wall_spread_worst", s.spread.worst},
                    {"rows_with_predicted_syscalls", s.same_calls}};
  return doc;
}

void print_table(std::ostream& out, const Checked& c, const Summary& s) {
  out << c.facts.header() << "\n";
  out << fmt::format("{:<11} {:>7} | {:>9} {:>9} {:>5} | {:>9} {:>9} {:>5} | {:>9} {:>9} | {:>6} {:>6} | {:>6} {:>6} | {:>5} {:>5} | {}\n",
                     "method", "size", "wall pred", "meas", "ratio", "cpu pred", "meas", "ratio", "rcpu pred", "meas",
                     "sys p", "m", "flt p", "m", "cs p", "m", "note");
  for (const auto& r : c.rows)
    out << fmt::format("{:<11} {:>7} | {:>9} {:>9} {:>5.2f} | {:>9} {:>9} {:>5.2f} | {:>9} {:>9} | {:>6.0f} {:>6.0f} | {:>6.0f} {:>6.0f} | {:>5.0f} {:>5.0f} | {}\n",
                       r.method, format_size(double(r.size)), format_time_ns(r.wall_p), format_time_ns(r.wall_m),
                       ratio(r.wall_p, r.wall_m), format_time_ns(r.cpu_p), format_time_ns(r.cpu_m),
                       ratio(r.cpu_p, r.cpu_m), format_time_ns(r.rcpu_p), format_time_ns(r.rcpu_m), r.sys_p, r.sys_m,
                       r.minflt_p, r.minflt_m, r.cs_p, r.cs_m, r.note());
  out << fmt::format("\nwall time |predicted/measured - 1|: median {:.1f}%, worst {:.1f}% over {} rows\n",
                     s.wall.median * 100, s.wall.worst * 100, c.rows.size());
  out << fmt::format("sender CPU time |predicted/measured - 1|: median {:.1f}%, worst {:.1f}%\n", s.cpu.median * 100,
                     s.cpu.worst * 100);
  out << fmt::format("measured wall spread (max - min) / median over the repeats: median {:.1f}%, worst {:.1f}%\n",
                     s.spread.median * 100, s.spread.worst * 100);
  out << fmt::format("system calls as predicted in {} of {} rows\n", s.same_calls, c.rows.size());
  out << "cpu: the sender's user + system time; rcpu: the receiver's. sys: syscalls of the program's body; "
         "flt: minor faults; cs: context switches (voluntary + involuntary).\n"
         "note: busy = measured while the host was busy; noisy = the host's spread over the repeats exceeds the "
         "row's wall-time error.\n";
}

ScenarioCheck check_transfer(const CheckArgs& a, const Scenario& base, const std::string& machine_name) {
  ScenarioCheck out;
  auto sizes = parse_sizes(a.sizes);
  Checked c;
  c.load.sample("before");
  for (const auto& line : c.load.warning()) std::cerr << "kiosim check: " << line << "\n";
  simulate_and_measure(a, base, sizes, c);
  const Summary s = summarize(c.rows);
  out.doc = transfer_json(a, base, machine_name, c, s);
  std::ostringstream t;
  for (const auto& line : warnings(c, s)) t << line << "\n";
  print_args(t, a, machine_name);
  print_table(t, c, s);
  out.table = t.str();
  for (auto& r : c.rows) out.cells.insert(out.cells.end(), r.cells.begin(), r.cells.end());
  return out;
}

// One scenario, simulated and measured; a scenario the host cannot run comes back skipped with why.
ScenarioCheck check_one(CheckArgs a, const std::string& file) {
  a.file = file;
  LoadOptions lo;
  lo.sets = a.sets;
  Scenario base = load_scenario(file, lo);
  std::string machine_name;
  apply_machine(a, base, machine_name);
  ScenarioCheck out;
  try {
    out = base.transfer ? check_transfer(a, base, machine_name) : check_processes(a, base, machine_name);
  } catch (const host::Refused& e) {
    out.skipped = e.what();
  } catch (const host::HostError& e) {
    out.skipped = std::string("the host refused a call it needs: ") + e.what();
  }
  if (a.kernel_trace && base.transfer && out.skipped.empty()) {
    const char* why = "--kernel-trace records program scenarios; a transfer scenario's methods are not traced yet";
    out.table += fmt::format("\nKERNEL TRACE  {}\n", why);
    out.doc["kernel_trace"] = {{"requested", true}, {"active", false}, {"why_not", why}};
  }
  out.path = file;
  return out;
}

// The scenarios of --all: every *.yaml directly in the scenarios directory, by name.
std::vector<std::string> all_scenarios(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".yaml") out.push_back(e.path().string());
  if (ec || out.empty())
    throw InputError("command line", 0, 0, "--all",
                     fmt::format("expected a directory of scenarios at `{}` (run from the source tree or give "
                                 "--scenarios DIR)",
                                 dir));
  std::sort(out.begin(), out.end());
  return out;
}

int run_check(CheckArgs a, const std::string& scenarios_dir) {
  std::vector<std::string> files = a.files;
  if (a.all)
    for (auto& f : all_scenarios(scenarios_dir)) files.push_back(f);
  if (files.empty())
    throw InputError("command line", 0, 0, "FILE", "expected a scenario file or --all, found neither");
  const bool one = files.size() == 1 && !a.all;
  std::ostream& out = std::cout;
  std::vector<ScenarioCheck> done;
  std::vector<host::Cell> cells;
  int code = on_host("check", "the workload", [&] {
    for (const auto& f : files) {
      done.push_back(check_one(a, f));
      if (!done.back().skipped.empty() && !a.quiet)
        std::cerr << fmt::format("kiosim check: {}: skipped: {}\n", f, done.back().skipped);
      cells.insert(cells.end(), done.back().cells.begin(), done.back().cells.end());
    }
    return 0;
  });
  if (code) return code;
  if (one && !done[0].skipped.empty()) {
    std::cerr << "kiosim check: " << done[0].skipped << "\n";
    return 2;
  }
  const std::string cache_rule =
      a.cache == "scenario" ? "scenario (each file as its `cached:` says, for the prediction and the measurement)"
                            : a.cache + " (every file, for the prediction and the measurement)";
  if (a.json) {
    if (one) {
      nlohmann::ordered_json doc = done[0].doc;
      doc["families"] = host::families_json(cells);
      out << doc.dump(2) << "\n";
      return 0;
    }
    nlohmann::ordered_json doc;
    doc["command"] = "check";
    doc["cache"] = cache_rule;
    nlohmann::ordered_json sc = nlohmann::ordered_json::array(), sk = nlohmann::ordered_json::array();
    for (const auto& d : done) {
      if (d.skipped.empty()) sc.push_back(d.doc);
      else sk.push_back({{"scenario", d.path}, {"reason", d.skipped}});
      for (const auto& why : d.what_ifs)  // a sweep run skipped as a what-if (host/what_if.h)
        if (why != d.skipped) sk.push_back({{"scenario", d.path}, {"run", true}, {"reason", why}});
    }
    doc["scenarios"] = sc;
    doc["skipped"] = sk;
    doc["families"] = host::families_json(cells);
    out << doc.dump(2) << "\n";
    return 0;
  }
  // The host's warnings stay the first lines of one scenario's table; the cache rule follows them.
  if (!one) out << "CACHE " << cache_rule << "\n";
  for (const auto& d : done) {
    if (!d.skipped.empty()) continue;
    if (!one) out << fmt::format("\n==== {} ====\n", d.path);
    out << d.table;
  }
  if (!one) {
    out << "\n==== summary ====\n";
    std::size_t what_ifs = 0;
    for (const auto& d : done) {
      if (!d.skipped.empty()) out << fmt::format("SKIP {}: {}\n", d.path, d.skipped);
      for (const auto& why : d.what_ifs)
        if (why != d.skipped) out << fmt::format("SKIP {}: {}\n", d.path, why), ++what_ifs;
    }
    if (what_ifs) out << fmt::format("{} what-if run(s) skipped: their cells are not counted\n", what_ifs);
  } else {
    out << "\nCACHE " << cache_rule << "\n";
  }
  host::print_families(out, cells);
  return 0;
}

}  // namespace

Action add_check(CLI::App& app) {
  auto a = std::make_shared<CheckArgs>();
  auto dir = std::make_shared<std::string>("scenarios");
  auto* c = app.add_subcommand("check", "predicted (simulator) beside measured (real mode) for any scenario real mode "
                                        "can run, with ratios and a summary per family of figures");
  c->add_option("FILE", a->files, "scenario files (YAML); a transfer scenario runs at --sizes, a program scenario "
                                  "at its own sizes, each process measured alone")
      ->check(CLI::ExistingFile);
  c->add_flag("--all", a->all, "every scenario in --scenarios; those the host cannot run are skipped with why");
  c->add_option("--scenarios", *dir, "the directory --all reads (default scenarios)");
  c->add_option("--machine", a->machine, "machine profile for the prediction (e.g. from kiosim calibrate)")
      ->check(CLI::ExistingFile);
  c->add_option("--sizes", a->sizes, "transfer sizes, comma-separated (default 1MiB,16MiB,128MiB)");
  c->add_option("--repeat", a->repeat, "timed repeats per method and size (median)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  c->add_option("--cache", a->cache,
                "page cache before each run, for the prediction and the measurement alike: scenario (default: each "
                "file as its `cached:` says, as measure does), warm or cold (every file)")
      ->check(CLI::IsMember({"warm", "cold", "scenario"}));
  c->add_option("--receiver", a->receiver, "socketpair (default) or tcp (loopback)")
      ->check(CLI::IsMember({"socketpair", "tcp"}));
  c->add_option("--method", a->methods, "only these methods (repeatable)");
  c->add_option("--set", a->sets, "override a machine key for the prediction")->type_name("KEY=VALUE");
  c->add_flag("--json", a->json, "print JSON instead of the table");
  c->add_flag("-q,--quiet", a->quiet, "no progress lines on stderr");
  c->add_flag("-v,--verbose", a->verbose, "name each machine key the --machine profile leaves to its default");
  c->add_flag("--kernel-trace", a->kernel_trace,
              "also record the kernel's tracepoints (readahead, faults, page cache, jbd2) of each process's first "
              "timed repeat, set beside the simulator's events of the same kind; in a tracefs instance of its own, "
              "always removed (needs root or CAP_PERFMON; program scenarios)");
  return [a, dir] { return run_check(*a, *dir); };
}

}  // namespace kiosim::cli
