#include "sim/host/kernel_trace.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sim/host/kernel_events.h"
#include "sim/host/proc_texts.h"

namespace kiosim::host {

namespace {

constexpr int kCapSysAdmin = 21, kCapPerfmon = 38;  // include/uapi/linux/capability.h

// What the signal handler and the atexit hook need: fixed arrays, no allocation
// (async-signal-safe: open, write, close, rmdir and umount2 are system calls).
constexpr int kPathMax = 1024;
char g_dir[kPathMax];    // the instance, "" when none
char g_root[kPathMax];   // tracefs, unmounted at cleanup when g_unmount
bool g_unmount = false;
pid_t g_owner = 0;
struct sigaction g_previous[3];
constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
bool g_atexit = false;

void write_at(const char* dir, const char* file, const char* text) {
  char p[kPathMax + 64];
  std::size_t n = std::strlen(dir);
  if (n + std::strlen(file) + 2 > sizeof p) return;
  std::memcpy(p, dir, n);
  p[n] = '/';
  std::strcpy(p + n + 1, file);
  int fd = ::open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t w = ::write(fd, text, std::strlen(text));
  (void)w;
  ::close(fd);
}

// Tracing off, every event of the instance off (events/enable), the instance gone
// (instance_rmdir), tracefs unmounted if we mounted it.
void cleanup_now() {
  if (!g_dir[0] || g_owner != ::getpid()) return;
  write_at(g_dir, "tracing_on", "0");
  write_at(g_dir, "events/enable", "0");
  ::rmdir(g_dir);
  g_dir[0] = 0;
  if (g_unmount && g_root[0]) ::umount2(g_root, 0);
  g_unmount = false;
}

void on_signal(int sig) {
  cleanup_now();
  for (int i = 0; i < 3; ++i)
    if (kSignals[i] == sig) ::sigaction(sig, &g_previous[i], nullptr);
  ::raise(sig);  // delivered to the previous handler once this one returns
}

void install_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &sa, &g_previous[i]);
  if (!g_atexit) {
    g_atexit = true;
    std::atexit([] { cleanup_now(); });
  }
}

void restore_handlers() {
  for (int i = 0; i < 3; ++i) {
    struct sigaction now {};
    ::sigaction(kSignals[i], nullptr, &now);
    if (now.sa_handler == on_signal) ::sigaction(kSignals[i], &g_previous[i], nullptr);
  }
}

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Writes `text` to a tracefs file; false with errno set when the kernel refuses it.
bool write_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t w = ::write(fd, text.data(), text.size());
  int e = errno;
  ::close(fd);
  errno = e;
  return w == ssize_t(text.size());
}

std::string random_suffix() {
  static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  std::uint64_t x = std::uint64_t(ts.tv_nsec) ^ (std::uint64_t(::getpid()) << 32) ^ std::uint64_t(ts.tv_sec);
  std::string s;
  for (int i = 0; i < 6; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    s += abc[(x >> 33) % 36];
  }
  return s;
}

}  // namespace

std::uint64_t effective_capabilities() {
  auto t = read_text("/proc/self/status");
  if (!t) return 0;
  std::istringstream in(*t);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("CapEff:", 0) == 0) return std::strtoull(line.c_str() + 7, nullptr, 16);
  return 0;
}

std::optional<std::string> why_no_trace_privilege(uid_t euid, std::uint64_t cap_eff) {
  if (euid == 0) return std::nullopt;
  if (cap_eff & (1ULL << kCapPerfmon) || cap_eff & (1ULL << kCapSysAdmin)) return std::nullopt;
  return fmt::format("--kernel-trace needs root or CAP_PERFMON/CAP_SYS_ADMIN (uid {}, CapEff {:016x}): "
                     "going on with the counters only",
                     euid, cap_eff);
}

