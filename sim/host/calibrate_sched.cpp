// Calibration of the scheduler's costs, through pipes: a write + read pair in one
// thread (a note, and what the others subtract), a context switch (two processes
// pinned to one CPU, each read switching straight to the other) and a wake-up (on two
// CPUs, each read leaves its CPU idle and each write must wake the other's).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sim/host/calibrate_benchmarks.h"
#include "sim/host/cpus.h"
#include "sim/host/syscall_error.h"
#include "sim/scenario/units.h"

namespace kiosim::host::calib {

namespace {

// The median time from a write() of a timestamp into a pipe, by a process on CPU
// `waker`, to the reader, asleep on CPU `sleeper`, returning from its read(). They
// take turns, as a sender and its receiver do: each sleeps only while the other
// works, and on a VM a CPU that has just gone idle wakes faster than one idle for
// long (here 17 us after no idle time, 23 us after 20 us, 40 us after 1 ms).
double wake_latency_ns(int waker, int sleeper, std::uint64_t n) {
  int a[2], b[2];
  if (::pipe2(a, O_CLOEXEC) != 0 || ::pipe2(b, O_CLOEXEC) != 0) fail("pipe");
  pid_t pid = spawn_pinned(sleeper, [&] {
    ::close(a[1]);
    ::close(b[0]);
    std::vector<double> lat;
    lat.reserve(n);
    double stamp = 0;
    while (::read(a[0], &stamp, sizeof stamp) == ssize_t(sizeof stamp)) {
      lat.push_back(now_ns() - stamp);
      if (::write(b[1], &stamp, sizeof stamp) != ssize_t(sizeof stamp)) break;
    }
    double med = lat.empty() ? 0 : median(lat);
    if (::write(b[1], &med, sizeof med) != ssize_t(sizeof med)) ::_exit(1);
  });
  ::close(a[0]);
  ::close(b[1]);
  pin_to_cpu(waker);
  double med = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    double stamp = now_ns();
    if (::write(a[1], &stamp, sizeof stamp) != ssize_t(sizeof stamp) ||
        ::read(b[0], &stamp, sizeof stamp) != ssize_t(sizeof stamp))
      fail("wake-up ping");
  }
  ::close(a[1]);
  bool got = ::read(b[0], &med, sizeof med) == ssize_t(sizeof med);
  ::waitpid(pid, nullptr, 0);
  unregister_child(pid);
  ::close(b[0]);
  unpin();
  if (!got) throw HostError("wake-up benchmark: the sleeping process ended without its report");
  return med;
}

// The median (of 5) time of a byte's round trip between this process on
// `parent_cpu` and a child on `child_cpu`, through two pipes, n times each.
double ping_pong_ns(int parent_cpu, int child_cpu, std::uint64_t n) {
  int a[2], b[2];
  if (::pipe2(a, O_CLOEXEC) != 0 || ::pipe2(b, O_CLOEXEC) != 0) fail("pipe");
  pid_t pid = spawn_pinned(child_cpu, [&] {
    ::close(a[1]);  // or it never sees the end of the ping-pong
    ::close(b[0]);
    char x;
    while (::read(a[0], &x, 1) == 1)
      if (::write(b[1], &x, 1) != 1) break;
  });
  pin_to_cpu(parent_cpu);
  char x = 'x';
  double rt = med_of(5, [&] {
    double t0 = now_ns();
    for (std::uint64_t i = 0; i < n; ++i)
      if (::write(a[1], &x, 1) != 1 || ::read(b[0], &x, 1) != 1) fail("ping-pong");
    return (now_ns() - t0) / double(n);
  });
  ::close(a[1]);
  ::waitpid(pid, nullptr, 0);
  unregister_child(pid);
  ::close(a[0]);
  ::close(b[0]);
  ::close(b[1]);
  unpin();
  return rt;
}

}  // namespace

// A write + read of 4KiB from `buf` in one thread (not a model key; a note).
double measure_pipe(Round& r, const CalibrateOptions& o, std::vector<char>& buf) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) fail("pipe");
  std::uint64_t n = iterations(o, 100000);
  double pipe_pair_ns = med_of(5, [&] {
    double t0 = now_ns();
    for (std::uint64_t i = 0; i < n; ++i) {
      if (::write(p[1], buf.data(), 4096) != 4096 || ::read(p[0], buf.data(), 4096) != 4096) fail("pipe");
    }
    return (now_ns() - t0) / double(n);
  });
  r.notes.push_back(fmt::format("pipe: write + read of 4KiB in one thread: {}", format_time_ns(pipe_pair_ns)));
  ::close(p[0]);
  ::close(p[1]);
  return pipe_pair_ns;
}

void measure_switch_and_wakeup(Round& r, const CalibrateOptions& o, double pipe_pair_ns) {
  Machine& m = r.m;
  const std::vector<int> cpus = allowed_cpus();
  // A round trip on one CPU is two switches and two write+read pairs (measured
  // without switching).
  const int cpu0 = cpus.empty() ? -1 : cpus[0];
  double rt = ping_pong_ns(cpu0, cpu0, iterations(o, 20000));
  m.cpu.context_switch_ns = std::max(0.0, (rt - 2 * pipe_pair_ns) / 2);
  r.how["cpu.context_switch"] = fmt::format("pipe ping-pong between two processes pinned to CPU {}: round trip {} "
                                            "minus two pipe write+read pairs, halved",
                                            cpu0, format_time_ns(rt));
  // On two CPUs: the time from a write() to a reader asleep on the other, idle CPU
  // returning from its read(), stamped with the one clock both share.
  if (cpus.size() >= 2) {
    double one_way = wake_latency_ns(cpus[0], cpus[1], iterations(o, 4000));
    m.cpu.wakeup_ns = std::max(0.0, one_way - pipe_pair_ns / 2 - m.cpu.context_switch_ns);
    r.how["cpu.wakeup"] = fmt::format("a write() to a pipe whose reader sleeps on another idle CPU (CPUs {} and {}): "
                                      "median {} until its read() returns, minus half a pipe write+read pair and a "
                                      "context switch",
                                      cpus[0], cpus[1], format_time_ns(one_way));
  }
}

}  // namespace kiosim::host::calib
