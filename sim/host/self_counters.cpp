// The process's own counters, read around a real run's body: getrusage(RUSAGE_SELF)
// (CPU time, faults, context switches), /proc/self/io (fs/proc/base.c proc_pid_io:
// rchar, syscr, read_bytes ...) and software perf events (perf_event_open(2),
// kernel/events/core.c: task clock, page faults, context switches, migrations, user
// side only so perf_event_paranoid 2 allows them). Declared in runner.h.
#include <linux/perf_event.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "sim/host/runner.h"

namespace kiosim::host {

namespace {

double tv_ns(const timeval& tv) { return double(tv.tv_sec) * 1e9 + double(tv.tv_usec) * 1e3; }

}  // namespace

Usage usage_self() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  Usage u;
  u.user_ns = tv_ns(ru.ru_utime);
  u.sys_ns = tv_ns(ru.ru_stime);
  u.minflt = ru.ru_minflt;
  u.majflt = ru.ru_majflt;
  u.nvcsw = ru.ru_nvcsw;
  u.nivcsw = ru.ru_nivcsw;
  return u;
}

Usage operator-(const Usage& a, const Usage& b) {
  return {a.user_ns - b.user_ns, a.sys_ns - b.sys_ns, a.minflt - b.minflt,
          a.majflt - b.majflt,   a.nvcsw - b.nvcsw,   a.nivcsw - b.nivcsw};
}

ProcIo proc_io_self() {
  ProcIo io;
  std::ifstream in("/proc/self/io");
  std::string k;
  std::int64_t v = 0;
  while (in >> k >> v) {
    io.ok = true;
    if (k == "rchar:") io.rchar = v;
    else if (k == "wchar:") io.wchar = v;
    else if (k == "syscr:") io.syscr = v;
    else if (k == "syscw:") io.syscw = v;
    else if (k == "read_bytes:") io.read_bytes = v;
    else if (k == "write_bytes:") io.write_bytes = v;
  }
  return io;
}

// ---- perf ---------------------------------------------------------------------

PerfCounters::PerfCounters() {
  const std::pair<const char*, std::uint64_t> events[] = {
      {"task_clock_ns", PERF_COUNT_SW_TASK_CLOCK},
      {"page_faults_user", PERF_COUNT_SW_PAGE_FAULTS},
      {"context_switches", PERF_COUNT_SW_CONTEXT_SWITCHES},
      {"cpu_migrations", PERF_COUNT_SW_CPU_MIGRATIONS},
  };
  for (auto [name, config] : events) {
    perf_event_attr a{};
    a.type = PERF_TYPE_SOFTWARE;
    a.size = sizeof a;
    a.config = config;
    a.exclude_kernel = 1;  // allowed up to perf_event_paranoid 2
    a.exclude_hv = 1;
    int fd = int(::syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
    if (fd < 0) {
      why_not_ = fmt::format("perf_event_open refused ({}; kernel.perf_event_paranoid = {})", std::strerror(errno),
                             [] {
                               std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
                               std::string s;
                               in >> s;
                               return s.empty() ? std::string("unknown") : s;
                             }());
      for (auto& [n, f] : fds_) ::close(f);
      fds_.clear();
      return;
    }
    fds_.emplace_back(name, fd);
  }
}

PerfCounters::~PerfCounters() {
  for (auto& [n, f] : fds_) ::close(f);
}

std::map<std::string, std::int64_t> PerfCounters::read() const {
  std::map<std::string, std::int64_t> out;
  for (auto& [n, f] : fds_) {
    std::uint64_t v = 0;
    if (::read(f, &v, sizeof v) == sizeof v) out[n] = std::int64_t(v);
  }
  return out;
}

}  // namespace kiosim::host
