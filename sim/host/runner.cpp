#include "sim/host/runner.h"

#include <fcntl.h>
#include <liburing.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "sim/host/syscall_error.h"

namespace kiosim::host {

namespace {

double tv_ns(const timeval& tv) { return double(tv.tv_sec) * 1e9 + double(tv.tv_usec) * 1e3; }

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

// ---- the runner ------------------------------------------------------------------

// The program's buffers start on a page boundary: O_DIRECT needs aligned memory,
// and the simulator's buffers are page-aligned too.
template <class T>
struct PageAligned {
  using value_type = T;
  PageAligned() = default;
  template <class U>
  PageAligned(const PageAligned<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(4096))); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(4096)); }
  bool operator==(const PageAligned&) const { return true; }
};
using UserBuffer = std::vector<char, PageAligned<char>>;

struct Runner::State {
  struct Fd {
    int fd = -1;
    bool socket = false;
  };
  struct PipeEnds {
    int r = -1, w = -1;
    std::uint64_t content = 0;  // bytes in the pipe, as far as we put them there
  };
  struct Map {
    char* addr = nullptr;
    std::size_t len = 0;
    std::uint64_t file_offset = 0;  // file offset of addr
    std::uint64_t cursor = 0;       // file offset the next write() from it starts at
  };
  std::map<std::string, Fd> fds;
  std::map<std::string, PipeEnds> pipes;
  std::map<std::string, Map> maps;
  std::map<std::string, UserBuffer>* buffers = nullptr;
  int sock = -1;
  std::unique_ptr<io_uring> ring;  // for uring_read, made before the timed region
  Sample* out = nullptr;
  bool counted = false;
  volatile std::uint64_t sink = 0;

  void count(const char* name) {
    if (!counted) return;
    out->syscalls[name] += 1;
    out->syscalls_total += 1;
  }
  int fd_of(const std::string& name) {
    if (auto it = fds.find(name); it != fds.end()) return it->second.fd;
    if (auto it = pipes.find(name); it != pipes.end()) return it->second.r;
    throw std::logic_error("kiosim: unbound name `" + name + "` in real mode");
  }
};

Runner::Runner(const Scenario& s, PrivateDir& dir, RunnerOptions opt) : s_(s), dir_(dir), opt_(opt) {
  for (const auto& f : s_.files) paths_[f.name] = dir_.file(f.name);
}

Runner::~Runner() = default;

std::uint64_t Runner::bytes_needed(const Scenario& s) {
  std::uint64_t b = 0;
  for (const auto& f : s.files) b += f.size;
  return b;
}

