#include "sim/host/calibrate.h"

#include <fcntl.h>
#include <liburing.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "model/af_unix.h"
#include "sim/host/cpus.h"
#include "sim/host/measure.h"
#include "sim/host/socket_stream.h"
#include "sim/host/private_dir.h"
#include "sim/host/syscall_error.h"
#include "sim/scenario/machine_keys.h"
#include "sim/scenario/units.h"

namespace kiosim::host {

namespace {

// The median of `trials` runs of f (each returns one figure).
template <class F>
double med_of(int trials, F f) {
  std::vector<double> v;
  for (int i = 0; i < trials; ++i) v.push_back(f());
  return median(v);
}

std::int64_t minflt_now() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

// A least-squares line through (x, y): y = a + b x.
std::pair<double, double> fit(const std::vector<double>& x, const std::vector<double>& y) {
  double n = double(x.size()), sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return {(sy - b * sx) / n, b};
}

std::uint64_t pow2_pages(double pages) {
  std::uint64_t p = 1;
  while (p * 2 <= std::uint64_t(pages + 0.5) && p < 512) p *= 2;
  return p;
}

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

// One pass over every benchmark: a machine (defaults where nothing was measured), how
// each value was measured, and figures the model does not use.
struct Round {
  Machine m;
  std::map<std::string, std::string> how;
  std::vector<std::string> notes;
};

Round calibrate_round(const CalibrateOptions& o, const HostFacts& facts,
                      const std::function<void(const std::string&)>& progress) {
  const int steps = 11;
  int step = 0;
  auto say = [&](const std::string& what) {
    if (progress) progress(fmt::format("[{}/{}] {}", ++step, steps, what));
  };
  auto iters = [&](double n) { return std::max<std::uint64_t>(16, std::uint64_t(n * o.scale)); };

  Round c;
  PrivateDir dir;
  Machine& m = c.m;  // defaults; measured fields are overwritten below
  std::map<std::string, std::string>& how = c.how;

  const std::uint64_t file_bytes = o.scale < 1 ? (8ULL << 20) : (64ULL << 20);
  if (dir.free_bytes() < file_bytes + (64ULL << 20))
    throw Refused(fmt::format("calibrate needs {} in {} and it has {}", format_size(double(file_bytes + (64ULL << 20))),
                              dir.path(), format_size(double(dir.free_bytes()))));

  // 1. null syscall
  say("null syscall (getppid)");
  {
    std::uint64_t n = iters(400000);
    double ns = med_of(5, [&] {
      double t0 = now_ns();
      for (std::uint64_t i = 0; i < n; ++i) ::syscall(SYS_getppid);
      return (now_ns() - t0) / double(n);
    });
    m.cpu.syscall_ns = ns;
    how["cpu.syscall"] = fmt::format("median of 5 x {} getppid() calls", n);
  }
  const double sys_ns = m.cpu.syscall_ns;

  // 2. an io_uring request: 64 NOPs submitted and reaped by one io_uring_enter, minus
  // the system call, per request (io_uring_setup outside the timing).
  say("io_uring request (64 NOPs per io_uring_enter)");
  {
    io_uring ring{};
    if (int e = io_uring_queue_init(64, &ring, 0); e < 0) {
      how["cpu.uring_op"] = fmt::format("default: io_uring_queue_init refused ({})", std::strerror(-e));
    } else {
      std::uint64_t n = iters(5000);
      double per_op = med_of(5, [&] {
        double t0 = now_ns();
        for (std::uint64_t i = 0; i < n; ++i) {
          for (int k = 0; k < 64; ++k) io_uring_prep_nop(io_uring_get_sqe(&ring));
          if (int got = io_uring_submit_and_wait(&ring, 64); got != 64) {
            errno = got < 0 ? -got : EAGAIN;
            fail("io_uring_enter (64 NOPs)");
          }
          io_uring_cq_advance(&ring, 64);
        }
        return std::max(0.0, ((now_ns() - t0) / double(n) - sys_ns) / 64);
      });
      io_uring_queue_exit(&ring);
      m.cpu.uring_op_ns = per_op;
      how["cpu.uring_op"] = "64 IORING_OP_NOP per io_uring_enter (submit and wait), minus the system call, per request";
    }
  }

  // A cached file made the way `measure` makes its files: 1 MiB writes, fsync.
  std::string path = dir.file("calibrate.bin");
  {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("create " + path);
    std::vector<char> chunk(1 << 20, 'k');
    for (std::uint64_t off = 0; off < file_bytes; off += chunk.size())
      if (::pwrite(fd, chunk.data(), chunk.size(), off_t(off)) != ssize_t(chunk.size())) fail("write " + path);
    ::fsync(fd);
    ::close(fd);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open " + path);
  const std::uint64_t pages = file_bytes / 4096;

  // 3. page-cache lookup: mincore() of a mapping never touched looks each page up in
  // the page cache (mm/mincore.c mincore_page) and copies nothing.
  say("page-cache lookup per page (mincore of an untouched mapping)");
  {
    std::vector<unsigned char> vec(pages);
    double ns = med_of(7, [&] {
      void* a = ::mmap(nullptr, file_bytes, PROT_READ, MAP_SHARED, fd, 0);
      if (a == MAP_FAILED) fail("mmap");
      double t0 = now_ns();
      ::mincore(a, file_bytes, vec.data());
      double t = now_ns() - t0;
      ::munmap(a, file_bytes);
      return t / double(pages);
    });
    m.cpu.page_lookup_ns = ns;
    how["cpu.page_lookup"] = fmt::format("mincore() of an untouched {} mapping of a cached file, per page, median of 7",
                                         format_size(double(file_bytes)));
  }

  // 4. copy kernel -> user by size: pread() of a cached file, minus the syscall and lookups.
  say("copy bandwidth by size (pread of a cached file)");
  std::vector<char> buf(1 << 20, 1);
  std::map<std::uint64_t, double> copy_bps;
  for (std::uint64_t s : {4096ULL, 65536ULL, 1048576ULL}) {
    double per_call = med_of(5, [&] {
      std::uint64_t calls = 0;
      double t0 = now_ns();
      for (std::uint64_t off = 0; off + s <= file_bytes; off += s, ++calls)
        if (::pread(fd, buf.data(), s, off_t(off)) != ssize_t(s)) fail("pread");
      return (now_ns() - t0) / double(calls);
    });
    double copy_ns = std::max(1.0, per_call - sys_ns - double(s / 4096) * m.cpu.page_lookup_ns);
    copy_bps[s] = double(s) / copy_ns * 1e9;
  }
  m.cpu.copy_bytes_per_s = copy_bps[65536];
  how["cpu.copy_bandwidth"] = fmt::format(
      "pread() of 64KiB from a cached {} file, minus syscall and lookups; by size: 4KiB {}, 64KiB {}, 1MiB {}",
      format_size(double(file_bytes)), format_rate(copy_bps[4096]), format_rate(copy_bps[65536]),
      format_rate(copy_bps[1048576]));

  // 5. minor faults and pages mapped per fault (fault-around, large folios).
  say("minor fault cost and pages mapped per fault (read-touch of a cached mapping)");
  {
    double faults = 0;
    double per_fault = med_of(5, [&] {
      char* a = static_cast<char*>(::mmap(nullptr, file_bytes, PROT_READ, MAP_SHARED, fd, 0));
      if (a == MAP_FAILED) fail("mmap");
      volatile char sink = 0;
      std::int64_t f0 = minflt_now();
      double t0 = now_ns();
      for (std::uint64_t p = 0; p < pages; ++p) sink = sink + a[p * 4096];
      double t = now_ns() - t0;
      faults = double(minflt_now() - f0);
      ::munmap(a, file_bytes);
      return faults > 0 ? t / faults : 0;
    });
    double ppf = faults > 0 ? double(pages) / faults : 1;
    m.cpu.minor_fault_ns = per_fault;
    m.cpu.map_page_ns = 0;
    m.mm.fault_around_pages = pow2_pages(ppf);
    how["cpu.minor_fault"] = fmt::format(
        "read-touch of one byte per page of a cached {} mapping: time / minor faults ({:.0f} faults, {:.1f} pages "
        "per fault); includes mapping the pages, so cpu.map_page is 0",
        format_size(double(file_bytes)), faults, ppf);
    how["cpu.map_page"] = "0: the minor-fault figure already includes mapping its pages";
    how["mm.fault_around"] = fmt::format("pages mapped per fault measured {:.1f} (fault-around or a large folio), "
                                         "rounded down to a power of two",
                                         ppf);
  }

  // 6. splice page move: file -> pipe -> /dev/null, per page moved by reference.
  say("splice page move (file -> pipe -> /dev/null)");
  {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) fail("pipe");
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0) fail("open /dev/null");
    const std::uint64_t chunk = 65536;
    double per_page = med_of(5, [&] {
      std::uint64_t calls = 0;
      loff_t off = 0;
      double t0 = now_ns();
      while (std::uint64_t(off) + chunk <= file_bytes) {
        ssize_t n = ::splice(fd, &off, p[1], nullptr, chunk, SPLICE_F_MOVE);
        if (n <= 0) fail("splice file -> pipe");
        std::uint64_t left = std::uint64_t(n);
        while (left) {
          ssize_t k = ::splice(p[0], nullptr, null, nullptr, left, SPLICE_F_MOVE);
          if (k <= 0) fail("splice pipe -> /dev/null");
          left -= std::uint64_t(k);
          ++calls;
        }
        ++calls;
      }
      double t = now_ns() - t0;
      double moves = double(file_bytes / 4096) * 2;  // into the pipe, out of it
      return std::max(0.0, (t - double(calls) * sys_ns - double(pages) * m.cpu.page_lookup_ns) / moves);
    });
    m.cpu.page_ref_ns = per_page;
    how["cpu.page_ref"] = "splice() of a cached file into a pipe and out to /dev/null, 64KiB at a time: time minus "
                          "syscalls and lookups, per page per move";
    ::close(p[0]);
    ::close(p[1]);
    ::close(null);
  }
  ::close(fd);

