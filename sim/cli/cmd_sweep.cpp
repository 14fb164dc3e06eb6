// kiosim sweep: a scenario across a range of one key. Each point is a job (this
// command with --point I), one process that simulates the point's methods, each in a
// child of its own; the sweep runs up to --jobs of them at once and merges their
// parts. --emit-jobs prints the jobs instead (GNU parallel, a cluster scheduler) and
// `kiosim sweep --merge PARTS...` gathers what they wrote: the same CSV either way.
#include <fmt/format.h>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/cli/sweep_range.h"
#include "sim/export/counters_csv.h"
#include "sim/host/private_dir.h"
#include "sim/report/report.h"
#include "sim/report/sweep_table.h"
#include "sim/run/run.h"

extern char** environ;

namespace kiosim::cli {

namespace {

struct SweepOptions {
  std::string file, vary, out, svg, parts_dir = "sweep-parts";
  unsigned steps = 0, jobs = 0;
  bool log = false, emit_jobs = false;
  long point = -1;
  std::vector<std::string> methods, sets, merge;
  std::string machines_dir, machine_file;
};

LoadOptions load_options(const SweepOptions& o) {
  LoadOptions lo;
  lo.sets = o.sets;
  lo.machines_dir = o.machines_dir;
  lo.machine_file = o.machine_file;
  return lo;
}

std::vector<RunSpec> selected_runs(const Scenario& s, const std::vector<std::string>& methods) {
  std::vector<RunSpec> runs = s.runs();
  if (methods.empty()) return runs;
  std::vector<RunSpec> kept;
  for (const auto& m : methods) {
    auto it = std::find_if(runs.begin(), runs.end(), [&](const RunSpec& r) { return r.name == m; });
    if (it == runs.end()) {
      std::string names;
      for (const auto& r : runs) names += (names.empty() ? "" : ", ") + r.name;
      throw InputError("command line", 0, 0, "--methods", fmt::format("`{}` is not a run of {} (runs: {})", m, s.path, names));
    }
    kept.push_back(*it);
  }
  return kept;
}

// The arguments that make a job compute what this sweep computes.
std::vector<std::string> job_args(const SweepOptions& o, std::size_t point, const std::string& part) {
  std::vector<std::string> a = {"sweep", o.file, "--vary", o.vary, "--steps", std::to_string(o.steps)};
  if (o.log) a.push_back("--log");
  if (!o.methods.empty()) {
    a.push_back("--methods");
    for (const auto& m : o.methods) a.push_back(m);
  }
  for (const auto& s : o.sets) a.insert(a.end(), {"--set", s});
  if (!o.machines_dir.empty()) a.insert(a.end(), {"--machines", o.machines_dir});
  if (!o.machine_file.empty()) a.insert(a.end(), {"--machine", o.machine_file});
  a.insert(a.end(), {"--point", std::to_string(point), "-o", part});
  return a;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string part_name(const std::string& dir, std::size_t point) { return fmt::format("{}/point-{:04}.csv", dir, point); }

// One point: its methods, each in a child process, as CSV rows with the point and value.
int run_point(const SweepOptions& o, const SweepRange& range) {
  if (o.point < 0 || std::size_t(o.point) >= range.points.size())
    throw InputError("command line", 0, 0, "--point",
                     fmt::format("expected 0 to {} (the sweep has {} points)", range.points.size() - 1, range.points.size()));
  Scenario s = scenario_at(o.file, load_options(o), range, std::size_t(o.point));
  std::vector<RunSpec> specs = selected_runs(s, o.methods);
  RunOptions ro;
  ro.jobs = 1;  // the sweep runs points side by side; a point runs its methods one by one
  std::vector<exports::TraceRun> runs;
  std::vector<exports::CsvColumn> extra = {{"point", {}}, {range.key, {}}};
  for (const auto& r : simulate(s, specs, ro)) {
    exports::TraceRun t = exports::read_run(r);
    t.name = t.name.substr(0, t.name.find('['));
    runs.push_back(std::move(t));
    extra[0].values.push_back(std::to_string(o.point));
    extra[1].values.push_back(fmt::format("{}", range.points[std::size_t(o.point)].value));
  }
  std::string csv = exports::counters_csv(runs, extra);
  if (o.out.empty() || o.out == "-") std::cout << csv;
  else write_file_atomically(o.out, csv);
  return 0;
}

pid_t spawn_job(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"kiosim"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ);
  if (rc != 0) throw std::runtime_error(fmt::format("cannot start a sweep job: {}", std::strerror(rc)));
  return pid;
}

void write_outputs(const SweepOptions& o, const CsvTable& table, const std::string& title) {
  std::string csv = to_csv(table);
  if (o.out.empty() || o.out == "-") std::cout << csv;
  else write_file_atomically(o.out, csv);
  std::string svg = o.svg;
  if (svg.empty() && !o.out.empty() && o.out != "-") {
    svg = o.out;
    if (svg.size() > 4 && svg.substr(svg.size() - 4) == ".csv") svg.resize(svg.size() - 4);
    svg += ".svg";
  }
  if (!svg.empty()) write_file_atomically(svg, sweep_svg(table, title));
}

// Runs every point as a job, up to `jobs` at once, with a progress line on stderr.
int run_sweep(const SweepOptions& o, const Scenario& base, const SweepRange& range) {
  const std::size_t n = range.points.size();
  const std::size_t runs_per_point = selected_runs(base, o.methods).size();
  const unsigned jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  host::PrivateDir dir;
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0, done = 0;
  const bool tty = ::isatty(STDERR_FILENO);
  auto progress = [&] {
    std::cerr << fmt::format("{}sweep {}: {}/{} points, {}/{} runs", tty ? "\r" : "", range.key, done, n,
                             done * runs_per_point, n * runs_per_point)
              << (tty ? "" : "\n") << std::flush;
  };
  progress();
  std::string failure;
  while (done < n) {
    while (failure.empty() && next < n && running.size() < jobs) {
      running[spawn_job(job_args(o, next, dir.file(fmt::format("point-{:04}.csv", next))))] = next;
      ++next;
    }
    if (running.empty()) break;
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("waiting for the sweep's jobs: {}", std::strerror(errno)));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      failure = fmt::format("point {} ({}={}) failed{}", it->second, range.key, range.points[it->second].text,
                            WIFEXITED(status) ? fmt::format(" (exit {})", WEXITSTATUS(status)) : " (killed)");
    running.erase(it);
    ++done;
    progress();
  }
  if (tty) std::cerr << "\n";
  if (!failure.empty()) throw std::runtime_error(failure);
  std::vector<std::pair<std::string, std::string>> parts;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string path = dir.file(fmt::format("point-{:04}.csv", i));
    std::ifstream f(path, std::ios::binary);
    parts.emplace_back(path, std::string(std::istreambuf_iterator<char>(f), {}));
  }
  write_outputs(o, merge_sweep_parts(parts), base.title.empty() ? o.file : base.title);
  return 0;
}

