#include "sim/host/measure.h"

#include <signal.h>

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "sim/host/kernel_trace_session.h"
#include "sim/host/private_dir.h"
#include "sim/host/runnable.h"
#include "sim/scenario/units.h"

namespace kiosim::host {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

namespace {

nlohmann::ordered_json stat(const std::vector<Sample>& ss, const std::function<double(const Sample&)>& f) {
  std::vector<double> v;
  for (const auto& s : ss) v.push_back(f(s));
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {{"median", median(v)}, {"min", v.empty() ? 0 : *lo}, {"max", v.empty() ? 0 : *hi}};
}

}  // namespace

nlohmann::ordered_json MethodMeasurement::summary() const {
  nlohmann::ordered_json j;
  j["method"] = method;
  j["repeats"] = samples.size();
  if (samples.empty()) return j;
  const Sample& first = samples.front();
  bool same_calls = std::all_of(samples.begin(), samples.end(), [&](const Sample& s) { return s.syscalls == first.syscalls; });
  // Figures with the simulator's counter names (the sender's process), then the rest.
  nlohmann::ordered_json c;
  c["wall_time_ns"] = stat(samples, [](const Sample& s) { return s.wall_ns; });
  c["cpu_time_ns"] = stat(samples, [](const Sample& s) { return s.sender.cpu_ns(); });
  c["cpu_user_ns"] = stat(samples, [](const Sample& s) { return s.sender.user_ns; });
  c["cpu_sys_ns"] = stat(samples, [](const Sample& s) { return s.sender.sys_ns; });
  c["syscalls"] = first.syscalls_total;
  c["syscalls_by_name"] = first.syscalls;
  c["syscalls_same_in_every_repeat"] = same_calls;
  c["short_calls"] = first.short_calls;
  c["page_faults_minor"] = stat(samples, [](const Sample& s) { return double(s.sender.minflt); });
  c["page_faults_major"] = stat(samples, [](const Sample& s) { return double(s.sender.majflt); });
  c["context_switches_voluntary"] = stat(samples, [](const Sample& s) { return double(s.sender.nvcsw); });
  c["context_switches_involuntary"] = stat(samples, [](const Sample& s) { return double(s.sender.nivcsw); });
  c["context_switches"] = stat(samples, [](const Sample& s) { return double(s.sender.nvcsw + s.sender.nivcsw); });
  if (first.connections) {  // many connections (rx_ops.cpp)
    c["epoll_wakeups"] = stat(samples, [](const Sample& s) { return double(s.rx.epoll_wakeups); });
    c["recv_eagain"] = stat(samples, [](const Sample& s) { return double(s.rx.recv_eagain); });
    c["recv_bytes"] = stat(samples, [](const Sample& s) { return double(s.rx.recv_bytes); });
    c["clients_bytes"] = first.clients_bytes;
  }
  if (first.ring.uring_sqes || first.ring.memlock_refusals) {  // io_uring's ring (uring_ops.cpp)
    c["uring_sqes"] = stat(samples, [](const Sample& s) { return double(s.ring.uring_sqes); });
    c["uring_cqes"] = stat(samples, [](const Sample& s) { return double(s.ring.uring_cqes); });
    c["uring_failed"] = stat(samples, [](const Sample& s) { return double(s.ring.uring_failed); });
    c["sqpoll_wakeups"] = stat(samples, [](const Sample& s) { return double(s.ring.sqpoll_wakeups); });
    c["memlock_refusals"] = stat(samples, [](const Sample& s) { return double(s.ring.memlock_refusals); });
  }
  j["counters"] = c;
  nlohmann::ordered_json r;
  r["cpu_time_ns"] = stat(samples, [](const Sample& s) { return s.receiver.cpu_ns(); });
  r["cpu_user_ns"] = stat(samples, [](const Sample& s) { return s.receiver.user_ns; });
  r["cpu_sys_ns"] = stat(samples, [](const Sample& s) { return s.receiver.sys_ns; });
  r["syscalls_by_name"] = first.receiver_syscalls;
  r["page_faults_minor"] = stat(samples, [](const Sample& s) { return double(s.receiver.minflt); });
  r["context_switches_voluntary"] = stat(samples, [](const Sample& s) { return double(s.receiver.nvcsw); });
  r["context_switches_involuntary"] = stat(samples, [](const Sample& s) { return double(s.receiver.nivcsw); });
  r["bytes_received"] = first.bytes_received;
  j["receiver"] = r;
  nlohmann::ordered_json io;
  if (first.io.ok) {
    io["rchar"] = first.io.rchar;
    io["wchar"] = first.io.wchar;
    io["syscr"] = first.io.syscr;
    io["syscw"] = first.io.syscw;
    io["read_bytes"] = first.io.read_bytes;
    io["write_bytes"] = first.io.write_bytes;
    io["note"] = "/proc/self/io of the sender over the timed region; it counts read/write/sendfile, not splice, "
                 "and includes the one read() of /proc/self/io itself";
  } else {
    io["note"] = "/proc/self/io is not available on this kernel";
  }
  j["proc_self_io"] = io;
  nlohmann::ordered_json perf;
  for (const auto& [k, _] : first.perf) perf[k] = stat(samples, [k = k](const Sample& s) { return double(s.perf.at(k)); });
  j["perf_user_mode"] = perf;
  j["preparation_ns"] = stat(samples, [](const Sample& s) { return s.prep_ns; });
  j["resident_pages_before"] = stat(samples, [](const Sample& s) { return double(s.resident_pages_before); });
  j["file_pages"] = first.file_pages;
  if (kernel) j["kernel_events"] = kernel_events_json(*kernel);
  return j;
}

nlohmann::ordered_json Measurement::to_json() const {
  nlohmann::ordered_json j;
  j["host"] = facts.to_json();
  j["create_files_ns"] = create_ns;
  j["perf"] = perf_note.empty() ? "software counters, user mode only (exclude_kernel=1)" : perf_note;
  nlohmann::ordered_json ms = nlohmann::ordered_json::array();
  for (const auto& m : methods) ms.push_back(m.summary());
  j["methods"] = ms;
  return j;
}

void check_fits(const Scenario& s, const std::string& dir, std::uint64_t free_bytes) {
  std::uint64_t need = Runner::bytes_needed(s);
  const std::uint64_t margin = 64ULL << 20;
  if (need + margin > free_bytes)
    throw Refused(fmt::format("the scenario's files need {} but {} has {} free (with a {} margin); use a smaller "
                              "size or set TMPDIR to a directory with room",
                              format_size(double(need)), dir, format_size(double(free_bytes)),
                              format_size(double(margin))));
  std::uint64_t avail = mem_available_bytes();
  std::uint64_t buffers = Runner::buffer_bytes_needed(s);
  if (avail && need + buffers > avail / 10 * 8)
    throw Refused(fmt::format("the scenario's files need {} in the page cache and its user buffers {} (bytes x "
                              "depth), but only {} of memory is available; refusing (the measurement would "
                              "measure the disk and swapping)",
                              format_size(double(need)), format_size(double(buffers)), format_size(double(avail))));
}


Measurement measure(const Scenario& s, const MeasureOptions& o, const Progress& progress) {
  std::vector<RunSpec> runs;
  for (const auto& r : s.runs())
    if (o.methods.empty() || std::find(o.methods.begin(), o.methods.end(), r.name) != o.methods.end())
      runs.push_back(r);
  return measure_runs(s, runs, o, progress);
}

Measurement measure_runs(const Scenario& s, const std::vector<RunSpec>& chosen, const MeasureOptions& o,
                         const Progress& progress) {
  auto say = [&](const std::string& m) {
    if (progress) progress(m);
  };
  std::vector<RunSpec> runs;
  const TempDirAbilities abilities = probe_temp_dir(temp_base());
  for (const auto& r : chosen) {
    if (r.processes.size() != 1)
      throw Refused(fmt::format("run `{}` has {} processes; real mode measures transfer scenarios (compare: "
                                "transfer:) or one process at a time",
                                r.name, r.processes.size()));
    // What real mode does not run, said before anything runs (runnable.h, as check skips it).
    if (auto why = why_not_measurable(r, abilities, s.clients)) throw Refused(*why + "; `kiosim run` simulates it");
    runs.push_back(r);
  }
  if (runs.empty()) throw Refused("no run of the scenario matches --method");
  ::signal(SIGPIPE, SIG_IGN);  // a receiver that dies is an error to report (EPIPE), not our death
  if (o.repeat < 1) throw Refused("--repeat must be at least 1");

  PrivateDir dir;
  check_fits(s, dir.path(), dir.free_bytes());
  Measurement m;
  m.facts = host_facts(temp_base());
  KernelTraceSession kernel;  // before the runner: its hook is in the runner's options
  RunnerOptions ro = o.runner;
  ro.around_body = kernel.hook();
  Runner runner(s, dir, ro);
  if (!runner.perf().available()) m.perf_note = runner.perf().why_not();
  say(fmt::format("creating {} in {}", format_size(double(Runner::bytes_needed(s))), dir.path()));
  m.create_ns = runner.create_files();
  if (o.kernel_trace) {
    kernel.open(s, dir);
    say(kernel.active() ? fmt::format("kernel trace in {}", kernel.to_json()["instance"].get<std::string>())
                        : kernel.note());
  }
  // Every method is warmed up, then the repeats go round the methods in turn, so a
  // slow spell of the host (a neighbour's load) falls on all of them alike.
  for (const RunSpec& r : runs) {
    MethodMeasurement mm;
    mm.method = r.name;
    say(fmt::format("{}: warm-up", r.name));
    runner.run_once(r);  // untimed: page tables, buffers, code and the socket path warm
    m.methods.push_back(std::move(mm));
  }
  for (unsigned i = 0; i < o.repeat; ++i) {
    say(fmt::format("repeat {}/{}: {}", i + 1, o.repeat, runs.size() == 1 ? runs[0].name : std::string("every method")));
    for (std::size_t k = 0; k < runs.size(); ++k) {
      if (i == 0) kernel.arm();
      m.methods[k].samples.push_back(runner.run_once(runs[k]));
      if (i == 0) m.methods[k].kernel = kernel.take();
    }
  }
  if (o.kernel_trace) m.kernel_trace = kernel.to_json();
  kernel.close();
  dir.remove();
  return m;
}

void print_measurement(std::ostream& out, const Measurement& m) {
  out << m.facts.header();
  out << fmt::format("HOST perf        {}\n\n", m.perf_note.empty() ? "software counters, user mode only" : m.perf_note);
  out << fmt::format("{:<11} {:>11} {:>9} {:>11} {:>11} {:>9} {:>8} {:>8} {:>8} {:>8} {:>10}\n", "method", "wall",
                     "spread", "cpu sender", "cpu recv", "syscalls", "minflt", "majflt", "nvcsw", "nivcsw", "prep");
  for (const auto& mm : m.methods) {
    auto j = mm.summary();
    const auto& c = j["counters"];
    auto med = [](const nlohmann::ordered_json& x) { return x["median"].get<double>(); };
    double w = med(c["wall_time_ns"]);
    double spread = w > 0 ? (c["wall_time_ns"]["max"].get<double>() - c["wall_time_ns"]["min"].get<double>()) / w : 0;
    out << fmt::format("{:<11} {:>11} {:>8.0f}% {:>11} {:>11} {:>9} {:>8.0f} {:>8.0f} {:>8.0f} {:>8.0f} {:>10}\n",
                       mm.method, format_time_ns(w), spread * 100, format_time_ns(med(c["cpu_time_ns"])),
                       format_time_ns(med(j["receiver"]["cpu_time_ns"])), c["syscalls"].get<std::uint64_t>(),
                       med(c["page_faults_minor"]), med(c["page_faults_major"]), med(c["context_switches_voluntary"]),
                       med(c["context_switches_involuntary"]), format_time_ns(med(j["preparation_ns"])));
  }
  out << "\nwall: median of the repeats, from the first op to the receiver's last byte; spread: (max - min) / median.\n"
         "cpu: user + system time (getrusage) of the sender and of the receiver process, apart.\n"
         "syscalls: counted by kiosim's own wrappers around each call of the program's body.\n";
  for (const auto& mm : m.methods) {
    auto j = mm.summary();
    std::string names;
    for (auto& [k, v] : j["counters"]["syscalls_by_name"].items()) names += fmt::format(" {}={}", k, v.get<std::uint64_t>());
    out << fmt::format("  {:<11} syscalls:{}{}\n", mm.method, names,
                       j["counters"]["short_calls"].get<std::uint64_t>()
                           ? fmt::format(" ({} short calls repeated)", j["counters"]["short_calls"].get<std::uint64_t>())
                           : "");
  }
}

}  // namespace kiosim::host

namespace kiosim::host {
Scenario with_transfer_size(Scenario s, std::uint64_t bytes) {
  if (!s.transfer) throw Refused("--size needs a transfer scenario (compare: transfer:)");
  for (auto& f : s.files)
    if (f.name == s.transfer->file) f.size = bytes;
  if (s.transfer->offset >= bytes) throw Refused("--size is smaller than the transfer's offset");
  s.transfer->bytes = 0;
  return s;
}
}  // namespace kiosim::host
