// Calibration of the scheduler's costs, through pipes: a write + read pair in one
// thread (a note, and what the others subtract), a context switch (two processes
// pinned to one CPU, each read switching straight to the other) and a wake-up (on two
// CPUs, each read leaves its CPU idle and each write must wake the other's).
#include <fcntl.h>
#include <time.h>
#include <cerrno>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sim/host/calibrate_benchmarks.h"
#include "sim/host/cpus.h"
#include "sim/host/syscall_error.h"
#include "sim/scenario/units.h"

namespace kiosim::host::calib {

namespace {

// This thread's CPU time (CLOCK_THREAD_CPUTIME_ID: its sum_exec_runtime, as getrusage sums it).
double thread_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

// What a wake-up costs the woken: the median latency and the sleeper's own CPU time.
struct WakeCosts {
  double latency_ns = 0;  // write() by the waker to the sleeper's read() returning (median)
  double cpu_ns = 0;      // the sleeper's CPU per read() that slept, beyond one that did not (medians)
};

// The median time from a write() of a timestamp into a pipe, by a process on CPU
// `waker`, to the reader, asleep on CPU `sleeper`, returning from its read(). They
// take turns, as a sender and its receiver do: each sleeps only while the other
// works, and on a VM a CPU that has just gone idle wakes faster than one idle for
// long (here 17 us after no idle time, 23 us after 20 us, 40 us after 1 ms).
// The sleeper also reads its own CPU clock around each read() that sleeps, and around
// each read of a pipe of its own that never sleeps: the difference of the medians is
// what each sleep and wake-up cost it (the switch out and in, and what Linux charges it
// from its wake-up).
WakeCosts wake_costs(int waker, int sleeper, std::uint64_t n) {
  int a[2], b[2];
  if (::pipe2(a, O_CLOEXEC) != 0 || ::pipe2(b, O_CLOEXEC) != 0) fail("pipe");
  pid_t pid = spawn_pinned(sleeper, [&] {
    ::close(a[1]);
    ::close(b[0]);
    std::vector<double> lat;
    lat.reserve(n);
    double stamp = 0;
    // The sleeper's own CPU clock around each read() that sleeps and is woken, then
    // around as many reads of a pipe of its own that never sleep: the median of each,
    // and their difference. Its write() between, which wakes the other (an IPI to an
    // idle CPU), is left out: that is the waker's cost, not the woken's.
    std::vector<double> woken, awake;
    woken.reserve(n);
    double c = thread_cpu_ns();
    while (::read(a[0], &stamp, sizeof stamp) == ssize_t(sizeof stamp)) {
      woken.push_back(thread_cpu_ns() - c);
      lat.push_back(now_ns() - stamp);
      if (::write(b[1], &stamp, sizeof stamp) != ssize_t(sizeof stamp)) break;
      c = thread_cpu_ns();
    }
    int own[2];
    if (::pipe2(own, O_CLOEXEC) != 0) ::_exit(1);
    awake.reserve(woken.size());
    for (std::size_t i = 0; i < woken.size(); ++i) {
      if (::write(own[1], &stamp, sizeof stamp) != ssize_t(sizeof stamp)) ::_exit(1);
      c = thread_cpu_ns();
      if (::read(own[0], &stamp, sizeof stamp) != ssize_t(sizeof stamp)) ::_exit(1);
      awake.push_back(thread_cpu_ns() - c);
    }
    WakeCosts w;
    w.latency_ns = lat.empty() ? 0 : median(lat);
    w.cpu_ns = woken.empty() ? 0 : std::max(0.0, median(woken) - median(awake));
    if (::write(b[1], &w, sizeof w) != ssize_t(sizeof w)) ::_exit(1);
  });
  ::close(a[0]);
  ::close(b[1]);
  pin_to_cpu(waker);
  for (std::uint64_t i = 0; i < n; ++i) {
    double stamp = now_ns();
    if (::write(a[1], &stamp, sizeof stamp) != ssize_t(sizeof stamp) ||
        ::read(b[0], &stamp, sizeof stamp) != ssize_t(sizeof stamp))
      fail("wake-up ping");
  }
  ::close(a[1]);
  WakeCosts w;
  bool got = ::read(b[0], &w, sizeof w) == ssize_t(sizeof w);
  ::waitpid(pid, nullptr, 0);
  unregister_child(pid);
  ::close(b[0]);
  unpin();
  if (!got) throw HostError("wake-up benchmark: the sleeping process ended without its report");
  return w;
}

// The sleeper's CPU time of one nanosleep(1 ms), the median of `n` (a `sleep` op's cost).
double nanosleep_cpu_ns(std::uint64_t n) {
  std::vector<double> v;
  for (std::uint64_t i = 0; i < n; ++i) {
    timespec ts{0, 1000000};
    const double c0 = thread_cpu_ns();
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    v.push_back(thread_cpu_ns() - c0);
  }
  return median(v);
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
  // Linux charges the woken task its CPU from try_to_wake_up on (rq_clock_skip_update):
  // cpu.wakeup_charged is the sleeper's CPU per wake beyond its calls and the context
  // switch. That time is inside the latency (the model moves it from the wait to CPU),
  // so cpu.wakeup is the latency as before.
  if (cpus.size() >= 2) {
    const WakeCosts w = wake_costs(cpus[0], cpus[1], iterations(o, 4000));
    m.cpu.wakeup_ns = std::max(0.0, w.latency_ns - pipe_pair_ns / 2 - m.cpu.context_switch_ns);
    m.cpu.wakeup_charged_ns = std::max(0.0, w.cpu_ns - m.cpu.context_switch_ns);
    r.how["cpu.wakeup"] = fmt::format("a write() to a pipe whose reader sleeps on another idle CPU (CPUs {} and {}): "
                                      "median {} until its read() returns, minus half a pipe write+read pair and a "
                                      "context switch",
                                      cpus[0], cpus[1], format_time_ns(w.latency_ns));
    r.how["cpu.wakeup_charged"] =
        fmt::format("the same sleeper's CPU clock (CLOCK_THREAD_CPUTIME_ID) around each read() that slept: median "
                    "{} beyond the median of the same read() that does not sleep, minus a context switch",
                    format_time_ns(w.cpu_ns));
  }
  const std::uint64_t sleeps = iterations(o, 100);
  m.cpu.nanosleep_ns = nanosleep_cpu_ns(sleeps);
  r.how["cpu.nanosleep"] = fmt::format("this thread's CPU clock around nanosleep(1 ms), median of {}", sleeps);
}

}  // namespace kiosim::host::calib
