// kiosim run / compare / explain: load a scenario, simulate its runs (one child
// process each), print tables or JSON, write the trace, check expected counters.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <iostream>
#include <memory>

#include "sim/cli/commands.h"
#include "sim/cli/transfer_options.h"
#include "sim/homework/homework.h"
#include "sim/homework/present.h"
#include "sim/cli/trace_input.h"
#include "sim/host/profile.h"
#include "sim/run/crash.h"
#include "sim/report/explain.h"
#include "sim/report/report.h"
#include "sim/run/run.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/units.h"

namespace kiosim::cli {

namespace {

struct Common {
  std::string file;
  std::vector<std::string> sets;
  std::string machines_dir;
  std::string machine_file;
  bool json = false;
  bool verbose = false;
  unsigned jobs = 0;
  std::string trace_path;
  bool check = false;
  std::string method;
  std::string crash_at;  // run --crash-at (sim/crash.h)
  // explain's window and filters (sim/report/explain.h)
  std::string from, to;
  ExplainOptions explain;
  TransferOptions transfer;  // --size, --cache
  bool answers = false;      // run -c: a homework problem's answers (sim/homework)
  bool check_invariants = false;
  bool critical_path = false;  // explain --critical-path
  std::uint64_t request = 0;   // explain --request N
};

void add_common(CLI::App* c, Common& o) {
  c->add_option("FILE", o.file, "scenario file (YAML)")->required()->check(CLI::ExistingFile);
  c->add_option("--set", o.sets, "override a machine key, e.g. --set nic.scatter_gather=false (repeatable)")
      ->type_name("KEY=VALUE");
  c->add_option("--machines", o.machines_dir, "directory of machine profiles (default: beside the scenario)")
      ->check(CLI::ExistingDirectory);
  c->add_option("--machine", o.machine_file,
                "a machine profile file (e.g. from kiosim calibrate) used instead of the scenario's `machine:`; "
                "the scenario's `set:` and --set still apply on top")
      ->type_name("PROFILE.yaml");
  c->add_flag("--json", o.json, "print JSON instead of tables");
  c->add_flag("-v,--verbose", o.verbose, "name each machine key the --machine profile leaves to its default");
  c->add_option("-j,--jobs", o.jobs, "simulations at once (default: the number of cores)")->check(CLI::Range(1, 256));
  add_transfer_options(c, o.transfer);
  c->add_flag("--check-invariants", o.check_invariants,
              "check the model's invariants after every step (sim/kernel/invariants.h); a broken one fails the run");
}

// OSTEP's habit: print every option, so the output says how to reproduce it.
void print_args(std::ostream& out, const std::string& cmd, const Common& o, const Scenario& s) {
  out << fmt::format("ARG command   {}\n", cmd);
  out << fmt::format("ARG scenario  {}\n", o.file);
  out << fmt::format("ARG machine   {}\n", s.machine_name);
  for (const auto& kv : o.sets) out << fmt::format("ARG set       {}\n", kv);
  if (!o.method.empty()) out << fmt::format("ARG method    {}\n", o.method);
  if (!o.transfer.size.empty()) out << fmt::format("ARG size      {}\n", o.transfer.size);
  if (o.transfer.cache != "scenario") out << fmt::format("ARG cache     {}\n", o.transfer.cache);
  if (!o.trace_path.empty()) out << fmt::format("ARG trace     {}\n", o.trace_path);
  if (s.crash_at_ns) out << fmt::format("ARG crash-at  {}\n", format_time_ns(*s.crash_at_ns));
  if (!o.from.empty()) out << fmt::format("ARG from      {}\n", o.from);
  if (!o.to.empty()) out << fmt::format("ARG to        {}\n", o.to);
  if (o.explain.limit) out << fmt::format("ARG limit     {}\n", o.explain.limit);
  for (const auto& l : o.explain.lanes) out << fmt::format("ARG lane      {}\n", l);
  for (const auto& k : o.explain.kinds) out << fmt::format("ARG kind      {}\n", k);
  if (o.explain.summary) out << "ARG summary   yes\n";
  if (!s.title.empty()) out << fmt::format("\n{}\n", s.title);
  if (!s.description.empty()) out << s.description << (s.description.back() == '\n' ? "" : "\n");
  out << "\n";
}

nlohmann::ordered_json options_json(const std::string& cmd, const Common& o, const Scenario& s) {
  nlohmann::ordered_json j;
  j["command"] = cmd;
  j["scenario"] = o.file;
  j["machine"] = s.machine_name;
  j["set"] = o.sets;
  if (!o.method.empty()) j["method"] = o.method;
  if (!o.transfer.size.empty()) j["size"] = o.transfer.size;
  if (o.transfer.cache != "scenario") j["cache"] = o.transfer.cache;
  if (!o.trace_path.empty()) j["trace"] = o.trace_path;
  return j;
}

std::vector<RunSpec> select_runs(const Scenario& s, const std::string& method) {
  auto runs = s.runs();
  if (method.empty()) return runs;
  for (const auto& r : runs)
    if (r.name == method) return {r};
  std::string names;
  for (const auto& r : runs) names += (names.empty() ? "" : ", ") + r.name;
  throw InputError("command line", 0, 0, "--method", fmt::format("`{}` is not a run of {} (runs: {})", method, s.path, names));
}

// The same run crashed at the same time under each journal mode (three more runs).
std::vector<nlohmann::ordered_json> crash_under_each_mode(const Scenario& s, const RunSpec& spec, unsigned jobs) {
  std::vector<RunSpec> runs;
  for (JournalMode m : {JournalMode::ordered, JournalMode::journal, JournalMode::writeback}) {
    RunSpec r = spec;
    r.machine.journal.mode = m;
    runs.push_back(r);
  }
  RunOptions ro;
  ro.jobs = jobs;
  std::vector<nlohmann::ordered_json> out;
  for (auto& r : simulate(s, runs, ro)) out.push_back(r["crash"]);
  return out;
}

// Refuses, before anything runs, a file that cannot be written, saying why.
void check_writable(const std::string& path, const char* flag) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  std::error_code ec;
  std::string why;
  if (!fs::exists(dir, ec)) why = fmt::format("the directory `{}` does not exist", dir.string());
  else if (!fs::is_directory(dir, ec)) why = fmt::format("`{}` is not a directory", dir.string());
  else if (::access(dir.c_str(), W_OK) != 0) why = fmt::format("`{}`: {}", dir.string(), std::strerror(errno));
  else if (fs::is_directory(path, ec)) why = "it is a directory";
  if (!why.empty()) throw InputError("command line", 0, 0, flag, fmt::format("cannot write `{}`: {}", path, why));
}

// explain's --from/--to, read as simulated times.
void parse_window(Common& o) {
  auto parse = [](const std::string& text, const char* flag) {
    auto v = parse_time_ns(text);
    if (!v || *v < 0)
      throw InputError("command line", 0, 0, flag,
                       fmt::format("expected a simulated time like 120us, 2.5ms or 1s, found `{}`", text));
    return *v;
  };
  if (!o.from.empty()) o.explain.from_ns = parse(o.from, "--from");
  if (!o.to.empty()) o.explain.to_ns = parse(o.to, "--to");
}

int simulate_and_report(const std::string& cmd, Common& o) {
  LoadOptions lo;
  lo.sets = o.sets;
  lo.machines_dir = o.machines_dir;
  lo.machine_file = o.machine_file;
  // The profile's warnings (a key it does not give falls back to the default).
  if (!o.machine_file.empty() && std::filesystem::is_regular_file(o.machine_file))
    (void)host::load_profile(o.machine_file, std::cerr, o.verbose);
  if (homework::is_homework_file(o.file)) {
    homework::require_problem(o.file);  // a template cannot run: say how to make a problem
    if (cmd == "run") {
      if (!o.sets.empty() || !o.machine_file.empty() || !o.transfer.size.empty() || o.transfer.cache != "scenario" ||
          !o.crash_at.empty() || o.check || !o.method.empty() || (o.answers && !o.trace_path.empty()))
        throw InputError("command line", 0, 0, "", "a homework problem runs as it was handed out: `kiosim run FILE`, "
                                                   "`kiosim run FILE -c` or `kiosim run FILE --trace T` (the GUI's way "
                                                   "in), without other options (explain and compare take them)");
      // --trace records the problem's runs as they are, as compare does: what the GUI plays.
      if (o.trace_path.empty()) return homework::run_problem(std::cout, o.file, o.answers, o.json, o.jobs);
    }
  }
  if (o.answers)
    throw InputError(o.file, 0, 0, "--answers", "-c (--answers) is for a homework problem (from `kiosim homework new`)");
  Scenario s = load_scenario(o.file, lo);
  apply_transfer_options(o.transfer, s);
  // A --set of the swept key wins: one run with that value, and the user is told.
  if (s.sweep)
    for (const auto& kv : o.sets)
      if (kv.substr(0, kv.find('=')) == s.sweep->key) {
        std::cerr << fmt::format("kiosim: note: --set {} replaces the scenario's sweep of `{}` ({} values): one run\n",
                                 kv, s.sweep->key, s.sweep->values.size());
        s.sweep.reset();
        break;
      }
  if (!o.crash_at.empty()) {
    auto at = parse_crash_time(o.crash_at);
    if (!at)
      throw InputError("command line", 0, 0, "--crash-at",
                       fmt::format("expected a simulated time like 2.5s, 800ms or 300us, found `{}`", o.crash_at));
    s.crash_at_ns = *at;
  }
  auto specs = select_runs(s, o.method);
  if (cmd == "run" && specs.size() > 1 && o.method.empty() && !o.json && !o.check) {
    // `run` of a compare scenario without --method runs them all, one block each.
  }
  if (cmd == "explain") parse_window(o);
  if (!o.trace_path.empty()) check_writable(o.trace_path, "--trace");
  RunOptions ro;
  ro.trace = !o.trace_path.empty() || cmd == "explain";
  ro.jobs = o.jobs;
  ro.check_invariants = o.check_invariants;
  std::vector<nlohmann::ordered_json> results;
  try {
    results = simulate(s, specs, ro);
  } catch (const SimulationError& e) {
    if (cmd != "explain" || o.json || !e.partial.contains("events")) throw;
    // A run that failed: the timeline up to where it stopped, then why.
    print_args(std::cout, cmd, o, s);
    std::cout << fmt::format("timeline of `{}` until it stopped:\n", e.partial.value("name", std::string()));
    print_explain(std::cout, e.partial, o.explain);
    std::cout << "\n";
    throw;
  }
  if (!o.trace_path.empty()) write_file_atomically(o.trace_path, trace_document(s, results).dump() + "\n");

  int code = 0;
  if (o.json) {
    nlohmann::ordered_json doc;
    doc["scenario"] = s.path;
    doc["title"] = s.title;
    doc["options"] = options_json(cmd, o, s);
    doc["machine"] = machine_json(s.machine, s.machine_name);
    nlohmann::ordered_json runs = nlohmann::ordered_json::array();
    for (auto& r : results) {
      nlohmann::ordered_json x;
      x["method"] = r["name"];
      x["counters"] = r["counters"];
      x["processes"] = r["processes"];
      x["threads"] = r["threads"];
      if (cmd == "explain") x["events"] = r["events"];
      if (r.contains("crash")) x["crash"] = r["crash"];
      runs.push_back(x);
    }
    doc["runs"] = runs;
    std::cout << doc.dump(2) << "\n";
    if (o.check && !check_expectations(std::cerr, s, results)) code = 1;
    return code;
  }
  print_args(std::cout, cmd, o, s);
  if (cmd == "compare") {
    print_compare_table(std::cout, results);
    print_receivers(std::cout, results);
    print_breakdown(std::cout, results);
  } else if (cmd == "explain") {
    for (const auto& r : results) check_explain_filters(r, o.explain);
    for (const auto& r : results) {
      std::cout << fmt::format("timeline of `{}`:\n", r["name"].get<std::string>());
      print_explain(std::cout, r, o.explain);
      std::cout << "\n";
    }
  } else {
    for (const auto& r : results) {
      print_run(std::cout, r);
      std::cout << "\n";
      if (r.contains("crash")) {
        print_crash(std::cout, r["crash"]);
        std::cout << "\n";
      }
    }
    if (s.crash_at_ns && specs.size() == 1) print_crash_modes(std::cout, crash_under_each_mode(s, specs[0], o.jobs));
  }
  if (o.check) {
    std::cout << "\n";
    if (!check_expectations(std::cout, s, results)) code = 1;
  }
  return code;
}

}  // namespace