double Runner::create_files() {
  double t0 = now_ns();
  std::vector<char> chunk(1 << 20);
  for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = char('a' + i % 26);
  for (const auto& f : s_.files) {
    const std::string& p = paths_.at(f.name);
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("cannot create " + p);
    std::uint64_t done = 0;
    while (done < f.size) {
      std::size_t n = std::size_t(std::min<std::uint64_t>(chunk.size(), f.size - done));
      ssize_t w = ::pwrite(fd, chunk.data(), n, off_t(done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        int e = errno;
        ::close(fd);
        errno = e;
        fail("cannot write " + p + " (is the file system full?)");
      }
      done += std::uint64_t(w);
    }
    if (::fsync(fd) != 0) fail("fsync " + p);
    ::close(fd);
  }
  return now_ns() - t0;
}

// Cold: fdatasync then POSIX_FADV_DONTNEED (no root needed). Warm: one untimed read pass.
double Runner::prepare_cache(Sample& out) {
  double t0 = now_ns();
  std::vector<char> buf(1 << 20);
  for (const auto& f : s_.files) {
    const std::string& p = paths_.at(f.name);
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open " + p);
    bool warm = opt_.cache == CacheState::warm || (opt_.cache == CacheState::scenario && f.cached);
    if (warm) {
      for (std::uint64_t off = 0; off < f.size;) {
        ssize_t r = ::pread(fd, buf.data(), buf.size(), off_t(off));
        if (r <= 0) break;
        off += std::uint64_t(r);
      }
    } else {
      ::fdatasync(fd);
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    }
    // How much of it is resident now (mincore of an untouched mapping).
    if (f.size) {
      void* m = ::mmap(nullptr, f.size, PROT_READ, MAP_SHARED, fd, 0);
      if (m != MAP_FAILED) {
        std::size_t pages = (f.size + 4095) / 4096;
        std::vector<unsigned char> v(pages);
        if (::mincore(m, f.size, v.data()) == 0)
          for (unsigned char c : v) out.resident_pages_before += c & 1;
        out.file_pages += pages;
        ::munmap(m, f.size);
      }
    }
    ::close(fd);
  }
  return now_ns() - t0;
}

void Runner::execute(State& st, const std::vector<Op>& ops, bool counted) {
  for (const Op& op : ops) step(st, op, counted);
}

void Runner::step(State& st, const Op& op, bool counted) {
  st.counted = counted;
  auto buffer = [&](const std::string& name, std::uint64_t bytes) -> char* {
    auto& b = (*st.buffers)[name];
    if (b.size() < bytes) b.resize(bytes, 1);  // the body's buffers are sized before timing
    return b.data();
  };
  switch (op.kind) {
    case OpKind::open: {
      auto it = paths_.find(op.file);
      if (it == paths_.end()) throw HostError("real mode: the program opens `" + op.file + "`, which is not a scenario file");
      st.count("open");
      int flags = O_RDWR | O_CLOEXEC;
      if (op.open_flags & open_flags::direct) flags |= O_DIRECT;
      if (op.open_flags & open_flags::append) flags |= O_APPEND;
      if (op.open_flags & open_flags::dsync) flags |= O_DSYNC;
      if (op.open_flags & open_flags::sync) flags |= O_SYNC;
      int fd = ::open(it->second.c_str(), flags);
      if (fd < 0 && errno == EINVAL && (flags & O_DIRECT))
        throw HostError(fmt::format("real mode: the file system of {} does not support O_DIRECT; "
                                    "set TMPDIR to a directory on a disk's file system (ext4, xfs)",
                                    dir_.path()));
      if (fd < 0) fail("open " + it->second);
      if (op.offset != kNoOffset && op.offset) ::lseek(fd, off_t(op.offset), SEEK_SET);
      st.fds[op.as] = {fd, false};
      break;
    }
    case OpKind::socket:
      st.count("socket");  // bound to the connection made before the run
      st.fds[op.as] = {st.sock, true};
      break;
    case OpKind::pipe: {
      st.count("pipe");
      int p[2];
      if (::pipe2(p, O_CLOEXEC) != 0) fail("pipe");
      st.pipes[op.as] = {p[0], p[1], 0};
      break;
    }
    case OpKind::close: {
      st.count("close");
      auto it = st.fds.find(op.fd);
      if (it != st.fds.end()) {
        if (!it->second.socket) ::close(it->second.fd);
        st.fds.erase(it);
      }
      break;
    }
    case OpKind::read:
    case OpKind::pread: {
      int fd = st.fd_of(op.fd);
      char* b = buffer(op.buf, op.bytes);
      std::uint64_t done = 0;
      const char* name = op.kind == OpKind::pread ? "pread" : "read";
      for (bool first = true; done < op.bytes; first = false) {
        st.count(name);
        if (!first && st.counted) ++st.out->short_calls;
        ssize_t r = op.kind == OpKind::pread ? ::pread(fd, b + done, op.bytes - done, off_t(op.offset + done))
                                             : ::read(fd, b + done, op.bytes - done);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail(name);
        if (r == 0) break;
        done += std::uint64_t(r);
      }
      break;
    }
    case OpKind::uring_read: {
      int fd = st.fd_of(op.fd);
      char* b = buffer(op.buf, op.bytes * op.depth);
      // io_uring reads take offsets: the descriptor's position, moved past them after
      // (two lseek calls, not counted: the simulator moves the position itself).
      off_t pos = ::lseek(fd, 0, SEEK_CUR);
      for (std::uint32_t i = 0; i < op.depth; ++i) {
        io_uring_sqe* sqe = io_uring_get_sqe(st.ring.get());
        if (!sqe) throw HostError("real mode: the io_uring submission queue is full");
        io_uring_prep_read(sqe, fd, b + i * op.bytes, unsigned(op.bytes), std::uint64_t(pos) + i * op.bytes);
      }
      st.count("io_uring_enter");
      int e = io_uring_submit_and_wait(st.ring.get(), op.depth);  // one io_uring_enter
      if (e != int(op.depth)) {
        errno = e < 0 ? -e : EAGAIN;
        fail(fmt::format("io_uring_enter (submitted {} of {} reads)", e < 0 ? 0 : e, op.depth));
      }
      std::uint64_t got = 0;
      for (std::uint32_t i = 0; i < op.depth; ++i) {
        io_uring_cqe* cqe = nullptr;
        if (int w = io_uring_wait_cqe(st.ring.get(), &cqe); w < 0) {  // already posted: no system call
          errno = -w;
          fail("io_uring completion");
        }
        if (cqe->res < 0) {
          errno = -cqe->res;
          fail("io_uring read");
        }
        got += std::uint64_t(cqe->res);
        io_uring_cqe_seen(st.ring.get(), cqe);
      }
      ::lseek(fd, pos + off_t(got), SEEK_SET);
      break;
    }
    case OpKind::write:
    case OpKind::pwrite: {
      int fd = st.fd_of(op.fd);
      const char* src = nullptr;
      if (!op.from.empty()) {
        auto& m = st.maps.at(op.from);
        std::uint64_t at = m.cursor - m.file_offset;
        if (at + op.bytes > m.len) throw HostError("real mode: a write from `" + op.from + "` runs past its mapping");
        src = m.addr + at;
        m.cursor += op.bytes;
      } else {
        src = buffer(op.buf, op.bytes);
      }
      const char* name = op.kind == OpKind::pwrite ? "pwrite" : "write";
      std::uint64_t done = 0;
      for (bool first = true; done < op.bytes; first = false) {
        st.count(name);
        if (!first && st.counted) ++st.out->short_calls;
        ssize_t w = op.kind == OpKind::pwrite ? ::pwrite(fd, src + done, op.bytes - done, off_t(op.offset + done))
                                              : ::write(fd, src + done, op.bytes - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail(name);
        done += std::uint64_t(w);
      }
      break;
    }
    case OpKind::mmap: {
      int fd = st.fd_of(op.fd);
      std::uint64_t off = op.offset == kNoOffset ? 0 : op.offset;
      std::uint64_t aligned = off / 4096 * 4096;
      std::uint64_t len = op.bytes;
      if (len == 0) {
        struct stat sb {};
        ::fstat(fd, &sb);
        len = std::uint64_t(sb.st_size) > off ? std::uint64_t(sb.st_size) - off : 0;
      }
      std::size_t maplen = std::size_t(len + (off - aligned));
      st.count("mmap");
      int prot = PROT_READ | (op.writable ? PROT_WRITE : 0);
      void* a = ::mmap(nullptr, maplen, prot, op.shared ? MAP_SHARED : MAP_PRIVATE, fd, off_t(aligned));
      if (a == MAP_FAILED) fail("mmap");
      st.maps[op.as] = {static_cast<char*>(a), maplen, aligned, off};
      break;
    }
    case OpKind::munmap: {
      auto it = st.maps.find(op.from);
      if (it == st.maps.end()) break;
      st.count("munmap");
      ::munmap(it->second.addr, it->second.len);
      st.maps.erase(it);
      break;
    }
    case OpKind::touch: {
      auto& m = st.maps.at(op.from);
      std::uint64_t off = op.offset == kNoOffset ? 0 : op.offset;
      std::uint64_t end = std::min<std::uint64_t>(off + op.bytes, m.len);
      std::uint64_t sum = 0;
      for (std::uint64_t i = off; i < end; i += 64) {
        if (op.writable) m.addr[i] = char(i);
        else sum += std::uint64_t(static_cast<volatile char*>(m.addr)[i]);
      }
      st.sink = st.sink + sum;
      break;
    }
    case OpKind::sendfile: {
      int out = st.fd_of(op.out), in = st.fd_of(op.in);
      std::uint64_t done = 0;
      for (bool first = true; done < op.bytes; first = false) {
        st.count("sendfile");
        if (!first && st.counted) ++st.out->short_calls;
        ssize_t n = ::sendfile(out, in, nullptr, op.bytes - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("sendfile");
        if (n == 0) break;
        done += std::uint64_t(n);
      }
      break;
    }
    case OpKind::splice: {
      auto pin = st.pipes.find(op.in), pout = st.pipes.find(op.out);
      if (pout != st.pipes.end()) {  // file (or socket) -> pipe: one call fills what it can
        int in = st.fd_of(op.in);
        st.count("splice");
        ssize_t n;
        do n = ::splice(in, nullptr, pout->second.w, nullptr, op.bytes, SPLICE_F_MOVE | SPLICE_F_MORE);
        while (n < 0 && errno == EINTR);
        if (n < 0) fail("splice (file -> pipe)");
        pout->second.content += std::uint64_t(n);
      } else if (pin != st.pipes.end()) {  // pipe -> socket or file: move what is in the pipe
        int out = st.fd_of(op.out);
        std::uint64_t want = std::min(op.bytes, pin->second.content), done = 0;
        for (bool first = true; done < want; first = false) {
          st.count("splice");
          if (!first && st.counted) ++st.out->short_calls;
          ssize_t n = ::splice(pin->second.r, nullptr, out, nullptr, want - done, SPLICE_F_MOVE);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) fail("splice (pipe -> socket)");
          done += std::uint64_t(n);
        }
        pin->second.content -= done;
      } else {
        throw HostError("real mode: a splice needs a pipe on one side");
      }
      break;
    }
    case OpKind::sleep: {
      timespec ts{time_t(op.ns / 1e9), long(std::fmod(op.ns, 1e9))};
      while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
      }
      break;
    }
    case OpKind::repeat:
      for (std::uint64_t i = 0; i < op.count; ++i) execute(st, op.body, counted);
      break;
    case OpKind::fsync:
    case OpKind::fdatasync: {
      int fd = st.fd_of(op.fd);
      st.count(op.kind == OpKind::fsync ? "fsync" : "fdatasync");
      if ((op.kind == OpKind::fsync ? ::fsync(fd) : ::fdatasync(fd)) != 0) fail(op.kind == OpKind::fsync ? "fsync" : "fdatasync");
      break;
    }
    case OpKind::fadvise: {
      int fd = st.fd_of(op.fd);
      st.count("fadvise64");
      int advice = op.advice == "willneed" ? POSIX_FADV_WILLNEED : POSIX_FADV_DONTNEED;
      ::posix_fadvise(fd, off_t(op.offset == kNoOffset ? 0 : op.offset), off_t(op.bytes), advice);
      break;
    }
    case OpKind::send: {
      if (op.zerocopy)
        throw HostError("real mode: MSG_ZEROCOPY needs a TCP socket and its error queue; measure does not run it yet");
      int fd = st.fd_of(op.fd);
      const char* src = buffer(op.buf, op.bytes);
      std::uint64_t done = 0;
      for (bool first = true; done < op.bytes; first = false) {
        st.count("send");
        if (!first && st.counted) ++st.out->short_calls;
        ssize_t w = ::send(fd, src + done, op.bytes - done, 0);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("send");
        done += std::uint64_t(w);
      }
      break;
    }
    case OpKind::fork:
      throw HostError("real mode: fork is not measured yet (the child's copy-on-write would need its own process)");
  }
}

namespace {

// The largest buffer each name needs, so buffers are allocated and touched before timing.
void size_buffers(const std::vector<Op>& ops, std::map<std::string, UserBuffer>& bufs) {
  for (const Op& op : ops) {
    if ((op.kind == OpKind::read || op.kind == OpKind::pread || op.kind == OpKind::uring_read) ||
        ((op.kind == OpKind::write || op.kind == OpKind::pwrite) && op.from.empty())) {
      auto& b = bufs[op.buf];
      std::uint64_t need = op.kind == OpKind::uring_read ? op.bytes * op.depth : op.bytes;
      if (b.size() < need) b.resize(need, 1);
    }
    if (op.kind == OpKind::repeat) size_buffers(op.body, bufs);
  }
}

// The deepest uring_read of a program: the ring's size.
std::uint32_t uring_depth(const std::vector<Op>& ops) {
  std::uint32_t d = 0;
  for (const Op& op : ops) {
    if (op.kind == OpKind::uring_read) d = std::max(d, op.depth);
    if (op.kind == OpKind::repeat) d = std::max(d, uring_depth(op.body));
  }
  return d;
}

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

}  // namespace

// What a run opened and mapped, and its two connections, closed (on success and on error).
void Runner::release(State& st, int sock, int report) {
  for (auto& [n, m] : st.maps) ::munmap(m.addr, m.len);
  for (auto& [n, f] : st.fds)
    if (!f.socket) ::close(f.fd);
  for (auto& [n, p] : st.pipes) {
    ::close(p.r);
    ::close(p.w);
  }
  st.maps.clear();
  st.fds.clear();
  st.pipes.clear();
  ::close(sock);
  ::close(report);
}

Sample Runner::run_once(const RunSpec& run) {
  if (run.processes.size() != 1 || run.processes[0].threads != 1)
    throw HostError("real mode runs one process with one thread (a transfer scenario)");
  const Program& prog = run.processes[0].program;
  Sample out;
  static std::map<std::string, UserBuffer> buffers;  // kept across runs: touched once
  size_buffers(prog.setup, buffers);
  size_buffers(prog.body, buffers);

  out.prep_ns = prepare_cache(out);

  auto [snd, rcv] = connection(opt_.receiver);
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

  State st;
  st.buffers = &buffers;
  st.sock = snd;
  st.out = &out;
  struct RingExit {
    State& st;
    ~RingExit() {
      if (st.ring) io_uring_queue_exit(st.ring.get());
    }
  } ring_exit{st};
  try {
    if (std::uint32_t depth = uring_depth(prog.body)) {
      st.ring = std::make_unique<io_uring>();
      if (int e = io_uring_queue_init(depth, st.ring.get(), 0); e < 0) {
        st.ring.reset();
        throw HostError(fmt::format("real mode: io_uring_queue_init: {} (is io_uring disabled by "
                                    "kernel.io_uring_disabled or a seccomp filter?)",
                                    std::strerror(-e)));
      }
    }
    execute(st, prog.setup, false);
    auto perf0 = perf_.read();
    ProcIo io0 = proc_io_self();
    Usage u0 = usage_self();
    double t0 = now_ns();
    execute(st, prog.body, true);
    double t_body = now_ns();
    Usage u1 = usage_self();
    ProcIo io1 = proc_io_self();
    auto perf1 = perf_.read();
    ::shutdown(snd, SHUT_WR);
    ReceiverReport r;
    bool got = read_all_fd(rep[0], &r, sizeof r);
    // The transfer is over when the program has returned and the receiver has the last
    // byte; the receiver's report (its exit, our wake-up) is not part of it.
    out.wall_ns = std::max(t_body, got ? r.last_byte_ns : now_ns()) - t0;
    out.sender = u1 - u0;
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
    release(st, snd, rep[0]);
    throw;
  }
  release(st, snd, rep[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  unregister_child(pid);
  return out;
}

}  // namespace kiosim::host