int merge(const SweepOptions& o) {
  std::vector<std::pair<std::string, std::string>> parts;
  for (const auto& p : o.merge) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw InputError(p, 0, 0, "", "cannot read this part");
    parts.emplace_back(p, std::string(std::istreambuf_iterator<char>(f), {}));
  }
  CsvTable t = merge_sweep_parts(parts);
  write_outputs(o, t, fmt::format("sweep of {}", t.header[2]));
  return 0;
}

int sweep(const SweepOptions& o) {
  if (!o.merge.empty()) {
    if (!o.file.empty() || !o.vary.empty())
      throw InputError("command line", 0, 0, "--merge", "--merge takes the parts only, not a scenario or --vary");
    return merge(o);
  }
  if (o.file.empty()) throw InputError("command line", 0, 0, "FILE", "a sweep needs a scenario file (or --merge PARTS)");
  if (o.vary.empty()) throw InputError("command line", 0, 0, "--vary", "a sweep needs --vary KEY=LO..HI");
  Scenario base = load_scenario(o.file, load_options(o));
  if (base.sweep) throw InputError(o.file, 0, 0, "sweep", "the scenario sweeps a key itself: run it with `kiosim run`");
  SweepRange range = parse_sweep_range(o.vary, o.steps, o.log, base);
  (void)selected_runs(base, o.methods);
  for (std::size_t i = 0; i < range.points.size(); ++i) (void)scenario_at(o.file, load_options(o), range, i);
  if (o.point >= 0) return run_point(o, range);
  if (o.emit_jobs) {
    for (std::size_t i = 0; i < range.points.size(); ++i) {
      std::string line = "kiosim";
      for (const auto& a : job_args(o, i, part_name(o.parts_dir, i))) line += " " + shell_quote(a);
      std::cout << line << "\n";
    }
    std::cerr << fmt::format("{} jobs; then: kiosim sweep --merge {}/point-*.csv -o sweep.csv (and sweep.svg)\n",
                             range.points.size(), shell_quote(o.parts_dir));
    return 0;
  }
  return run_sweep(o, base, range);
}

}  // namespace