  // 7. the disk: O_DIRECT reads (no page cache) of 4KiB, 64KiB and 1MiB, one at a
  // time along the file; time per read = latency + bytes / bandwidth.
  say("disk read latency and bandwidth (O_DIRECT reads of 4KiB, 64KiB, 1MiB)");
  if (facts.temp_fs == "tmpfs") {
    how["disk.latency"] = how["disk.read_bandwidth"] =
        fmt::format("default: {} is on tmpfs (memory), not a disk; set TMPDIR to a disk's file system", dir.path());
  } else if (int dfd = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC); dfd < 0) {
    how["disk.latency"] = how["disk.read_bandwidth"] =
        fmt::format("default: {} cannot be opened with O_DIRECT ({})", dir.path(), std::strerror(errno));
  } else {
    void* mem = ::operator new(1 << 20, std::align_val_t(4096));
    std::vector<double> xs, ys;
    std::uint64_t off = 0;
    for (std::uint64_t size : {4096ULL, 65536ULL, 1048576ULL}) {
      const std::uint64_t n = iters(std::max(16.0, double(32ULL << 20) / double(size) / 8));
      double per_read = med_of(5, [&] {
        double t0 = now_ns();
        for (std::uint64_t i = 0; i < n; ++i) {
          if (off + size > file_bytes) off = 0;
          if (::pread(dfd, mem, size, off_t(off)) != ssize_t(size)) fail("O_DIRECT pread");
          off += size;
        }
        return (now_ns() - t0) / double(n);
      });
      xs.push_back(double(size));
      ys.push_back(per_read);
    }
    ::operator delete(mem, std::align_val_t(4096));
    ::close(dfd);
    auto [lat, per_byte] = fit(xs, ys);
    if (per_byte > 0 && lat > 0) {
      m.disk.latency_ns = lat;
      m.disk.read_bytes_per_s = 1e9 / per_byte;
      how["disk.latency"] = fmt::format("O_DIRECT pread() of 4KiB, 64KiB, 1MiB from the {} temp file system: "
                                        "intercept of time per read ({} at 4KiB)",
                                        facts.temp_fs, format_time_ns(ys[0]));
      how["disk.read_bandwidth"] = fmt::format("the same reads: slope ({} at 1MiB)", format_time_ns(ys[2]));
    }
  }