std::vector<TraceEventSpec> default_trace_events() {
  // jbd2 commits run in the journal's kthread: by device, not by pid. A page leaves the
  // cache in whoever reclaims it (kswapd, another task): by file, not by pid.
  return {
      {"readahead", "page_cache_sync_ra", true, true},
      {"readahead", "page_cache_async_ra", true, true},
      {"readahead", "page_cache_ra_order", true, true},
      {"filemap", "mm_filemap_map_pages", true, true},
      {"exceptions", "page_fault_user", true, false},
      {"filemap", "mm_filemap_add_to_page_cache", false, true},
      {"filemap", "mm_filemap_delete_from_page_cache", false, true},
      {"jbd2", "jbd2_start_commit", false, true},
      {"jbd2", "jbd2_commit_locking", false, true},
      {"jbd2", "jbd2_commit_flushing", false, true},
      {"jbd2", "jbd2_commit_logging", false, true},
      {"jbd2", "jbd2_end_commit", false, true},
      {"jbd2", "jbd2_run_stats", false, true},
      // Reclaim runs in kswapd or in whichever task allocates: node-wide, no file fields.
      {"vmscan", "mm_vmscan_lru_shrink_inactive", false, false},
      {"vmscan", "mm_vmscan_lru_shrink_active", false, false},
      {"writeback", "balance_dirty_pages", true, false},
      // A remote CPU's flush runs in its interrupt, in the context of whatever task runs
      // there: the process's other threads are followed (follow_threads), not its files.
      {"tlb", "tlb_flush", true, false},
      {"ipi", "ipi_send_cpu", true, false},
      {"ipi", "ipi_send_cpumask", true, false},
      {"net", "net_dev_xmit", true, false},
      {"skb", "consume_skb", true, false},
      {"skb", "kfree_skb", true, false},
      {"tcp", "tcp_sendmsg_locked", true, false},
      {"tcp", "tcp_retransmit_skb", true, false},
      {"io_uring", "io_uring_submit_req", true, false},
      {"io_uring", "io_uring_complete", true, false},
  };
}

std::vector<std::string> format_fields(const std::string& format_text) {
  // "\tfield:unsigned long i_ino;\toffset:8;\tsize:8;\tsigned:0;"
  std::vector<std::string> out;
  std::istringstream in(format_text);
  std::string line;
  while (std::getline(in, line)) {
    auto f = line.find("field:");
    auto semi = line.find(';', f == std::string::npos ? 0 : f);
    if (f == std::string::npos || semi == std::string::npos) continue;
    std::string decl = line.substr(f + 6, semi - f - 6);
    auto bracket = decl.find('[');
    if (bracket != std::string::npos) decl.resize(bracket);
    auto sp = decl.find_last_of(" *");
    out.push_back(sp == std::string::npos ? decl : decl.substr(sp + 1));
  }
  return out;
}

std::uint64_t kernel_dev_of(std::uint64_t st_dev) {
  return (std::uint64_t(::major(dev_t(st_dev))) << 20) | ::minor(dev_t(st_dev));
}

std::string trace_filter(const std::vector<std::string>& fields, const TraceEventSpec& e, pid_t pid,
                         const std::vector<std::uint64_t>& inodes, std::uint64_t kernel_dev) {
  return trace_filter(fields, e, std::vector<pid_t>{pid}, inodes, kernel_dev);
}

std::string trace_filter(const std::vector<std::string>& fields, const TraceEventSpec& e,
                         const std::vector<pid_t>& pids, const std::vector<std::uint64_t>& inodes,
                         std::uint64_t kernel_dev) {
  auto has = [&](const char* f) {
    for (const auto& x : fields)
      if (x == f) return true;
    return false;
  };
  std::vector<std::string> terms;
  if (e.by_pid) {
    std::string any;
    std::size_t n = 0;
    for (pid_t p : pids)
      if (p > 0) any += fmt::format("{}common_pid == {}", n++ ? " || " : "", p);
    if (n) terms.push_back(n > 1 ? "(" + any + ")" : any);
  }
  if (e.by_file) {
    const char* dev = has("s_dev") ? "s_dev" : has("dev") ? "dev" : nullptr;
    if (dev && kernel_dev) terms.push_back(fmt::format("{} == {}", dev, kernel_dev));
    const char* ino = has("i_ino") ? "i_ino" : has("ino") ? "ino" : nullptr;
    if (ino && !inodes.empty()) {
      std::string any;
      for (auto i : inodes) any += fmt::format("{}{} == {}", any.empty() ? "" : " || ", ino, i);
      terms.push_back(inodes.size() > 1 ? "(" + any + ")" : any);
    }
  }
  std::string out;
  for (const auto& t : terms) out += (out.empty() ? "" : " && ") + t;
  return out;
}

