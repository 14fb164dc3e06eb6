// Runs a scenario's program for real (REAL-MODE.md): the same ops, chunk sizes and
// byte counts the simulator runs, with real system calls, each counted by name by
// our own wrappers. The data goes to a receiver process (a socket pair, or a loopback
// TCP connection) that reads and discards it. Files live in a PrivateDir.
// No SimGrid here, and nothing needs privileges.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/host/cachestat.h"
#include "sim/host/private_dir.h"
#include "sim/host/system_counters.h"
#include "sim/scenario/scenario.h"

namespace kiosim::host {

enum class ReceiverKind { socketpair, tcp };
enum class CacheState { scenario, cold, warm };  // scenario: each file's `cached:`

// getrusage figures, as deltas.
struct Usage {
  double user_ns = 0, sys_ns = 0;
  std::int64_t minflt = 0, majflt = 0, nvcsw = 0, nivcsw = 0;
  double cpu_ns() const { return user_ns + sys_ns; }
};
Usage usage_self();
Usage operator-(const Usage& a, const Usage& b);

// /proc/self/io (absent on some kernels: ok = false).
struct ProcIo {
  bool ok = false;
  std::int64_t rchar = 0, wchar = 0, syscr = 0, syscw = 0, read_bytes = 0, write_bytes = 0;
};
ProcIo proc_io_self();

// Software perf counters of this thread, user mode only (exclude_kernel=1), when
// perf_event_open allows them; `why_not` says why not otherwise.
class PerfCounters {
 public:
  PerfCounters();
  ~PerfCounters();
  PerfCounters(const PerfCounters&) = delete;
  PerfCounters& operator=(const PerfCounters&) = delete;
  bool available() const { return !fds_.empty(); }
  const std::string& why_not() const { return why_not_; }
  std::map<std::string, std::int64_t> read() const;

 private:
  std::vector<std::pair<std::string, int>> fds_;
  std::string why_not_;
};

// What the program's recv and epoll_wait calls saw (sim/host/rx_ops.cpp).
struct RxCounts {
  std::uint64_t recv_bytes = 0, recv_eagain = 0, epoll_wakeups = 0;
};
// What its io_uring submissions gave (sim/host/uring_ops.cpp).
struct RingCounts {
  std::uint64_t uring_sqes = 0, uring_cqes = 0, uring_failed = 0, uring_canceled = 0, sqpoll_wakeups = 0,
                memlock_refusals = 0;
};

// A child of the program's `fork`, measured around its body (sim/host/fork_runner.h).
struct ChildSample {
  std::string name;   // the fork's `as`, the simulated child's process name
  Usage usage;        // its body's
  Usage lifetime;     // wait4's rusage: fork to exit
  std::uint64_t syscalls_total = 0;
  RxCounts rx;
  double end_ns = 0;  // CLOCK_MONOTONIC when its body ended
};

// One timed run of a program.
struct Sample {
  double wall_ns = 0;     // CLOCK_MONOTONIC from the body's first op to the receiver's last byte
  double prep_ns = 0;     // cache preparation before it (not timed)
  std::uint64_t resident_pages_before = 0, file_pages = 0;  // mincore after preparation
  Usage sender, receiver;
  std::map<std::string, std::uint64_t> syscalls;  // by name, from our wrappers (the body only)
  std::uint64_t syscalls_total = 0;
  std::uint64_t short_calls = 0;  // calls that moved less than asked (the wrapper called again)
  std::map<std::string, std::uint64_t> receiver_syscalls;
  std::uint64_t bytes_received = 0;
  ProcIo io;
  std::map<std::string, std::int64_t> perf;
  // /proc/diskstats of the temp dir's device over the timed region (the whole device's:
  // anyone's I/O counts), -1 when the device has no line there (tmpfs, overlay).
  std::int64_t disk_reads = -1, disk_reads_merged = -1, disk_sectors_read = -1, disk_writes = -1;
  // The scenario's files around the timed region (cachestat and mincore; sim/host/cache_cells.h).
  FilesCache cache_before, cache_after;
  // The host-wide counters just before and after it (sim/host/system_counters.h), and the
  // time in the body's buffered file writes, and in its syncs (fsync, fdatasync, writes to
  // O_DSYNC/O_SYNC files), summed over its threads (sim/host/system_cells.h).
  SystemCounters system_before, system_after;
  double write_ns = 0, sync_ns = 0;
  std::vector<ChildSample> children;  // one per fork the body ran, in fork order
  // Many connections and io_uring (sim/host/rx_ops.cpp, uring_ops.cpp, host_clients.h):
  // the counts, the bytes each accepted descriptor read, and what the clients sent or
  // were to send in all (connections x bytes each).
  RxCounts rx;
  RingCounts ring;
  std::map<int, std::uint64_t> conn_bytes;
  std::uint64_t connections = 0, bytes_per_connection = 0, clients_bytes = 0;
};

struct RunnerOptions {
  ReceiverKind receiver = ReceiverKind::socketpair;
  CacheState cache = CacheState::scenario;
  std::uint64_t recv_buffer = 64 << 10;  // the receiver's read() size
  // Called with true just before the body's counters are read, false just after
  // (--kernel-trace starts and stops its tracing instance there).
  std::function<void(bool)> around_body;
};

class Runner {
 public:
  Runner(const Scenario& s, PrivateDir& dir, RunnerOptions opt);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Creates the scenario's files (1 MiB writes, then fsync). Returns the time it took.
  double create_files();
  // Prepares the cache, then runs `run`'s setup (untimed) and body (timed).
  Sample run_once(const RunSpec& run);
  const PerfCounters& perf() const { return perf_; }
  // Bytes the files need, and the largest mapping a program makes (for the memory check).
  static std::uint64_t bytes_needed(const Scenario& s);
  // Bytes of user buffers the largest run allocates (every read's or write's, uring_read's x depth).
  static std::uint64_t buffer_bytes_needed(const Scenario& s);

 private:
  double prepare_cache(Sample& out);
  FilesCache files_cache_now() const;  // the scenario's files as they are cached now

  const Scenario& s_;
  PrivateDir& dir_;
  RunnerOptions opt_;
  std::map<std::string, std::string> paths_;  // scenario file name -> path in the directory
  PerfCounters perf_;
  unsigned dev_major_ = 0, dev_minor_ = 0;  // the temp dir's device, for /proc/diskstats
  std::string jbd2_info_;                    // its journal's /proc/fs/jbd2 info, "" for none
};

// Thrown when the host refuses a syscall the program needs: says which and why.
struct HostError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace kiosim::host
