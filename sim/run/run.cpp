#include "sim/run/run.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "sim/run/crash.h"
#include "sim/engine/engine.h"
#include "sim/run/interpreter.h"
#include "sim/kernel/invariants.h"
#include "sim/kernel/kernel.h"

namespace kiosim {

namespace {

void require(const std::string& problem) {
  if (!problem.empty()) throw std::logic_error("kiosim: a model invariant is broken: " + problem);
}

}  // namespace

nlohmann::ordered_json simulate_here(const Scenario& s, const RunSpec& run, bool with_trace, bool check_invariants) {
  Engine engine(run.machine);
  Trace trace(with_trace);
  std::vector<FileSpec> files = s.files;
  Kernel kernel(run.machine, files, engine, trace);
  kernel.set_seed(s.seed);
  kernel.set_clients(s.clients, s.seed);
  kernel.start_devices();
  for (const ProcessSpec& ps : run.processes) {
    Process& p = kernel.new_process(ps.name);
    for (unsigned i = 0; i < ps.threads; ++i) {
      std::string name = ps.threads > 1 ? fmt::format("{}/{}", ps.name, i) : ps.name;
      Thread& t = kernel.new_thread(p, name);
      t.core = ps.cores.empty() ? i % std::max(1u, run.machine.cpu.cores) : ps.cores[i % ps.cores.size()];
      engine.spawn(name, [&kernel, &t, &s, &ps, i] { run_program(kernel, t, s, ps.program, i); });
    }
  }
  engine.spawn("supervisor", [&kernel] { kernel.wait_until_done(); });
  if (check_invariants) engine.on_activity([&kernel] { require(page_cache_problem(kernel.page_cache())); });
  // A crash point (sim/crash.h): the machine runs until then, even if the programs
  // ended (the journal's timer still commits), and stops there.
  const bool crash = s.crash_at_ns.has_value();
  if (crash) {
    const double at = *s.crash_at_ns;
    engine.spawn("crash-clock", [&engine, at] { engine.sleep_ns(at - engine.now_ns()); });
    engine.run_until(at);
  } else {
    engine.run();
  }
  const double end_ns = crash ? *s.crash_at_ns : kernel.end_ns();
  for (const auto& t : kernel.threads())
    if (!t->finished && !crash) {
      nlohmann::ordered_json partial{{"name", run.name}};
      if (with_trace) {
        partial["lanes"] = trace.lanes_json();
        partial["events"] = trace.events_json();
      }
      throw SimulationError(fmt::format("thread `{}` waits forever ({}): the program deadlocks", t->name,
                                        t->waiting_for.empty() ? "blocked" : t->waiting_for),
                            std::move(partial));
    }

  if (check_invariants && !crash) require(end_of_run_problem(kernel));
  // A canned method that sent less than its transfer (a short return it did not loop
  // on) would print a copy table of the wrong payload: refuse it instead.
  if (run.transfer_bytes && !crash && kernel.processes().front()->counters.sent_bytes != run.transfer_bytes)
    throw std::runtime_error(fmt::format("`{}` sent {} of the transfer's {} bytes: a call returned short and the "
                                         "method does not loop on it",
                                         run.name, kernel.processes().front()->counters.sent_bytes,
                                         run.transfer_bytes));

  // Each process's counters get its threads' time; the total sums the processes.
  Counters total;
  nlohmann::ordered_json procs = nlohmann::ordered_json::array();
  nlohmann::ordered_json threads = nlohmann::ordered_json::array();
  nlohmann::ordered_json receiver_json;
  for (const auto& p : kernel.processes()) {
    Counters c = p->counters;
    // glibc's pthread_create maps a stack of RLIMIT_STACK (8 MiB by default) for each
    // thread after the first (allocate_stack); the first uses the process's stack.
    constexpr std::uint64_t kThreadStack = 8ULL << 20;
    std::uint64_t nthreads = 0;
    for (const auto& t : kernel.threads()) nthreads += t->proc == p.get();
    c.thread_stack_bytes = nthreads > 1 ? (nthreads - 1) * kThreadStack : 0;
    for (const auto& t : kernel.threads()) {
      if (t->proc != p.get()) continue;
      for (std::size_t i = 0; i < t->time.size(); ++i) {
        c.time_ns[i] += std::uint64_t(t->time[i] + 0.5);
        if (is_cpu(TimeCat(i))) c.cpu_time_ns += std::uint64_t(t->time[i] + 0.5);
      }
      nlohmann::ordered_json tj;
      tj["name"] = t->name;
      tj["start_ns"] = std::int64_t(t->start_ns);
      tj["end_ns"] = std::int64_t(t->end_ns);
      nlohmann::ordered_json br;
      for (std::size_t i = 0; i < t->time.size(); ++i) br[std::string(to_string(TimeCat(i)))] = std::int64_t(t->time[i] + 0.5);
      tj["time_breakdown_ns"] = br;
      threads.push_back(tj);
    }
    std::uint64_t delivered = c.sent_bytes ? c.sent_bytes : c.file_write_bytes ? c.file_write_bytes : c.read_bytes;
    c.payload_bytes = delivered;
    c.sim_time_ns = std::uint64_t(end_ns + 0.5);
    const bool receiver = p.get() == kernel.local_receiver();
    procs.push_back({{"name", p->name}, {"counters", c.to_json()}});
    if (check_invariants) require(counters_problem(c));
    if (receiver) procs.back()["role"] = "receiver";
    // The run's totals are the sender's path (the copy table); a local receiver's
    // read() calls and copy are real, and reported apart, with the payload once.
    if (receiver) receiver_json = procs.back();
    else total.add(c);
  }
  total.sim_time_ns = std::uint64_t(end_ns + 0.5);
  if (check_invariants) {
    require(counters_problem(total));
    require(counters_json_problem(total.to_json()));
  }

  nlohmann::ordered_json out;
  out["name"] = run.name;
  out["counters"] = total.to_json();
  out["processes"] = procs;
  out["threads"] = threads;
  if (!receiver_json.is_null()) out["receiver"] = receiver_json;
  if (crash) out["crash"] = crash_json(kernel.journal().crash(), run.machine.journal.mode, end_ns, files);
  if (with_trace) {
    out["lanes"] = trace.lanes_json();
    out["events"] = trace.events_json();
  }
  return out;
}

namespace {

struct Child {
  pid_t pid = -1;
  int fd = -1;
  std::size_t index = 0;
};

std::string read_all(int fd) {
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) data.append(buf, std::size_t(n));
    else if (n == 0) break;
    else if (errno != EINTR) break;
  }
  return data;
}

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n > 0) off += std::size_t(n);
    else if (errno != EINTR) return;
  }
}

}  // namespace