std::unique_ptr<KernelTrace> KernelTrace::open(const KernelTraceRequest& r, std::string& why_not) {
  if (auto why = why_no_trace_privilege(r.euid, r.cap_eff)) {
    why_not = *why;
    return nullptr;
  }
  if (g_dir[0]) {
    why_not = "--kernel-trace: one tracing instance at a time";
    return nullptr;
  }
  std::unique_ptr<KernelTrace> kt(new KernelTrace());
  std::string tried;
  for (const auto& mp : r.mount_points)
    if (is_dir(mp + "/instances")) {
      kt->root_ = mp;
      break;
    }
  if (kt->root_.empty()) {
    // Not mounted: mount it where the first mount point is (and unmount it at the end).
    for (const auto& mp : r.mount_points) {
      if (!is_dir(mp)) {
        tried += fmt::format("{}{}: no such directory", tried.empty() ? "" : "; ", mp);
        continue;
      }
      if (::mount("nodev", mp.c_str(), "tracefs", 0, nullptr) == 0 && is_dir(mp + "/instances")) {
        kt->root_ = mp;
        kt->mounted_by_us_ = true;
        break;
      }
      tried += fmt::format("{}mount tracefs on {}: {}", tried.empty() ? "" : "; ", mp, std::strerror(errno));
    }
  }
  if (kt->root_.empty()) {
    why_not = fmt::format("--kernel-trace: tracefs is neither mounted nor mountable ({}): going on with the "
                          "counters only",
                          tried.empty() ? "no mount point" : tried);
    return nullptr;
  }
  std::strncpy(g_root, kt->root_.c_str(), kPathMax - 1);
  g_unmount = kt->mounted_by_us_;
  g_owner = ::getpid();
  for (int attempt = 0; attempt < 8 && kt->dir_.empty(); ++attempt) {
    // The pid in the name tells a test (and a person) whose instance it is.
    std::string d = fmt::format("{}/instances/kiosim-{}-{}", kt->root_, ::getpid(), random_suffix());
    if (::mkdir(d.c_str(), 0700) == 0) kt->dir_ = d;
    else if (errno != EEXIST) break;
  }
  if (kt->dir_.empty()) {
    why_not = fmt::format("--kernel-trace: cannot create a tracing instance in {}/instances: {}: going on with "
                          "the counters only",
                          kt->root_, std::strerror(errno));
    kt->remove();
    return nullptr;
  }
  if (kt->dir_.size() >= std::size_t(kPathMax)) {
    why_not = "--kernel-trace: tracefs path too long";
    ::rmdir(kt->dir_.c_str());
    kt->dir_.clear();
    kt->remove();
    return nullptr;
  }
  std::strncpy(g_dir, kt->dir_.c_str(), kPathMax - 1);
  install_handlers();
  write_file(kt->dir_ + "/tracing_on", "0");
  write_file(kt->dir_ + "/buffer_size_kb", std::to_string(r.buffer_kb));
  const std::uint64_t kdev = r.st_dev ? kernel_dev_of(r.st_dev) : 0;
  kt->inodes_ = r.inodes;
  kt->kdev_ = kdev;
  for (const auto& e : r.events) {
    std::string base = kt->dir_ + "/events/" + e.system + "/" + e.event;
    auto format = read_text(base + "/format");
    if (!format) {
      kt->notes_.push_back(fmt::format("{}/{}: not on this kernel", e.system, e.event));
      continue;
    }
    std::string filter = trace_filter(format_fields(*format), e, r.pid, r.inodes, kdev);
    if (!filter.empty() && !write_file(base + "/filter", filter)) {
      std::string pid_only = trace_filter({}, e, r.pid, {}, 0);
      kt->notes_.push_back(fmt::format("{}/{}: filter `{}` refused ({}); {}", e.system, e.event, filter,
                                       std::strerror(errno), pid_only.empty() ? "unfiltered" : pid_only));
      write_file(base + "/filter", pid_only.empty() ? "0" : pid_only);
    }
    if (write_file(base + "/enable", "1")) {
      kt->enabled_.push_back(e.system + "/" + e.event);
      kt->specs_.push_back({e, format_fields(*format), filter});
    }
    else kt->notes_.push_back(fmt::format("{}/{}: enable refused: {}", e.system, e.event, std::strerror(errno)));
  }
  if (kt->enabled_.empty()) {
    why_not = fmt::format("--kernel-trace: no event could be enabled in {}: going on with the counters only",
                          kt->dir_);
    kt->remove();
    return nullptr;
  }
  return kt;
}

