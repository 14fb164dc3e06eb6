// The kernel's own tracepoints around a real-mode run (issue 14, item 7), in a
// tracing instance of kiosim's own: instances/kiosim-PID-XXXXXX in tracefs, which
// kernel/trace/trace.c makes a trace_array with its own ring buffer, event
// enables and filters (instance_mkdir / instance_rmdir), so the top-level buffer
// and anyone else's instances are not disturbed.
//
// The instance is always removed: by the destructor (normal exit and exceptions),
// by an atexit hook, and by a SIGINT/SIGTERM/SIGHUP handler that disables the
// events, removes the directory, unmounts tracefs if we mounted it, then lets the
// signal go on to the previous handler (PrivateDir's) and kills us.
// Needs root, or CAP_PERFMON / CAP_SYS_ADMIN with access to tracefs; without it
// open() says why in one line and the run goes on with the counters.
#pragma once
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiosim::host {

// CapEff of /proc/self/status (0 when unreadable).
std::uint64_t effective_capabilities();
// Why this process may not trace (nullopt: it may): root, or CAP_PERFMON, or CAP_SYS_ADMIN.
// A seam: tests pass any uid and capability set.
std::optional<std::string> why_no_trace_privilege(uid_t euid, std::uint64_t cap_eff);

// The event to enable: "system/event". The filter is built from its format file.
struct TraceEventSpec {
  std::string system, event;
  bool by_pid = true;    // common_pid == the run's pid
  bool by_file = true;   // the inode and device fields, when the event has them
};

// The events kiosim sets beside the simulator's (readahead, faults, page cache, jbd2,
// reclaim, dirty throttling, TLB flushes and IPIs, transmits and skbs, io_uring).
std::vector<TraceEventSpec> default_trace_events();

struct KernelTraceRequest {
  pid_t pid = 0;                       // the process whose events are kept
  std::vector<std::uint64_t> inodes;   // the scenario's files
  std::uint64_t st_dev = 0;            // their device (stat's st_dev)
  std::vector<TraceEventSpec> events = default_trace_events();
  // Where tracefs is or may be mounted, first the usual place (a seam for tests).
  std::vector<std::string> mount_points = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
  unsigned buffer_kb = 8192;           // per CPU
  uid_t euid = ::geteuid();
  std::uint64_t cap_eff = effective_capabilities();
};

class KernelTrace {
 public:
  // Creates the instance and enables the events, with tracing off. Returns null and
  // sets `why_not` (one line) when the host does not allow it.
  static std::unique_ptr<KernelTrace> open(const KernelTraceRequest& r, std::string& why_not);
  ~KernelTrace();  // remove()
  KernelTrace(const KernelTrace&) = delete;
  KernelTrace& operator=(const KernelTrace&) = delete;

  const std::string& instance_path() const { return dir_; }
  const std::string& tracefs() const { return root_; }
  bool mounted_by_us() const { return mounted_by_us_; }
  // Events whose filter the kernel refused and that run with the pid filter only, or none.
  const std::vector<std::string>& notes() const { return notes_; }
  std::size_t events_enabled() const { return enabled_.size(); }

  void start();  // tracing_on = 1, then kBodyStartMarker into trace_marker
  void stop();   // kBodyEndMarker, then tracing_on = 0
  // The events filtered by pid follow these tasks (the process's threads, once they
  // exist) instead of the pid alone; returns how many filters changed.
  std::size_t follow_threads(const std::vector<pid_t>& tids);
  // The buffer as text (`trace`), then cleared; `overrun` the events lost to a full buffer.
  std::string take(std::uint64_t& overrun);
  // Disables the events, removes the instance, unmounts tracefs if we mounted it (idempotent).
  void remove();

 private:
  KernelTrace() = default;
  std::string root_, dir_;
  bool mounted_by_us_ = false, removed_ = false;
  std::vector<std::string> enabled_;  // system/event
  std::vector<std::string> notes_;
  struct Enabled {
    TraceEventSpec spec;
    std::vector<std::string> fields;  // of its format file
    std::string filter;               // as written
  };
  std::vector<Enabled> specs_;
  std::vector<std::uint64_t> inodes_;
  std::uint64_t kdev_ = 0;
};

// The tasks of this process now (/proc/self/task), sorted.
std::vector<pid_t> threads_of_self();

// A filter for an event with these fields: "common_pid == P && s_dev == D && (i_ino == A || ...)".
// The field names come from the event's format file (i_ino or ino, s_dev or dev).
std::string trace_filter(const std::vector<std::string>& fields, const TraceEventSpec& e, pid_t pid,
                         const std::vector<std::uint64_t>& inodes, std::uint64_t kernel_dev);
// The same for several tasks: "(common_pid == A || common_pid == B) && ...".
std::string trace_filter(const std::vector<std::string>& fields, const TraceEventSpec& e,
                         const std::vector<pid_t>& pids, const std::vector<std::uint64_t>& inodes,
                         std::uint64_t kernel_dev);
// The field names of a `format` file's text.
std::vector<std::string> format_fields(const std::string& format_text);
// stat's st_dev in the kernel's own encoding (MKDEV: major << 20 | minor), as events carry it.
std::uint64_t kernel_dev_of(std::uint64_t st_dev);

}  // namespace kiosim::host
