#include "sim/host/private_dir.h"

#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace kiosim::host {

namespace {

// State the signal handler reads: fixed arrays, no allocation (async-signal-safe).
constexpr int kMaxFiles = 64, kMaxChildren = 16, kPathMax = 4096;
char g_dir[kPathMax];
char g_files[kMaxFiles][kPathMax];
std::atomic<int> g_nfiles{0};
std::atomic<pid_t> g_children[kMaxChildren];
std::atomic<pid_t> g_owner{0};
bool g_handlers_installed = false;

void cleanup_now() {
  if (g_owner.load() != ::getpid()) return;  // a forked child never removes the directory
  for (auto& c : g_children) {
    pid_t p = c.exchange(0);
    if (p > 0) ::kill(p, SIGKILL);
  }
  int n = g_nfiles.load();
  for (int i = 0; i < n; ++i)
    if (g_files[i][0]) ::unlink(g_files[i]);
  if (g_dir[0]) ::rmdir(g_dir);
}

void on_signal(int sig) {
  cleanup_now();
  g_dir[0] = 0;
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  if (g_handlers_installed) return;
  g_handlers_installed = true;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &sa, nullptr);
  // Past `ulimit -f`, write() then fails with EFBIG (an error we report, then clean
  // up after) instead of killing us with SIGXFSZ and leaving the directory behind.
  ::signal(SIGXFSZ, SIG_IGN);
  std::atexit([] { cleanup_now(); });
}

}  // namespace

std::string temp_base() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? std::string(t) : std::string("/tmp");
}

PrivateDir::PrivateDir() {
  if (g_dir[0]) throw std::logic_error("kiosim: one private directory at a time");
  std::string tmpl = temp_base() + "/kiosim-XXXXXX";
  if (tmpl.size() >= kPathMax - 64) throw NoPrivateDir("the temporary directory's path ($TMPDIR) is too long");
  std::string buf = tmpl;
  if (!::mkdtemp(buf.data()))
    throw NoPrivateDir(fmt::format("cannot create a private directory in {}: {} (set TMPDIR to a writable "
                                   "directory)",
                                   temp_base(), std::strerror(errno)));
  path_ = buf;
  std::strncpy(g_dir, path_.c_str(), kPathMax - 1);
  g_nfiles = 0;
  g_owner = ::getpid();
  install_handlers();
}

PrivateDir::~PrivateDir() { remove(); }

std::string PrivateDir::file(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw std::invalid_argument(fmt::format("`{}` is not a plain file name", name));
  std::string p = path_ + "/" + name;
  int n = g_nfiles.load();
  for (int i = 0; i < n; ++i)
    if (p == g_files[i]) return p;
  if (n >= kMaxFiles) throw std::runtime_error("too many files in the private directory");
  std::strncpy(g_files[n], p.c_str(), kPathMax - 1);
  g_nfiles = n + 1;
  return p;
}

void PrivateDir::remove() {
  if (removed_) return;
  removed_ = true;
  cleanup_now();
  g_dir[0] = 0;
  g_nfiles = 0;
}

std::uint64_t PrivateDir::free_bytes() const {
  struct statvfs sv {};
  if (::statvfs(path_.c_str(), &sv) != 0) return 0;
  return std::uint64_t(sv.f_bavail) * sv.f_frsize;
}

void register_child(pid_t pid) {
  for (auto& c : g_children) {
    pid_t z = 0;
    if (c.compare_exchange_strong(z, pid)) return;
  }
}

void unregister_child(pid_t pid) {
  for (auto& c : g_children) {
    pid_t p = pid;
    if (c.compare_exchange_strong(p, 0)) return;
  }
}

void forget_cleanup_in_child() {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &sa, nullptr);
}

}  // namespace kiosim::host
