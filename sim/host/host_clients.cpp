#include "sim/host/host_clients.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <new>

#include <fmt/format.h>

#include "model/client_arrivals.h"
#include "sim/host/private_dir.h"
#include "sim/host/syscall_error.h"

namespace kiosim::host {

namespace {

constexpr std::uint64_t kMaxScheduled = 1'000'000;  // requests a measured process may be sent

// Descriptors a run of `count` connections holds at once: a client end and a server end
// each, the listener, and what the runner and the program have besides.
std::uint64_t fds_needed(std::uint32_t count) { return 2ULL * count + 64; }

timespec at(double ns) {
  timespec ts{};
  ts.tv_sec = time_t(ns / 1e9);
  ts.tv_nsec = long(std::fmod(ns, 1e9));
  return ts;
}

// One connection's held bytes, sent while the window takes them.
void flush(HostClients::Shared& s, std::uint32_t c) {
  while (s.pending[c]) {
    const std::size_t n = std::size_t(std::min<std::uint64_t>(s.pending[c], s.request.size()));
    ssize_t w = ::send(s.fds[c], s.request.data(), n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // EAGAIN: the server's window is closed; or the server is gone
    s.pending[c] -= std::uint64_t(w);
  }
}

// The client process: waits for t0, sends the schedule, then keeps the connections open
// (sending what is held) until the go pipe's end of file.
int clients_main(void* p) {
  auto& s = *static_cast<HostClients::Shared*>(p);
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::close(s.other_fd);
  double t0 = 0;
  ssize_t r;
  while ((r = ::read(s.go_fd, &t0, sizeof t0)) < 0 && errno == EINTR) {
  }
  if (r != ssize_t(sizeof t0)) ::_exit(0);
  for (const auto& a : s.schedule) {
    const timespec when = at(t0 + a.first);
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, nullptr) == EINTR) {
    }
    s.pending[a.second] += s.request.size();
    flush(s, a.second);
  }
  s.flags->done.store(1, std::memory_order_release);
  for (;;) {
    std::uint64_t held = 0;
    for (std::uint32_t c = 0; c < s.fds.size(); ++c) {
      flush(s, c);
      held += s.pending[c];
    }
    s.flags->held.store(held);
    pollfd pf{s.go_fd, POLLIN, 0};
    if (::poll(&pf, 1, held ? 1 : -1) > 0) break;  // the end of file: stop
  }
  ::_exit(0);
}

}  // namespace

std::optional<std::string> why_no_clients(const ClientsSpec& spec, std::uint32_t count) {
  if (double(count) * double(spec.requests) > double(kMaxScheduled))
    return fmt::format("{} connections x {} requests: real mode sends at most {} requests to a measured process",
                       count, spec.requests, kMaxScheduled);
  unsigned somaxconn = 4096;
  std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
  if (count > somaxconn)
    return fmt::format("{} connections wait in one accept queue before the run, but net.core.somaxconn is {}",
                       count, somaxconn);
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return std::nullopt;
  const std::uint64_t need = fds_needed(count);
  if (rl.rlim_cur >= need) return std::nullopt;
  if (rl.rlim_max >= need) {
    rl.rlim_cur = need;
    if (::setrlimit(RLIMIT_NOFILE, &rl) == 0) return std::nullopt;
  }
  return fmt::format("{} connection{} {} file descriptors (a client and a server end each), but RLIMIT_NOFILE "
                     "allows {} (hard limit {}; ulimit -n)",
                     count, count == 1 ? " needs" : "s need", need, std::uint64_t(rl.rlim_cur),
                     std::uint64_t(rl.rlim_max));
}

HostClients::HostClients(const ClientsSpec& spec, std::uint64_t seed, std::uint32_t first, std::uint32_t count)
    : spec_(spec), count_(count) {
  try {
    open_connections(first, seed);
  } catch (...) {
    release();  // a failed socket, bind or connect: nothing of what was opened stays open
    throw;
  }
}

void HostClients::open_connections(std::uint32_t first, std::uint64_t seed) {
  const ClientsSpec& spec = spec_;
  ClientArrivals arrivals(spec.connections, spec.requests, spec.interval_ns, spec.start_ns, spec.arrival,
                          seed);
  double when = 0;
  std::uint32_t c = 0;
  while (arrivals.next(when, c))
    if (c >= first && c - first < count_) shared_.schedule.emplace_back(when, c - first);
  shared_.pending.assign(count_, 0);
  void* page = ::mmap(nullptr, sizeof(Shared::Flags), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) fail("mmap (the clients' flags)");
  shared_.flags = new (page) Shared::Flags{};
  shared_.request.assign(std::size_t(spec.request_bytes), 'r');

  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) fail("socket (the clients' listener)");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_, int(count_)) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    fail("loopback TCP listen on 127.0.0.1 (the clients')");
  for (std::uint32_t i = 0; i < count_; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail(fmt::format("socket (client connection {} of {})", i + 1, count_));
    shared_.fds.push_back(fd);
    int one = 1;  // each request leaves at once, as the simulated client's does (no Nagle)
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      fail(fmt::format("loopback TCP connect (client connection {} of {})", i + 1, count_));
  }
}

HostClients::~HostClients() { release(); }

void HostClients::release() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    unregister_child(pid_);
    pid_ = -1;
  }
  if (go_w_ >= 0) ::close(go_w_);
  go_w_ = -1;
  if (listener_ >= 0) ::close(listener_);
  listener_ = -1;
  if (shared_.flags) ::munmap(shared_.flags, sizeof(Shared::Flags));
  shared_.flags = nullptr;
  if (!handed_)
    for (int fd : shared_.fds) ::close(fd);  // the child never started: they are still ours
  shared_.fds.clear();
}

void HostClients::start() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) fail("pipe (the clients' go)");
  shared_.go_fd = p[0];
  shared_.other_fd = p[1];
  go_w_ = p[1];
  stack_.assign(256 << 10, 0);
  pid_ = ::clone(clients_main, stack_.data() + stack_.size(), CLONE_VM | SIGCHLD, &shared_);
  if (pid_ < 0) fail("clone (the clients' process)");
  register_child(pid_);
  // The child has its own copies of the descriptors (no CLONE_FILES): ours are closed.
  ::close(p[0]);
  // (The numbers stay in shared_.fds, which the child reads: we share its memory.)
  for (int fd : shared_.fds) ::close(fd);
  handed_ = true;
}

void HostClients::go(double t0_ns) {
  ssize_t w;
  while ((w = ::write(go_w_, &t0_ns, sizeof t0_ns)) < 0 && errno == EINTR) {
  }
  if (w != ssize_t(sizeof t0_ns)) fail("write (the clients' go)");
}

void HostClients::stop() {
  if (go_w_ >= 0) ::close(go_w_);
  go_w_ = -1;
  if (pid_ <= 0) return;
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  unregister_child(pid_);
  pid_ = -1;
}

}  // namespace kiosim::host
