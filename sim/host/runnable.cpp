#include "sim/host/runnable.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <liburing.h>

#include <cstring>
#include <fstream>

#include "sim/host/cpus.h"
#include "sim/host/host_clients.h"
#include "sim/host/host_facts.h"

namespace kiosim::host {

namespace {

// io_uring_setup on this host, tried once with a ring of 1 entry (and once with SQPOLL):
// why it is refused, or nothing. Linux refuses it when kernel.io_uring_disabled is 2 (or
// 1 for a user outside kernel.io_uring_group): EPERM; a seccomp filter: EPERM or ENOSYS.
// An SQPOLL ring needed CAP_SYS_ADMIN before Linux 5.11 (io_sq_offload_create).
std::optional<std::string> probe_ring(bool sqpoll) {
  io_uring ring{};
  io_uring_params p{};
  if (sqpoll) {
    p.flags = IORING_SETUP_SQPOLL;
    p.sq_thread_idle = 1;
  }
  const int e = io_uring_queue_init_params(1, &ring, &p);
  if (e == 0) {
    io_uring_queue_exit(&ring);
    return std::nullopt;
  }
  std::string disabled = "unknown";
  std::ifstream("/proc/sys/kernel/io_uring_disabled") >> disabled;
  if (sqpoll)
    return fmt::format("this host refuses an SQPOLL ring to this user ({}; unprivileged SQPOLL needs Linux 5.11 "
                       "or later; kernel.io_uring_disabled = {})",
                       std::strerror(-e), disabled);
  return fmt::format("this host refuses io_uring_setup ({}; kernel.io_uring_disabled = {}, or a seccomp filter)",
                     std::strerror(-e), disabled);
}

std::optional<std::string> ring_refusal(bool sqpoll) {
  static const std::optional<std::string> plain = probe_ring(false);
  if (plain || !sqpoll) return plain;
  static const std::optional<std::string> with_sq = probe_ring(true);
  return with_sq;
}

// Connections accepted by `ops`, or nothing when an accept sits in a loop whose turns
// real mode cannot count before the run (epoll_wait's, select's and poll's `do`).
std::optional<std::uint64_t> accepts(const std::vector<Op>& ops, bool in_loop) {
  std::uint64_t n = 0;
  for (const Op& op : ops) {
    if (op.kind == OpKind::accept) {
      if (in_loop) return std::nullopt;
      n += op.count ? op.count : 1;
      continue;
    }
    const bool loop = op.kind == OpKind::epoll_wait || op.kind == OpKind::select || op.kind == OpKind::poll;
    const auto b = accepts(op.body, in_loop || loop);
    if (!b) return std::nullopt;
    n += (op.kind == OpKind::repeat ? op.count : 1) * *b;
  }
  return n;
}

// The first op real mode cannot run on this host, with why (ops in program order, repeat bodies too).
std::optional<std::string> first_refusal(const std::vector<Op>& ops, const TempDirAbilities& host, bool in_setup,
                                         bool in_fork = false) {
  for (const Op& op : ops) {
    if (op.kind == OpKind::fork && in_fork)
      return fmt::format("fork (line {}) inside a fork's body: real mode measures one generation of children",
                         op.line);
    if (op.kind == OpKind::fork && in_setup)
      return fmt::format("fork (line {}) in setup: real mode measures the body's children", op.line);
    if (op.kind == OpKind::uring_read && in_fork)
      return fmt::format("uring_read (line {}) inside a fork's body: the ring is the parent's", op.line);
    if ((op.kind == OpKind::uring_setup || op.kind == OpKind::uring_register || op.kind == OpKind::uring) && in_fork)
      return fmt::format("{} (line {}) inside a fork's body: real mode runs io_uring's rings in the measured "
                         "process only",
                         to_string(op.kind), op.line);
    if (op.kind == OpKind::uring_setup)
      if (auto why = ring_refusal(op.sqpoll))
        return fmt::format("uring_setup{} (line {}): {}", op.sqpoll ? " with sqpoll" : "", op.line, *why);
    if (op.kind == OpKind::queue_work)
      return fmt::format("queue_work (line {}): real mode does not run the thread pool yet", op.line);
    if (op.kind == OpKind::send && op.zerocopy)
      return fmt::format("MSG_ZEROCOPY send (line {}): real mode does not run it yet (it needs a TCP socket and "
                         "its error queue)",
                         op.line);
    // do_dentry_open refuses O_DIRECT (EINVAL) on a file system without FMODE_CAN_ODIRECT
    // (tmpfs before 6.6); real mode's files live in the temp dir, as probed.
    if (op.kind == OpKind::open && (op.open_flags & open_flags::direct) && !host.o_direct)
      return fmt::format("O_DIRECT open (line {}): the temp dir's file system ({}) refuses O_DIRECT; set TMPDIR "
                         "to a directory on ext4 or xfs",
                         op.line, host.fs);
    if (auto why = first_refusal(op.body, host, in_setup, in_fork || op.kind == OpKind::fork)) return why;
  }
  return std::nullopt;
}

bool has_fork(const std::vector<Op>& ops) {
  for (const Op& op : ops)
    if (op.kind == OpKind::fork || has_fork(op.body)) return true;
  return false;
}

}  // namespace

TempDirAbilities probe_temp_dir(const std::string& dir) {
  TempDirAbilities a;
  a.fs = fs_type_of(dir);
  std::string path = dir + "/kiosim-odirect-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return a;  // cannot tell: let the run say it when it opens
  ::close(fd);
  int d = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (d < 0 && errno == EINVAL) a.o_direct = false;
  if (d >= 0) ::close(d);
  ::unlink(path.c_str());
  return a;
}

std::optional<std::uint32_t> connections_accepted(const ProcessSpec& p) {
  const auto a = accepts(p.program.setup, false), b = accepts(p.program.body, false);
  if (!a || !b) return std::nullopt;
  return std::uint32_t(std::min<std::uint64_t>((*a + *b) * p.threads, 0xffffffffULL));
}

std::uint32_t first_connection(const Scenario& s, const std::string& process) {
  std::uint64_t first = 0;
  for (const auto& p : s.processes) {
    if (p.name == process) break;
    first += connections_accepted(p).value_or(0);
  }
  const std::uint32_t mine = [&] {
    for (const auto& p : s.processes)
      if (p.name == process) return connections_accepted(p).value_or(0);
    return 0u;
  }();
  // The loader bounds every accept by clients.connections: past it, start again at 0.
  return first + mine <= s.clients.connections ? std::uint32_t(first) : 0;
}

std::optional<std::string> why_not_measurable(const RunSpec& run, const TempDirAbilities& host,
                                              const ClientsSpec& clients) {
  const std::vector<int> cpus = allowed_cpus();
  for (const auto& p : run.processes) {
    // `threads: N` runs as N pthreads (thread_runner.h), each pinned to its `cores:` entry.
    for (std::uint32_t c : p.cores)
      if (std::find(cpus.begin(), cpus.end(), int(c)) == cpus.end())
        return fmt::format("run `{}`: process `{}` is pinned to core {}, which this process may not use here "
                           "(allowed CPUs: {})",
                           run.name, p.name, c, fmt::join(cpus, ","));
    if (p.threads > 1 && has_fork(p.program.body))
      return fmt::format("run `{}`: process `{}` forks in a process of {} threads; real mode forks "
                         "single-threaded processes",
                         run.name, p.name, p.threads);
    for (const auto* ops : {&p.program.setup, &p.program.body})
      if (auto why = first_refusal(*ops, host, ops == &p.program.setup))
        return fmt::format("run `{}`: process `{}`: {}", run.name, p.name, *why);
    // `clients:` (host_clients.h): the connections made before the run.
    const auto n = connections_accepted(p);
    if (!n)
      return fmt::format("run `{}`: process `{}`: an accept inside epoll_wait's, select's or poll's `do`: real mode "
                         "makes the connections before the run and cannot tell how many",
                         run.name, p.name);
    if (*n && clients.connections)
      if (auto why = why_no_clients(clients, *n)) return fmt::format("run `{}`: process `{}`: {}", run.name, p.name, *why);
  }
  if (run.processes.empty()) return fmt::format("run `{}` has no process", run.name);
  return std::nullopt;
}

bool opens_direct(const std::vector<Op>& ops) {
  for (const Op& op : ops)
    if ((op.kind == OpKind::open && (op.open_flags & open_flags::direct)) || opens_direct(op.body)) return true;
  return false;
}

bool opens_direct(const Program& p) { return opens_direct(p.setup) || opens_direct(p.body); }

std::vector<RunSpec> per_process(const RunSpec& run) {
  if (run.processes.size() <= 1) {
    RunSpec r = run;
    if (r.name == "program" && !r.processes.empty()) r.name = r.processes[0].name;
    return {r};
  }
  std::vector<RunSpec> out;
  for (const auto& p : run.processes) {
    RunSpec r = run;
    r.processes = {p};
    r.name = run.name == "program" ? p.name : run.name + "/" + p.name;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kiosim::host
