// Runner::run_once: one real run of a scenario's program (REAL-MODE.md). The receiver
// is a clone(2) CLONE_VM process reading a socketpair(2) or loopback TCP connection
// (socket/bind/listen/connect/accept4) to EOF; the program's ops run through SyscallOps
// on ProgramThreads (pthreads); around the body it reads getrusage(2), /proc/self/io,
// perf events, /proc/diskstats and the page-cache state, then shutdown(2)s the socket
// and waitpid(2)s the receiver. Files: runner_files.cpp; buffers: program_buffers.h;
// counters of our own: self_counters.cpp.
#include "sim/host/runner.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <variant>

#include "sim/host/host_clients.h"
#include "sim/host/program_buffers.h"
#include "sim/host/proc_texts.h"
#include "sim/host/runnable.h"
#include "sim/host/syscall_error.h"
#include "sim/host/syscall_ops.h"
#include "sim/host/thread_runner.h"
#include "sim/program/walker.h"

namespace kiosim::host {

namespace {

void write_all_fd(int fd, const void* p, std::size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n) {
    ssize_t w = ::write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    c += w;
    n -= std::size_t(w);
  }
}

bool read_all_fd(int fd, void* p, std::size_t n) {
  char* c = static_cast<char*>(p);
  while (n) {
    ssize_t r = ::read(fd, c, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    c += r;
    n -= std::size_t(r);
  }
  return true;
}

// What the receiver sends back when it has read everything.
struct ReceiverReport {
  std::uint64_t bytes = 0, reads = 0;
  double last_byte_ns = 0;  // CLOCK_MONOTONIC (one clock for both processes) after the last data read
  double user_ns = 0, sys_ns = 0;
  std::int64_t minflt = 0, majflt = 0, nvcsw = 0, nivcsw = 0;
};

struct ReceiverArgs {
  int sock = -1, report = -1, close1 = -1, close2 = -1;
  char* buf = nullptr;
  std::size_t len = 0;
};

// The receiver: read and discard until EOF, then report its own usage. It runs in
// our address space, so it allocates nothing and touches only its buffer and stack.
int receiver_main(void* p) {
  auto* a = static_cast<ReceiverArgs*>(p);
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &sa, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::close(a->close1);
  ::close(a->close2);
  ReceiverReport r;
  Usage u0 = usage_self();
  for (;;) {
    ssize_t n = ::read(a->sock, a->buf, a->len);
    ++r.reads;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    r.bytes += std::uint64_t(n);
    r.last_byte_ns = now_ns();
  }
  Usage u1 = usage_self();
  r.user_ns = u1.user_ns - u0.user_ns;
  r.sys_ns = u1.sys_ns - u0.sys_ns;
  r.minflt = u1.minflt - u0.minflt;
  r.majflt = u1.majflt - u0.majflt;
  r.nvcsw = u1.nvcsw - u0.nvcsw;
  r.nivcsw = u1.nivcsw - u0.nivcsw;
  write_all_fd(a->report, &r, sizeof r);
  ::_exit(0);
}

}  // namespace

// ---- the runner ------------------------------------------------------------------

Runner::Runner(const Scenario& s, PrivateDir& dir, RunnerOptions opt) : s_(s), dir_(dir), opt_(opt) {
  for (const auto& f : s_.files) paths_[f.name] = dir_.file(f.name);
  BlockDevice dev = block_device_of(dir_.path());
  dev_major_ = dev.major;
  dev_minor_ = dev.minor;
  jbd2_info_ = jbd2_info_path_of(dir_.path());
}

Runner::~Runner() = default;

namespace {

// Two connected sockets: a socket pair, or a loopback TCP connection.
std::pair<int, int> connection(ReceiverKind k) {
  if (k == ReceiverKind::socketpair) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair");
    return {sv[0], sv[1]};
  }
  int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l < 0) fail("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(l, 1) != 0 ||
      ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    fail("loopback TCP listen on 127.0.0.1");
  int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0 || ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) fail("loopback TCP connect");
  int s = ::accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
  if (s < 0) fail("loopback TCP accept");
  ::close(l);
  return {c, s};
}

using Walk = ProgramWalker<SyscallOps>;

// What a thread's walk left open and mapped, closed (on success and on error).
void release(const Walk::Names& names) {
  for (const auto& [n, b] : names) {
    if (auto* m = std::get_if<SyscallOps::Mapping>(&b)) ::munmap(m->addr, m->len);
    if (auto* f = std::get_if<SyscallOps::File>(&b)) ::close(f->fd);
    if (auto* p = std::get_if<SyscallOps::Pipe>(&b)) {
      ::close(p->r);
      ::close(p->w);
    }
  }
}
}  // namespace