Action add_sweep(CLI::App& app) {
  auto o = std::make_shared<SweepOptions>();
  auto* c = app.add_subcommand("sweep", "run a scenario across a range of one key: CSV and an SVG plot");
  c->add_option("FILE", o->file, "scenario file (YAML)")->check(CLI::ExistingFile);
  c->add_option("--vary", o->vary,
                "the key and its range: a machine key (kiosim keys), file.size, transfer.chunk/offset/bytes or params.NAME")
      ->type_name("KEY=LO..HI");
  c->add_option("--steps", o->steps, "how many values from LO to HI (both included)")->type_name("N");
  c->add_flag("--log", o->log, "space the values evenly on a log scale (4KiB..1GiB) instead of linearly");
  c->add_option("--methods", o->methods, "only these runs of a compare scenario (default: all)")->expected(1, 16);
  c->add_option("-j,--jobs", o->jobs, "jobs at once (default: the number of cores)")->check(CLI::Range(1, 256));
  c->add_option("-o,--output", o->out, "the CSV (default: standard output); the plot goes beside it as .svg")
      ->type_name("FILE.csv");
  c->add_option("--svg", o->svg, "write the plot here (time, CPU copies and mode switches against the key)")
      ->type_name("FILE.svg");
  c->add_flag("--emit-jobs", o->emit_jobs, "print the jobs, one command per line, instead of running them");
  c->add_option("--parts", o->parts_dir, "where --emit-jobs's jobs write their parts (default: sweep-parts)")
      ->type_name("DIR");
  c->add_option("--point", o->point, "run only this point (what one emitted job does)")->type_name("I");
  c->add_option("--merge", o->merge, "merge the parts the emitted jobs wrote into the sweep's CSV (and plot)")
      ->type_name("PART.csv")
      ->expected(1, 1 << 20)
      ->check(CLI::ExistingFile);
  c->add_option("--set", o->sets, "override a machine key (repeatable)")->type_name("KEY=VALUE");
  c->add_option("--machines", o->machines_dir, "directory of machine profiles")->check(CLI::ExistingDirectory);
  c->add_option("--machine", o->machine_file, "a machine profile file")->type_name("PROFILE.yaml");
  c->footer("Examples:\n"
            "  kiosim sweep scenarios/copy-table.yaml --vary file.size=4KiB..1GiB --steps 12 --log -o sweep.csv\n"
            "  kiosim sweep scenarios/copy-table.yaml --vary nic.max_frags=1..17 --steps 5 --methods sendfile splice\n"
            "  kiosim sweep scenarios/copy-table.yaml --vary file.size=4KiB..1GiB --steps 12 --log --emit-jobs | parallel\n"
            "  kiosim sweep --merge sweep-parts/point-*.csv -o sweep.csv");
  return [o] { return sweep(*o); };
}

}  // namespace kiosim::cli