Action add_run(CLI::App& app) {
  auto o = std::make_shared<Common>();
  auto* c = app.add_subcommand("run", "simulate a scenario and print its counters");
  add_common(c, *o);
  c->add_option("--method", o->method, "only this run of a compare scenario (read_write, mmap_write, sendfile, splice)");
  c->add_option("--trace", o->trace_path, "write the event trace (JSON) to this file");
  c->add_flag("--check", o->check, "compare the counters with the scenario's expect: (exit 1 on a difference)");
  c->add_option("--crash-at", o->crash_at,
                "stop the machine at this simulated time (2.5s) and report which writes survive, per journal mode")
      ->type_name("TIME");
  c->add_flag("-c,--answers", o->answers, "a homework problem: its answers, with the reasoning from the run");
  return [o] { return simulate_and_report("run", *o); };
}

Action add_compare(CLI::App& app) {
  auto o = std::make_shared<Common>();
  auto* c = app.add_subcommand("compare", "run the scenario's methods side by side: the copy table");
  add_common(c, *o);
  c->add_option("--trace", o->trace_path, "write the event traces of all methods (JSON) to this file");
  c->add_flag("--check", o->check, "compare the counters with the scenario's expect: (exit 1 on a difference)");
  return [o] { return simulate_and_report("compare", *o); };
}