std::vector<nlohmann::ordered_json> simulate(const Scenario& s, const std::vector<RunSpec>& runs,
                                             const RunOptions& opt) {
  std::vector<nlohmann::ordered_json> results(runs.size());
  unsigned jobs = opt.jobs ? opt.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::size_t next = 0;
  while (next < runs.size()) {
    std::vector<Child> batch;
    for (; next < runs.size() && batch.size() < jobs; ++next) {
      int p[2];
      if (::pipe(p) != 0) throw std::runtime_error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
      std::fflush(nullptr);
      const pid_t parent = ::getpid();
      pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error(fmt::format("cannot fork: {}", std::strerror(errno)));
      if (pid == 0) {
        // A simulation dies with its parent (SIGTERM, a GUI that quits): nothing runs on.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(3);  // it died before prctl
        ::close(p[0]);
        int code = 0;
        std::string payload;
        try {
          payload = simulate_here(s, runs[next], opt.trace, opt.check_invariants).dump();
        } catch (const SimulationError& e) {
          payload = nlohmann::ordered_json{{"error", e.what()}, {"partial", e.partial}}.dump();
          code = 3;
        } catch (const std::exception& e) {
          payload = nlohmann::ordered_json{{"error", e.what()}}.dump();
          code = 3;
        }
        write_all(p[1], payload);
        ::close(p[1]);
        ::_exit(code);
      }
      ::close(p[1]);
      batch.push_back({pid, p[0], next});
    }
    for (Child& c : batch) {
      std::string data = read_all(c.fd);
      ::close(c.fd);
      int status = 0;
      while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
      }
      const std::string& name = runs[c.index].name;
      if (WIFSIGNALED(status))
        throw std::runtime_error(fmt::format("the simulation of `{}` crashed (signal {})", name, WTERMSIG(status)));
      nlohmann::ordered_json j = nlohmann::ordered_json::parse(data, nullptr, false);
      if (j.is_discarded())
        throw std::runtime_error(fmt::format("the simulation of `{}` returned no result (exit {})", name,
                                             WIFEXITED(status) ? WEXITSTATUS(status) : -1));
      if (j.contains("error"))
        throw SimulationError(fmt::format("the simulation of `{}` failed: {}", name, j["error"].get<std::string>()),
                              j.value("partial", nlohmann::ordered_json::object()));
      results[c.index] = std::move(j);
    }
  }
  return results;
}

}  // namespace kiosim
