// kiosim check for a program scenario (no transfer): each run the host can run, each
// process measured alone (real mode runs one process at a time), its cells beside the
// process's counters in the whole simulated run.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "sim/cli/check_shared.h"
#include "sim/host/async_cells.h"
#include "sim/host/cache_cells.h"
#include "sim/host/fork_cells.h"
#include "sim/host/host_load.h"
#include "sim/host/kernel_compare.h"
#include "sim/host/measure.h"
#include "sim/host/runnable.h"
#include "sim/host/sync_latency.h"
#include "sim/host/system_cells.h"
#include "sim/host/what_if.h"
#include "sim/run/run.h"
#include "sim/scenario/units.h"

namespace kiosim::cli::check {

namespace {

// One measured process of a program scenario beside its counters in the simulated run.
struct ProcessRow {
  std::string name;
  std::vector<host::Cell> cells;
  host::CacheCells cache;    // its cells are in `cells` too
  host::SystemCells system;  // and these
  nlohmann::ordered_json json() const {
    return {{"process", name}, {"cells", cells_json(cells)}, {"cache_host", cache.host}, {"cache_skipped", cache.skipped},
            {"system_host", system.host}, {"system_skipped", system.skipped}};
  }
  const host::Cell* cell(const std::string& figure) const {
    for (const auto& c : cells)
      if (c.figure == figure) return &c;
    return nullptr;
  }
};

std::vector<double> repeats_of(const host::MethodMeasurement& m, const std::function<double(const host::Sample&)>& f) {
  std::vector<double> v;
  for (const auto& s : m.samples) v.push_back(f(s));
  return v;
}

ProcessRow process_row(const std::string& name, const nlohmann::ordered_json& counters, bool whole_run,
                       const nlohmann::ordered_json& run, const host::MethodMeasurement& m, const Program& prog) {
  const bool direct = host::opens_direct(prog);  // setup too
  using host::Family;
  auto pred = [&](const char* k) { return counters.contains(k) ? counters[k].get<double>() : 0.0; };
  ProcessRow r;
  r.name = name;
  // The run's simulated time is the process's own only when it runs alone.
  if (whole_run)
    r.cells.push_back(host::cell_of("wall_time_ns", Family::time, run["counters"]["sim_time_ns"].get<double>(),
                                    repeats_of(m, [](const host::Sample& s) { return s.wall_ns; })));
  r.cells.push_back(host::cell_of("cpu_time_ns", Family::time, pred("cpu_time_ns"),
                                  repeats_of(m, [](const host::Sample& s) { return s.sender.cpu_ns(); })));
  r.cells.push_back(host::cell_of("syscalls", Family::syscalls, pred("syscalls"),
                                  repeats_of(m, [](const host::Sample& s) { return double(s.syscalls_total); })));
  r.cells.push_back(host::cell_of("page_faults_minor", Family::faults, pred("page_faults_minor"),
                                  repeats_of(m, [](const host::Sample& s) { return double(s.sender.minflt); })));
  r.cells.push_back(host::cell_of("page_faults_major", Family::faults, pred("page_faults_major"),
                                  repeats_of(m, [](const host::Sample& s) { return double(s.sender.majflt); })));
  r.cells.push_back(host::cell_of(
      "context_switches", Family::switches, pred("context_switches"),
      repeats_of(m, [](const host::Sample& s) { return double(s.sender.nvcsw + s.sender.nivcsw); })));
  // Bytes read from the disk: the pages the simulated process missed or read ahead
  // (page_cache_misses + readahead_pages) against /proc/self/io read_bytes, which
  // submit_bio counts for every read bio of the task (buffered and O_DIRECT alike).
  // An O_DIRECT read is no miss of the cache: those programs have only the request cell.
  if (!m.samples.empty() && m.samples.front().io.ok && !direct)
    r.cells.push_back(host::cell_of("disk_read_bytes", Family::io,
                                    (pred("page_cache_misses") + pred("readahead_pages")) * 4096,
                                    repeats_of(m, [](const host::Sample& s) { return double(s.io.read_bytes); })));
  // Requests to the device, reads and writes (an fsync's writes are the process's own):
  // disk_requests against /proc/diskstats of the temp dir's device.
  if (!m.samples.empty() && m.samples.front().disk_reads >= 0)
    r.cells.push_back(host::cell_of("disk_requests", Family::io, pred("disk_requests"),
                                    repeats_of(m, [](const host::Sample& s) { return double(s.disk_reads + s.disk_writes); })));
  r.cache = host::cache_cells(counters, m.samples);
  r.cells.insert(r.cells.end(), r.cache.cells.begin(), r.cache.cells.end());
  r.system = host::system_cells(counters, m.samples);  // dirty pages, syncs, the journal, TLB shootdowns
  r.cells.insert(r.cells.end(), r.system.cells.begin(), r.system.cells.end());
  const auto async = host::async_cells(prog, counters, m.samples);  // epoll, io_uring
  r.cells.insert(r.cells.end(), async.begin(), async.end());
  return r;
}

void print_process_table(std::ostream& out, const std::vector<ProcessRow>& rows) {
  out << fmt::format("{:<28} | {:>9} {:>9} {:>5} | {:>9} {:>9} {:>5} | {:>6} {:>6} | {:>6} {:>6} | {:>5} {:>5} | "
                     "{:>5} {:>5} | {:>7} {:>7} | {:>7} {:>7} | {}\n",
                     "process", "wall pred", "meas", "ratio", "cpu pred", "meas", "ratio", "sys p", "m", "flt p", "m",
                     "maj p", "m", "cs p", "m", "rd p", "m", "req p", "m", "inconclusive");
  for (const auto& r : rows) {
    auto time3 = [&](const char* f) {
      const host::Cell* c = r.cell(f);
      return c ? fmt::format("{:>9} {:>9} {:>5.2f}", format_time_ns(c->predicted), format_time_ns(c->measured),
                             c->ratio())
               : fmt::format("{:>9} {:>9} {:>5}", "-", "-", "-");
    };
    auto count2 = [&](const char* f) {
      const host::Cell* c = r.cell(f);
      return fmt::format("{:>6.0f} {:>6.0f}", c->predicted, c->measured);
    };
    auto count2s = [&](const char* f) {
      const host::Cell* c = r.cell(f);
      return fmt::format("{:>5.0f} {:>5.0f}", c->predicted, c->measured);
    };
    std::string inc;
    for (const auto& c : r.cells)
      if (c.inconclusive()) inc += (inc.empty() ? "" : ",") + c.figure;
    auto io2 = [&](const char* f, bool bytes) {
      const host::Cell* c = r.cell(f);
      if (!c) return fmt::format("{:>7} {:>7}", "-", "-");
      return bytes ? fmt::format("{:>7} {:>7}", format_size(c->predicted), format_size(c->measured))
                   : fmt::format("{:>7.0f} {:>7.0f}", c->predicted, c->measured);
    };
    out << fmt::format("{:<28} | {} | {} | {} | {} | {} | {} | {} | {} | {}\n", r.name, time3("wall_time_ns"),
                       time3("cpu_time_ns"), count2("syscalls"), count2("page_faults_minor"),
                       count2s("page_faults_major"), count2s("context_switches"), io2("disk_read_bytes", true),
                       io2("disk_requests", false), inc);
  }
  for (const auto& r : rows)
    out << host::cache_cells_line(r.name, r.cache) << host::system_cells_lines(r.name, r.system)
        << host::async_cells_line(r.name, r.cells);
  out << "rd: bytes read from the disk (predicted misses + readahead pages; measured /proc/self/io read_bytes); "
         "req: disk requests, reads and writes (measured: /proc/diskstats of the temp dir's device, anyone's I/O included).\n";
  out << "Each process is measured alone (real mode runs one process at a time) and compared with its counters in "
         "the whole simulated run; wall time only where the run has that one process.\n";
}

}  // namespace

ScenarioCheck check_processes(const CheckArgs& a, Scenario& base, const std::string& machine_name) {
  ScenarioCheck out;
  apply_cache(base, a.cache);
  const host::TempDirAbilities abilities = host::probe_temp_dir(host::temp_base());
  std::vector<RunSpec> runs;
  std::vector<std::string> refused;
  const host::HostFacts facts = host::host_facts(host::temp_base());
  for (const auto& r : base.runs()) {
    if (!a.methods.empty() && std::find(a.methods.begin(), a.methods.end(), r.name) == a.methods.end()) continue;
    if (auto why = host::why_not_measurable(r, abilities, base.clients)) refused.push_back(*why);
    else if (auto what_if = host::why_what_if(base, r, facts)) out.what_ifs.push_back(*what_if);  // what_if.h
    else runs.push_back(r);
  }
  if (runs.empty()) {
    out.skipped = !refused.empty()       ? refused.front()
                  : !out.what_ifs.empty() ? out.what_ifs.front()
                                          : "no run of the scenario matches --method";
    return out;
  }
  if (!a.quiet) std::cerr << fmt::format("kiosim check: {}: simulating\n", base.path);
  RunOptions sim_options;
  sim_options.trace = a.kernel_trace;  // the events the kernel's are set beside
  auto predicted = simulate(base, runs, sim_options);
  std::vector<RunSpec> measured;
  struct Origin {
    std::size_t run;
    std::string process;
    bool whole_run;
  };
  std::vector<Origin> origin;
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (auto& p : host::per_process(runs[i])) {
      origin.push_back({i, p.processes[0].name, runs[i].processes.size() == 1});
      measured.push_back(std::move(p));
    }
  host::MeasureOptions mo;
  mo.repeat = a.repeat;
  mo.kernel_trace = a.kernel_trace;
  mo.runner.cache = host::CacheState::scenario;  // apply_cache has set each file's `cached:`
  mo.runner.receiver = a.receiver == "tcp" ? host::ReceiverKind::tcp : host::ReceiverKind::socketpair;
  mo.runner.recv_buffer = base.machine.recv_buffer_bytes;
  host::LoadWatch load{unsigned(::sysconf(_SC_NPROCESSORS_ONLN))};
  load.sample("before");
  auto progress = [&](const std::string& m) {
    load.sample(m);
    if (!a.quiet) std::cerr << fmt::format("kiosim check: {}: {}\n", base.path, m);
  };
  host::Measurement m = host::measure_runs(base, measured, mo, progress);
  std::vector<ProcessRow> rows;
  for (std::size_t k = 0; k < measured.size(); ++k) {
    const auto& run = predicted[origin[k].run];
    const auto* pc = process_named(run, origin[k].process);
    const Program& prog = measured[k].processes[0].program;
    rows.push_back(process_row(measured[k].name, pc ? *pc : run["counters"], origin[k].whole_run, run, m.methods[k],
                               prog));
    out.cells.insert(out.cells.end(), rows.back().cells.begin(), rows.back().cells.end());
    for (const auto& child : host::forked_child_names(m.methods[k].samples)) {  // fork_cells.h
      auto cells = host::child_cells(run, m.methods[k].samples, child);
      const auto async = host::async_child_cells(prog, run, m.methods[k].samples, child);
      cells.insert(cells.end(), async.begin(), async.end());
      rows.push_back({child, cells, {}, {}});
      out.cells.insert(out.cells.end(), rows.back().cells.begin(), rows.back().cells.end());
    }
  }
  nlohmann::ordered_json doc;
  doc["scenario"] = base.path;
  doc["options"] = {{"command", "check"}, {"machine", machine_name}, {"repeat", a.repeat}, {"cache", a.cache},
                    {"receiver", a.receiver}, {"methods", a.methods}, {"set", a.sets}};
  doc["host"] = m.facts.to_json();
  doc["warnings"] = load.warning();
  doc["host_load"] = load.to_json();
  doc["refused_runs"] = refused;
  doc["what_if_runs"] = out.what_ifs;  // skipped: the sweep sets a host key to what this host is not
  nlohmann::ordered_json jr = nlohmann::ordered_json::array();
  for (const auto& r : rows) jr.push_back(r.json());
  doc["processes"] = jr;
  // A scenario that syncs: one sync's latency on this file system, measured apart (sync_latency.h).
  std::string sync_line;
  if (std::any_of(rows.begin(), rows.end(), [](const ProcessRow& r) { return r.cell("fsync_wait_ns") != nullptr; })) {
    host::SyncLatency sl = host::measure_sync_latency(std::clamp(a.repeat * 2, 3u, 64u));
    doc["sync_latency"] = sl.to_json();
    sync_line = sl.line();
  }
  std::ostringstream kernel_table;
  if (a.kernel_trace) {
    std::vector<host::Predicted> beside;
    for (std::size_t k = 0; k < measured.size(); ++k) {
      const auto& run = predicted[origin[k].run];
      beside.push_back({&run, origin[k].process, process_named(run, origin[k].process)});
    }
    doc["kernel_trace"] = host::kernel_trace_report(m, beside, kernel_table);
  }
  out.doc = doc;
  std::ostringstream t;
  for (const auto& line : load.warning()) t << line << "\n";
  t << fmt::format("ARG command   check\nARG scenario  {}\nARG machine   {}\nARG repeat    {}\nARG cache     {}\n\n",
                   base.path, machine_name, a.repeat, a.cache);
  for (const auto& why : refused) t << "SKIP " << why << "\n";
  for (const auto& why : out.what_ifs) t << "SKIP " << why << "\n";
  print_process_table(t, rows);
  t << sync_line;
  t << kernel_table.str();
  out.table = t.str();
  return out;
}
}  // namespace kiosim::cli::check