  // 8. socket send and receive, with the receiver on another CPU (as `measure` runs):
  // the sender's CPU per write() and per byte, the receiver's per read() and per byte,
  // and, by vmsplice(), the cost of a page attached to an skb as a fragment.
  say("socket send and receive per call and per byte (socket pair, receiver on another CPU)");
  {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair");
    int sndbuf = 0;
    socklen_t len = sizeof sndbuf;
    if (::getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 && sndbuf >= 4096) {
      m.sndbuf_bytes = std::uint64_t(sndbuf);
      how["net.sndbuf"] = fmt::format("SO_SNDBUF of a new socket pair: {} bytes (net.core.wmem_default)", sndbuf);
    }
    ::close(sv[0]);
    ::close(sv[1]);
    const std::vector<int> cpus = allowed_cpus();
    const int snd_cpu = cpus.size() >= 2 ? cpus[0] : -1, rcv_cpu = cpus.size() >= 2 ? cpus[1] : -1;
    const std::uint64_t total = o.scale < 1 ? (8ULL << 20) : (64ULL << 20);
    // Seven trials of each; every figure is the median of its own seven. The receiver
    // reads 64KiB per call, as measure's does, while the sender's writes vary; then
    // the sender writes 64KiB while the receiver's reads vary.
    auto stream = [&](std::uint64_t chunk, std::uint64_t read_size, ChunkPath how_sent) {
      std::vector<double> snd, rcv, per_read;
      for (int trial = 0; trial < 7; ++trial) {
        SocketStream r = socket_stream(chunk, read_size, total, how_sent, snd_cpu, rcv_cpu);
        snd.push_back(r.sender_ns_per_chunk);
        rcv.push_back(r.receiver_ns_per_read);
        per_read.push_back(r.receiver_bytes_per_read);
      }
      SocketStream med;
      med.sender_ns_per_chunk = median(snd);
      med.receiver_ns_per_read = median(rcv);
      med.receiver_bytes_per_read = median(per_read);
      return med;
    };
    // Two sizes, a line through their medians: from 16KiB up the per-call cost grows
    // faster than linearly (skb data moves to page fragments), and bulk transfers use
    // 64KiB calls, so the line is pinned there; the 4KiB point gives the fixed cost.
    const std::vector<std::uint64_t> sizes = {4096, 65536};
    std::vector<double> xs, wy, rx, ry;
    for (std::uint64_t size : sizes) {
      SocketStream w = stream(size, 65536, ChunkPath::write);
      xs.push_back(double(size));
      wy.push_back(w.sender_ns_per_chunk);
      SocketStream r = stream(65536, size, ChunkPath::write);
      rx.push_back(r.receiver_bytes_per_read);
      ry.push_back(r.receiver_ns_per_read);
    }
    // Page fragments first: vmsplice() of 4KiB (1 page) and of 64KiB (16 pages) into a
    // pipe, splice() to the socket, each minus the same to /dev/null: one skb and its
    // pages, with no data to copy or allocate: cpu.skb and cpu.skb_frag.
    auto frag_path = [&](std::uint64_t chunk) {
      std::uint64_t bytes = std::min<std::uint64_t>(total, chunk * 4096);  // fewer tiny chunks
      std::vector<double> snd, nulls;
      for (int trial = 0; trial < 7; ++trial) {
        snd.push_back(socket_stream(chunk, 65536, bytes, ChunkPath::vmsplice, snd_cpu, rcv_cpu).sender_ns_per_chunk);
        nulls.push_back(vmsplice_to_null_ns(chunk, bytes));
      }
      return median(snd) - median(nulls);
    };
    const double one_page = frag_path(4096), sixteen = frag_path(65536);
    const double frag = std::max(0.0, (sixteen - one_page) / 15);
    const double skb = std::max(0.0, one_page - frag);
    m.cpu.skb_frag_ns = frag;
    m.cpu.skb_ns = skb;
    const std::string where = cpus.size() >= 2 ? fmt::format("sender on CPU {}, receiver on CPU {}", snd_cpu, rcv_cpu)
                                               : std::string("one CPU for both");
    how["cpu.skb_frag"] = fmt::format("vmsplice() of 4KiB and of 64KiB into a pipe and splice() to a socket pair ({}), "
                                      "each minus the same to /dev/null ({} and {}): the difference per page",
                                      where, format_time_ns(one_page), format_time_ns(sixteen));
    how["cpu.skb"] = "the same: one page's figure minus cpu.skb_frag (an skb without data to copy)";
    // Then the copy path: a 64KiB write() is one syscall, n af_unix skbs (cut at
    // unix_skb_max) and 64KiB copied into new skb memory: its per-byte cost.
    const double n64 = std::ceil(xs[1] / double(unix_skb_max(m.sndbuf_bytes)));
    const double bw = (wy[1] - sys_ns - n64 * skb) / xs[1];  // ns per byte
    if (bw > 0) {
      m.send_bytes_per_s = 1e9 / bw;
      how["net.send_bandwidth"] = fmt::format("write() of 64KiB to a socket pair ({}, reading 64KiB): sender CPU {} "
                                              "minus the syscall and {:.0f} skbs, per byte",
                                              where, format_time_ns(wy[1]), n64);
    }
    auto [ar, br] = fit(rx, ry);
    if (br > 0) {
      m.recv_call_ns = std::max(0.0, ar);
      m.recv_bytes_per_s = 1e9 / br;
      how["net.recv_call"] = fmt::format("read() of 4KiB and 64KiB from 64KiB writes ({}): receiver CPU per call, intercept", where);
      how["net.recv_bandwidth"] = "the same reads: receiver CPU per byte (slope of the fit)";
    }
    c.notes.push_back(fmt::format("socket pair, {}: write() of 4KiB {}, of 64KiB {}; read() {} + {:.3f}ns/byte", where,
                                  format_time_ns(wy[0]), format_time_ns(wy[1]), format_time_ns(ar), br));
  }