Action add_explain(CLI::App& app) {
  auto o = std::make_shared<Common>();
  auto* c = app.add_subcommand("explain", "narrate a run's timeline, one event per line");
  add_common(c, *o);
  c->add_option("--method", o->method, "which method of a compare scenario (default: all)");
  c->add_option("--from", o->from, "narrate from this simulated time on (e.g. 120us)")->type_name("TIME");
  c->add_option("--to", o->to, "narrate up to this simulated time (e.g. 2.5ms)")->type_name("TIME");
  c->add_option("--limit", o->explain.limit, "print at most N lines, then say how many were left out")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  c->add_option("--lane", o->explain.lanes, "only this lane: a thread, disk, nic, irq, flusher, jbd2 ... (repeatable)")
      ->type_name("LANE");
  c->add_option("--kind", o->explain.kinds, "only this event kind: syscall_enter, cpu_copy, block ... (repeatable)")
      ->type_name("KIND");
  c->add_flag("--summary", o->explain.summary, "fold repeated lines and blocks of lines (\"... x 4,096 like the above\")");
  c->add_flag("--critical-path", o->critical_path,
              "print the chain of copies, device work and waits that set the end-to-end time, with each step's share");
  c->add_option("--request", o->request, "print one request's path through the layers (the `req` of docs/TRACE.md)")
      ->check(CLI::PositiveNumber);
  c->footer("With --critical-path or --request, FILE may also be a trace file (run --trace).");
  return [o] {
    if (!o->critical_path && !o->request) return simulate_and_report("explain", *o);
    return explain_paths({o->file, o->sets, o->machines_dir, o->machine_file, o->jobs, o->method}, o->critical_path,
                         o->request);
  };
}

}  // namespace kiosim::cli
