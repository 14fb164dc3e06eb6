#include "sim/host/socket_stream.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "sim/host/cpus.h"
#include "sim/host/measure.h"
#include "sim/host/private_dir.h"
#include "sim/host/syscall_error.h"

namespace kiosim::host {

namespace {

double cpu_ns() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return (double(ru.ru_utime.tv_sec) + double(ru.ru_stime.tv_sec)) * 1e9 +
         (double(ru.ru_utime.tv_usec) + double(ru.ru_stime.tv_usec)) * 1e3;
}

// A page-aligned buffer, touched so that no fault lands in the timed loop.
struct Buffer {
  char* p = nullptr;
  std::size_t n = 0;
  explicit Buffer(std::size_t bytes) : n(bytes) {
    void* a = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) fail("mmap of a buffer");
    p = static_cast<char*>(a);
    std::memset(p, 'k', n);
  }
  ~Buffer() { ::munmap(p, n); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
};

// vmsplice() the whole buffer into the pipe, then splice() it all out to `out`.
void vmsplice_chunk(const Buffer& b, int pipe_r, int pipe_w, int out) {
  iovec iov{b.p, b.n};
  ssize_t n = ::vmsplice(pipe_w, &iov, 1, 0);
  if (n != ssize_t(b.n)) fail("vmsplice");
  for (ssize_t left = n; left > 0;) {
    ssize_t k = ::splice(pipe_r, nullptr, out, nullptr, std::size_t(left), 0);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) fail("splice (pipe -> socket)");
    left -= k;
  }
}

// A pipe big enough for one chunk.
std::pair<int, int> chunk_pipe(std::uint64_t chunk) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) fail("pipe");
  if (::fcntl(p[1], F_SETPIPE_SZ, int(chunk)) < 0) fail("F_SETPIPE_SZ");
  return {p[0], p[1]};
}

}  // namespace

SocketStream socket_stream(std::uint64_t chunk, std::uint64_t read_size, std::uint64_t total, ChunkPath path,
                           int sender_cpu, int receiver_cpu) {
  int sv[2], rep[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair");
  if (::pipe2(rep, O_CLOEXEC) != 0) fail("pipe");
  pid_t pid = spawn_pinned(receiver_cpu, [&] {  // the receiver: read and discard, then report
    ::close(sv[0]);
    ::close(rep[0]);
    Buffer b(read_size);
    double c0 = cpu_ns(), calls = 0, bytes = 0;
    for (;;) {
      ssize_t r = ::read(sv[1], b.p, b.n);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      calls += 1;
      bytes += double(r);
    }
    double out[3] = {cpu_ns() - c0, calls, bytes};
    if (::write(rep[1], out, sizeof out) != ssize_t(sizeof out)) ::_exit(1);
  });
  ::close(sv[1]);
  ::close(rep[1]);
  SocketStream s;
  try {
    pin_to_cpu(sender_cpu);
    Buffer b(chunk);
    auto [pr, pw] = path == ChunkPath::vmsplice ? chunk_pipe(chunk) : std::pair<int, int>{-1, -1};
    ::usleep(1000);  // let the receiver reach its first read()
    std::uint64_t chunks = total / chunk;
    double c0 = cpu_ns(), t0 = now_ns();
    for (std::uint64_t i = 0; i < chunks; ++i) {
      if (path == ChunkPath::vmsplice) {
        vmsplice_chunk(b, pr, pw, sv[0]);
        continue;
      }
      for (std::size_t done = 0; done < b.n;) {
        ssize_t w = ::write(sv[0], b.p + done, b.n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("write to a socket pair");
        done += std::size_t(w);
      }
    }
    s.sender_ns_per_chunk = (cpu_ns() - c0) / double(chunks);
    ::shutdown(sv[0], SHUT_WR);
    double r[3] = {0, 0, 0};
    if (::read(rep[0], r, sizeof r) != ssize_t(sizeof r) || r[1] <= 0)
      throw HostError("socket benchmark: the receiver process ended without its report");
    s.wall_ns = now_ns() - t0;
    s.receiver_ns_per_read = r[0] / r[1];
    s.receiver_bytes_per_read = r[2] / r[1];
    if (pr >= 0) {
      ::close(pr);
      ::close(pw);
    }
  } catch (...) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    unregister_child(pid);
    unpin();
    throw;
  }
  ::waitpid(pid, nullptr, 0);
  unregister_child(pid);
  unpin();
  ::close(sv[0]);
  ::close(rep[0]);
  return s;
}

double vmsplice_to_null_ns(std::uint64_t chunk, std::uint64_t total) {
  int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null < 0) fail("open /dev/null");
  Buffer b(chunk);
  auto [pr, pw] = chunk_pipe(chunk);
  std::uint64_t chunks = total / chunk;
  double c0 = cpu_ns();
  for (std::uint64_t i = 0; i < chunks; ++i) vmsplice_chunk(b, pr, pw, null);
  double per = (cpu_ns() - c0) / double(chunks);
  ::close(pr);
  ::close(pw);
  ::close(null);
  return per;
}

}  // namespace kiosim::host