  // 9. pipe: write + read of 4KiB in one thread (not a model key; a note).
  say("pipe write and read (4KiB)");
  double pipe_pair_ns = 0;
  {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) fail("pipe");
    std::uint64_t n = iters(100000);
    pipe_pair_ns = med_of(5, [&] {
      double t0 = now_ns();
      for (std::uint64_t i = 0; i < n; ++i) {
        if (::write(p[1], buf.data(), 4096) != 4096 || ::read(p[0], buf.data(), 4096) != 4096) fail("pipe");
      }
      return (now_ns() - t0) / double(n);
    });
    c.notes.push_back(fmt::format("pipe: write + read of 4KiB in one thread: {}", format_time_ns(pipe_pair_ns)));
    ::close(p[0]);
    ::close(p[1]);
  }

  // 10. context switch and wake-up: two processes pass a byte back and forth through two
  // pipes, first both pinned to one CPU (each read switches straight to the other), then
  // on two CPUs (each read leaves its CPU idle, each write must wake the other's CPU).
  say("context switch and wake-up (pipe ping-pong on one CPU, a wake-up across two)");
  {
    const std::vector<int> cpus = allowed_cpus();
    std::uint64_t n = iters(20000);
    auto round_trip = [&](int parent_cpu, int child_cpu) {
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
    };
    // A round trip on one CPU is two switches and two write+read pairs (measured above
    // without switching).
    const int cpu0 = cpus.empty() ? -1 : cpus[0];
    double rt = round_trip(cpu0, cpu0);
    m.cpu.context_switch_ns = std::max(0.0, (rt - 2 * pipe_pair_ns) / 2);
    how["cpu.context_switch"] = fmt::format("pipe ping-pong between two processes pinned to CPU {}: round trip {} "
                                            "minus two pipe write+read pairs, halved",
                                            cpu0, format_time_ns(rt));
    // On two CPUs: the time from a write() to a reader asleep on the other, idle CPU
    // returning from its read(), stamped with the one clock both share.
    if (cpus.size() >= 2) {
      double one_way = wake_latency_ns(cpus[0], cpus[1], iters(4000));
      m.cpu.wakeup_ns = std::max(0.0, one_way - pipe_pair_ns / 2 - m.cpu.context_switch_ns);
      how["cpu.wakeup"] = fmt::format("a write() to a pipe whose reader sleeps on another idle CPU (CPUs {} and {}): "
                                      "median {} until its read() returns, minus half a pipe write+read pair and a "
                                      "context switch",
                                      cpus[0], cpus[1], format_time_ns(one_way));
    }
  }

  // 11. memory: user code touching memory, and the memory bus (memcpy).
  say("memory: touch bandwidth and memcpy");
  {
    const std::size_t n = o.scale < 1 ? (16 << 20) : (128 << 20);
    std::vector<char> src(n, 1), dst(n, 2);
    double t = med_of(5, [&] {
      volatile std::uint64_t sum = 0;
      std::uint64_t s = 0;
      double t0 = now_ns();
      for (std::size_t i = 0; i < n; i += 64) s += std::uint64_t(src[i]);
      sum = s;
      (void)sum;
      return now_ns() - t0;
    });
    m.cpu.touch_bytes_per_s = double(n) / t * 1e9;
    how["cpu.touch_bandwidth"] = fmt::format("reading one byte per 64-byte line of a {} buffer", format_size(double(n)));
    // The bus is shared: one memcpy() per allowed CPU at once, as two copying
    // processes load it (a single core cannot fill it alone).
    const std::size_t streams = std::max<std::size_t>(1, std::min<std::size_t>(allowed_cpus().size(), 8));
    std::vector<std::vector<char>> from(streams), to(streams);
    for (std::size_t i = 0; i < streams; ++i) {
      from[i] = i == 0 ? std::move(src) : std::vector<char>(n, 1);
      to[i] = i == 0 ? std::move(dst) : std::vector<char>(n, 2);
    }
    double tc = med_of(5, [&] {
      double t0 = now_ns();
      std::vector<std::thread> copiers;
      for (std::size_t i = 0; i < streams; ++i)
        copiers.emplace_back([&, i] { std::memcpy(to[i].data(), from[i].data(), n); });
      for (auto& th : copiers) th.join();
      return now_ns() - t0;
    });
    m.memory_bytes_per_s = 2.0 * double(n * streams) / tc * 1e9;
    how["memory.bandwidth"] = fmt::format("{} memcpy() of {} at once, one per CPU: 2 x bytes / time (a load and a "
                                          "store per byte)",
                                          streams, format_size(double(n)));
  }

  // Facts of the host that are keys.
  m.cpu.cores = std::max(1u, facts.cpus);
  how["cpu.cores"] = "online CPUs (sysconf)";
  if (facts.pipe_size >= 4096) {
    m.pipe.slots = std::uint32_t(facts.pipe_size / 4096);
    how["pipe.slots"] = fmt::format("F_GETPIPE_SZ of a new pipe: {} bytes", facts.pipe_size);
  }
  if (auto v = parse_size(facts.max_skb_frags); v && *v >= 1 && *v <= 1024) {
    m.nic.max_frags = std::uint32_t(*v);
    how["nic.max_frags"] = "/proc/sys/net/core/max_skb_frags";
  }
  m.receiver_local = true;
  how["net.receiver"] = "local: real mode's receiver is a process on this machine (a socket pair)";
  if (facts.mem_available > (64ULL << 20)) {
    m.page_cache_bytes = std::min<std::uint64_t>(facts.mem_available / (1 << 20) * (1 << 20), 1ULL << 40);
    how["page_cache.size"] = "MemAvailable when calibrated";
  }
  m.derive();
  dir.remove();
  return c;
}

}  // namespace