KernelTrace::~KernelTrace() { remove(); }

void KernelTrace::start() {
  write_file(dir_ + "/tracing_on", "1");
  write_file(dir_ + "/trace_marker", kBodyStartMarker);
}

void KernelTrace::stop() {
  write_file(dir_ + "/trace_marker", kBodyEndMarker);
  write_file(dir_ + "/tracing_on", "0");
}

std::size_t KernelTrace::follow_threads(const std::vector<pid_t>& tids) {
  if (tids.size() < 2) return 0;
  std::size_t changed = 0;
  for (auto& s : specs_) {
    if (!s.spec.by_pid) continue;
    std::string f = trace_filter(s.fields, s.spec, tids, inodes_, kdev_);
    if (f == s.filter) continue;
    if (write_file(dir_ + "/events/" + s.spec.system + "/" + s.spec.event + "/filter", f)) {
      s.filter = f;
      ++changed;
    }
  }
  return changed;
}

std::vector<pid_t> threads_of_self() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc/self/task");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long t = std::strtol(e->d_name, &end, 10);
    if (t > 0 && !*end && out.size() < 4096) out.push_back(pid_t(t));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string KernelTrace::take(std::uint64_t& overrun) {
  overrun = 0;
  for (int cpu = 0; cpu < 4096; ++cpu) {
    auto stats = read_text(fmt::format("{}/per_cpu/cpu{}/stats", dir_, cpu));
    if (!stats) break;
    auto at = stats->find("overrun:");
    if (at != std::string::npos) overrun += std::strtoull(stats->c_str() + at + 8, nullptr, 10);
  }
  std::string text;
  int fd = ::open((dir_ + "/trace").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    constexpr std::size_t kMaxText = 512ULL << 20;  // bounded: the buffer holds at most buffer_kb per CPU
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || text.size() > kMaxText) break;
      text.append(buf, std::size_t(n));
    }
    ::close(fd);
  }
  write_file(dir_ + "/trace", "");  // O_TRUNC of `trace` clears the instance's buffer
  return text;
}

void KernelTrace::remove() {
  if (removed_) return;
  removed_ = true;
  if (!dir_.empty()) {
    write_file(dir_ + "/tracing_on", "0");
    write_file(dir_ + "/events/enable", "0");
    for (const auto& e : enabled_) write_file(dir_ + "/events/" + e + "/filter", "0");
    ::rmdir(dir_.c_str());
  }
  g_dir[0] = 0;
  if (mounted_by_us_) ::umount2(root_.c_str(), 0);
  g_unmount = false;
  restore_handlers();
}

}  // namespace kiosim::host
