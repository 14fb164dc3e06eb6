#include "sim/host/runnable.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "sim/host/cpus.h"
#include "sim/host/host_facts.h"

namespace kiosim::host {

namespace {

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
    if (op.kind == OpKind::accept || op.kind == OpKind::epoll_create)
      return fmt::format("{} (line {}): real mode does not run `clients:` and their connections yet (the "
                         "simulator's receive path, epoll, select and poll)",
                         to_string(op.kind), op.line);
    if (op.kind == OpKind::uring_setup || op.kind == OpKind::uring_register || op.kind == OpKind::uring)
      return fmt::format("{} (line {}): real mode does not run io_uring's ring ops yet (uring_read it runs)",
                         to_string(op.kind), op.line);
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

std::optional<std::string> why_not_measurable(const RunSpec& run, const TempDirAbilities& host) {
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