Calibration calibrate(const CalibrateOptions& o, const std::function<void(const std::string&)>& progress) {
  ::signal(SIGPIPE, SIG_IGN);  // a benchmark's child that dies is an error to report, not our death
  Calibration c;
  c.facts = host_facts(temp_base());
  const unsigned rounds = std::max(1u, o.rounds);
  std::vector<Round> done;
  for (unsigned r = 0; r < rounds; ++r)
    done.push_back(calibrate_round(o, c.facts, [&](const std::string& line) {
      if (progress) progress(rounds > 1 ? fmt::format("round {}/{}: {}", r + 1, rounds, line) : line);
    }));
  // Each measured value is the median of the rounds: this host's speed drifts by tens
  // of percent from one second to the next, and a round takes a few seconds.
  // Only rounds that measured a key count for it (a rejected fit keeps the default);
  // the lower median, so that the value is one a round measured.
  Machine m = done.back().m;
  std::map<std::string, std::string> how;
  for (const auto& k : machine_keys()) {
    std::string name(k.name);
    std::vector<const Round*> measured;
    for (const auto& d : done) {
      auto h = d.how.find(name);
      if (h != d.how.end() && h->second.rfind("default", 0) != 0) measured.push_back(&d);
    }
    if (measured.empty()) {
      if (auto h = done.back().how.find(name); h != done.back().how.end()) how[name] = h->second;
      continue;
    }
    std::vector<const Round*> sorted = measured;
    std::sort(sorted.begin(), sorted.end(), [&](auto* a, auto* b) { return k.number(a->m) < k.number(b->m); });
    const Round* mid = sorted[(sorted.size() - 1) / 2];
    k.set(m, k.number(mid->m), k.show(mid->m));
    how[name] = mid->how.at(name);
    std::string each;
    for (const auto* d : measured) each += (each.empty() ? "" : ", ") + k.show(d->m);
    if (std::any_of(measured.begin(), measured.end(), [&](auto* d) { return k.number(d->m) != k.number(mid->m); }))
      how[name] += fmt::format("; median of {} rounds ({})", measured.size(), each);
  }
  m.derive();
  c.notes = done.back().notes;
  for (const auto& k : machine_keys()) {
    std::string name(k.name);
    auto h = how.find(name);
    c.values.push_back({name, k.show(m), h == how.end() ? "default: not measured by calibrate" : h->second});
  }
  return c;
}