Sample Runner::run_once(const RunSpec& run) {
  if (run.processes.size() != 1) throw HostError("real mode runs one process at a time");
  const ProcessSpec& proc = run.processes[0];
  const Program& prog = proc.program;
  Sample out;
  static std::map<std::string, UserBuffer> buffers;  // kept across runs: touched once
  size_buffers(prog.setup, buffers);
  size_buffers(prog.body, buffers);

  out.prep_ns = prepare_cache(out);

  // Not a structured binding: clang 14 (CI's) cannot capture one in the lambdas below.
  const std::pair<int, int> ends = connection(opt_.receiver);
  const int snd = ends.first, rcv = ends.second;
  int rep[2];
  if (::pipe2(rep, O_CLOEXEC) != 0) fail("pipe");
  // The receiver is a process of its own (its own getrusage) that shares our memory
  // (CLONE_VM): a fork would make every page of ours copy-on-write, and the program's
  // writes would then take faults the simulator rightly does not predict.
  static std::vector<char> recv_buf, recv_stack;
  if (recv_buf.size() != opt_.recv_buffer) recv_buf.assign(opt_.recv_buffer, 0);
  if (recv_stack.empty()) recv_stack.assign(1 << 20, 0);
  static ReceiverArgs ra;
  ra = ReceiverArgs{rcv, rep[1], snd, rep[0], recv_buf.data(), recv_buf.size()};
  pid_t pid = ::clone(receiver_main, recv_stack.data() + recv_stack.size(), CLONE_VM | SIGCHLD, &ra);
  if (pid < 0) fail("clone (the receiver process)");
  register_child(pid);
  ::close(rcv);
  ::close(rep[1]);

  // `clients:`: the connections this process accepts, made now, and the client process
  // that sends them their requests from the body's start (host_clients.h).
  std::unique_ptr<HostClients> clients;
  if (const auto n = connections_accepted(proc); n && *n && s_.clients.connections)
    clients = std::make_unique<HostClients>(s_.clients, s_.seed, first_connection(s_, proc.name), *n);
  SyscallOps ops(paths_, dir_, buffers, snd, out);
  ops.set_clients(clients.get());
  const std::uint32_t depth = uring_depth(prog.body);
  // `threads: N`: thread 0 here, the others pthreads with handlers of their own (thread_runner.h).
  ProgramThreads threads(prog, proc.threads, proc.cores, ops, [&](Sample& mine) {
    auto o = std::make_unique<SyscallOps>(paths_, dir_, buffers, snd, mine);
    o->set_clients(clients.get());
    if (depth) o->make_ring(depth);
    return o;
  });
  auto release_all = [&] {
    for (const auto* names : threads.names()) release(*names);
    ::close(snd);
    ::close(rep[0]);
  };
  try {
    if (depth) ops.make_ring(depth);
    threads.setup();
    if (clients) clients->start();
    out.cache_before = files_cache_now();
    auto perf0 = perf_.read();
    auto ds0 = diskstats_of(dev_major_, dev_minor_);
    out.system_before = system_counters_now(jbd2_info_);
    if (opt_.around_body) opt_.around_body(true);
    if (clients) clients->go(now_ns());  // the schedule's time 0, the body's start
    ProcIo io0 = proc_io_self();
    Usage u0 = usage_self();
    double t0 = now_ns();
    std::int64_t join_switches = threads.body();
    double t_body = now_ns();
    Usage u1 = usage_self();
    u1.nvcsw -= join_switches;  // the wait for the other threads is ours, not the program's
    threads.merge_counts(out);
    ops.reap_children(out);  // the parent's usage is taken: its wait is not the program's
    if (clients) {
      clients->stop();
      out.connections = clients->count();
      out.bytes_per_connection = clients->bytes_per_connection();
      out.clients_bytes = clients->bytes_scheduled();
    }
    for (const auto& c : out.children) t_body = std::max(t_body, c.end_ns);
    ProcIo io1 = proc_io_self();
    if (opt_.around_body) opt_.around_body(false);
    auto ds1 = diskstats_of(dev_major_, dev_minor_);
    out.system_after = system_counters_now(jbd2_info_);
    auto perf1 = perf_.read();
    out.cache_after = files_cache_now();
    if (ds0 && ds1) {
      out.disk_reads = std::int64_t(ds1->reads - ds0->reads);
      out.disk_reads_merged = std::int64_t(ds1->reads_merged - ds0->reads_merged);
      out.disk_sectors_read = std::int64_t(ds1->sectors_read - ds0->sectors_read);
      out.disk_writes = std::int64_t(ds1->writes - ds0->writes);
    }
    ::shutdown(snd, SHUT_WR);
    ReceiverReport r;
    bool got = read_all_fd(rep[0], &r, sizeof r);
    // The transfer is over when the program has returned and the receiver has the last
    // byte; the receiver's report (its exit, our wake-up) is not part of it.
    out.wall_ns = std::max(t_body, got ? r.last_byte_ns : now_ns()) - t0;
    out.sender = u1 - u0;
    out.sender.minflt -= ops.fork_bookkeeping_faults();  // fork_runner.h: our own pages' copies
    if (got) {
      out.receiver = {r.user_ns, r.sys_ns, r.minflt, r.majflt, r.nvcsw, r.nivcsw};
      out.bytes_received = r.bytes;
      out.receiver_syscalls["read"] = r.reads;
    }
    out.io.ok = io0.ok && io1.ok;
    // The first /proc/self/io read is itself one read() of its own size, counted after its snapshot.
    out.io.rchar = io1.rchar - io0.rchar;
    out.io.wchar = io1.wchar - io0.wchar;
    out.io.syscr = io1.syscr - io0.syscr;
    out.io.syscw = io1.syscw - io0.syscw;
    out.io.read_bytes = io1.read_bytes - io0.read_bytes;
    out.io.write_bytes = io1.write_bytes - io0.write_bytes;
    for (auto& [k, v] : perf1) out.perf[k] = v - perf0[k];
  } catch (...) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    unregister_child(pid);
    release_all();
    throw;
  }
  release_all();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  unregister_child(pid);
  return out;
}

}  // namespace kiosim::host