std::string Calibration::yaml() const {
  std::ostringstream o;
  o << "# A machine profile measured by `kiosim calibrate` on this host. Each value says how it\n"
       "# was measured; values marked `default` were not measured. The composite methods\n"
       "# (read+write, mmap+write, sendfile, splice) were never run: `kiosim check` tests them.\n";
  o << fmt::format("# kernel: {}\n# cpu: {} ({} online)\n# page size {}, pipe size {}, max_skb_frags {}, THP {}, temp fs {}\n",
                   facts.kernel, facts.cpu_model, facts.cpus, facts.page_size, facts.pipe_size, facts.max_skb_frags,
                   facts.thp, facts.temp_fs);
  for (const auto& n : notes) o << "# note: " << n << "\n";
  o << "kiosim_machine: 1\nname: calibrated\n";
  o << fmt::format("description: measured by kiosim calibrate on {}\n", facts.kernel);
  // One block per section, in the order sections first appear in the registry.
  std::vector<std::string> sections;
  for (const auto& v : values) {
    std::string sec = v.key.substr(0, v.key.find('.'));
    if (std::find(sections.begin(), sections.end(), sec) == sections.end()) sections.push_back(sec);
  }
  for (const auto& sec : sections) {
    o << "\n" << sec << ":\n";
    for (const auto& v : values) {
      if (v.key.substr(0, v.key.find('.')) != sec) continue;
      o << fmt::format("  {}: {}\n", v.key.substr(v.key.find('.') + 1), v.value);
      o << fmt::format("    # {}\n", v.how);
    }
  }
  return o.str();
}

}  // namespace kiosim::host
