#include "sim/host/syscall_ops.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "sim/host/syscall_error.h"

namespace kiosim::host {

SyscallOps::~SyscallOps() {
  close_ring();
  for (int fd : owned_fds_) ::close(fd);
}

void SyscallOps::make_ring(std::uint32_t depth) {
  ring_ = std::make_unique<io_uring>();
  if (int e = io_uring_queue_init(depth, ring_.get(), 0); e < 0) {
    ring_.reset();
    throw HostError(fmt::format("real mode: io_uring_queue_init: {} (is io_uring disabled by "
                                "kernel.io_uring_disabled or a seccomp filter?)",
                                std::strerror(-e)));
  }
}

SyscallOps::File SyscallOps::open(const Op& op, const std::string& file) {
  auto it = paths_.find(file);
  if (it == paths_.end()) throw HostError("real mode: the program opens `" + file + "`, which is not a scenario file");
  count(op);
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
  return {fd, (flags & (O_DSYNC | O_SYNC)) != 0};
}

SyscallOps::Socket SyscallOps::socket(const Op& op) {
  count(op);  // bound to the connection made before the run
  return {sock_};
}

SyscallOps::Pipe SyscallOps::pipe(const Op& op) {
  count(op);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) fail("pipe");
  return {p[0], p[1], 0};
}

void SyscallOps::close(const Op& op, File& f) {
  count(op);
  ::close(f.fd);
}

void SyscallOps::read(const Op& op, File& f) {
  char* b = buffer(op.buf, op.bytes);
  std::uint64_t done = 0;
  for (bool first = true; done < op.bytes; first = false) {
    count(op, first);
    ssize_t r = op.kind == OpKind::pread ? ::pread(f.fd, b + done, op.bytes - done, off_t(op.offset + done))
                                         : ::read(f.fd, b + done, op.bytes - done);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail(std::string(syscall(op)));
    if (r == 0) break;
    done += std::uint64_t(r);
  }
}

// Real mode's writes and sends already loop until done (counted in short_calls), as
// `until_done` does; a non-blocking socket's EAGAIN and poll are not run here yet.
constexpr const char* kNonblockNotMeasured =
    "real mode: a non-blocking socket write (`nonblock`) is not measured yet; measure the blocking one";

void SyscallOps::send(const Op& op, Socket& s) {
  if (op.zerocopy)
    throw HostError("real mode: MSG_ZEROCOPY needs a TCP socket and its error queue; measure does not run it yet");
  if (op.nonblock) throw HostError(kNonblockNotMeasured);
  const char* src = buffer(op.buf, op.bytes);
  std::uint64_t done = 0;
  for (bool first = true; done < op.bytes; first = false) {
    count(op, first);
    ssize_t w = ::send(s.fd, src + done, op.bytes - done, 0);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail("send");
    done += std::uint64_t(w);
  }
}

SyscallOps::Mapping SyscallOps::mmap(const Op& op, File& f) {
  std::uint64_t off = op.offset == kNoOffset ? 0 : op.offset;
  std::uint64_t aligned = off / 4096 * 4096;
  std::uint64_t len = op.bytes;
  if (len == 0) {
    struct stat sb {};
    ::fstat(f.fd, &sb);
    len = std::uint64_t(sb.st_size) > off ? std::uint64_t(sb.st_size) - off : 0;
  }
  std::size_t maplen = std::size_t(len + (off - aligned));
  count(op);
  int prot = PROT_READ | (op.writable ? PROT_WRITE : 0);
  void* a = ::mmap(nullptr, maplen, prot, op.shared ? MAP_SHARED : MAP_PRIVATE, f.fd, off_t(aligned));
  if (a == MAP_FAILED) fail("mmap");
  return {static_cast<char*>(a), maplen, aligned, off};
}

SyscallOps::Mapping SyscallOps::mmap_anon(const Op& op) {
  std::size_t len = std::size_t(std::max<std::uint64_t>(1, (op.bytes + 4095) / 4096) * 4096);
  count(op);
  int prot = PROT_READ | (op.writable ? PROT_WRITE : 0);
  void* a = ::mmap(nullptr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED) fail("mmap (anonymous)");
  // The model maps 4 KiB pages: no THP. With THP `always` (or an anonymous mTHP size
  // enabled), do_anonymous_page would map a 2 MiB (or 16-64 KiB) folio at the first
  // touch, one fault for many pages, and after fork the first write splits it
  // (do_huge_pmd_wp_page falls back to 4 KiB CoW). VM_NOHUGEPAGE keeps every fault at
  // one 4 KiB page, as kiosim counts them (an uncounted call: ours, not the program's).
  ::madvise(a, len, MADV_NOHUGEPAGE);
  return {static_cast<char*>(a), len, 0, 0};
}

void SyscallOps::munmap(const Op& op, Mapping& m) {
  count(op);
  ::munmap(m.addr, m.len);
}

void SyscallOps::touch(const Op& op, Mapping& m, std::uint64_t offset) {
  std::uint64_t end = std::min<std::uint64_t>(offset + op.bytes, m.len);
  std::uint64_t sum = 0;
  for (std::uint64_t i = offset; i < end; i += 64) {
    if (op.writable) m.addr[i] = char(i);
    else sum += std::uint64_t(static_cast<volatile char*>(m.addr)[i]);
  }
  sink_ = sink_ + sum;
}

void SyscallOps::sendfile(const Op& op, Socket& out, File& in) {
  std::uint64_t done = 0;
  for (bool first = true; done < op.bytes; first = false) {
    count(op, first);
    ssize_t n = ::sendfile(out.fd, in.fd, nullptr, op.bytes - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("sendfile");
    if (n == 0) break;
    done += std::uint64_t(n);
  }
}

void SyscallOps::splice_to_pipe(const Op& op, File& in, Pipe& out) {
  count(op);
  ssize_t n;
  do n = ::splice(in.fd, nullptr, out.w, nullptr, op.bytes, SPLICE_F_MOVE | SPLICE_F_MORE);
  while (n < 0 && errno == EINTR);
  if (n < 0) fail("splice (file -> pipe)");
  out.content += std::uint64_t(n);
}

void SyscallOps::splice_from_pipe(const Op& op, Pipe& in, Socket& out) {
  std::uint64_t want = std::min(op.bytes, in.content), done = 0;
  for (bool first = true; done < want; first = false) {
    count(op, first);
    ssize_t n = ::splice(in.r, nullptr, out.fd, nullptr, want - done, SPLICE_F_MOVE);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("splice (pipe -> socket)");
    done += std::uint64_t(n);
  }
  in.content -= done;
}

void SyscallOps::sleep(const Op& op) {
  timespec ts{time_t(op.ns / 1e9), long(std::fmod(op.ns, 1e9))};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

void SyscallOps::fadvise(const Op& op, File& f) {
  count(op);
  int advice = op.advice == "willneed" ? POSIX_FADV_WILLNEED : POSIX_FADV_DONTNEED;
  ::posix_fadvise(f.fd, off_t(op.offset == kNoOffset ? 0 : op.offset), off_t(op.bytes), advice);
}

void SyscallOps::fsync(const Op& op, File& f) {
  count(op);
  const double t0 = now_ns();
  if ((op.kind == OpKind::fsync ? ::fsync(f.fd) : ::fdatasync(f.fd)) != 0) fail(std::string(syscall(op)));
  if (counted) out_.sync_ns += now_ns() - t0;
}

void SyscallOps::write_file(const Op& op, File& f, Mapping* from) {
  const double t0 = now_ns();
  write(op, f.fd, from);
  if (counted) (f.sync ? out_.sync_ns : out_.write_ns) += now_ns() - t0;
}

void SyscallOps::fork(const Op& op, const std::function<void(SyscallOps&)>& run_child) {
  children_.fork_called();
  count(op);
  children_.start(op.as, [&](ForkedChildren::ChildSide& side) {
    Sample mine;
    SyscallOps child(paths_, dir_, buffers_, sock_, mine);
    child.counted = counted;
    child.side_ = &side;
    child.clients_ = clients_;
    run_child(child);
  });
}

void SyscallOps::count(const Op& op, bool first) {
  if (!counted) return;
  out_.syscalls[std::string(syscall(op))] += 1;
  out_.syscalls_total += 1;
  if (!first) ++out_.short_calls;
}

char* SyscallOps::buffer(const std::string& name, std::uint64_t bytes) {
  auto& b = buffers_[name];
  if (b.size() < bytes) b.resize(bytes, 1);  // the body's buffers are sized before timing
  return b.data();
}

void SyscallOps::write(const Op& op, int fd, Mapping* from) {
  if (op.nonblock) throw HostError(kNonblockNotMeasured);
  const char* src = nullptr;
  if (from) {
    std::uint64_t at = from->cursor - from->file_offset;
    if (at + op.bytes > from->len) throw HostError("real mode: a write from `" + op.from + "` runs past its mapping");
    src = from->addr + at;
    from->cursor += op.bytes;
  } else {
    src = buffer(op.buf, op.bytes);
  }
  std::uint64_t done = 0;
  for (bool first = true; done < op.bytes; first = false) {
    count(op, first);
    ssize_t w = op.kind == OpKind::pwrite ? ::pwrite(fd, src + done, op.bytes - done, off_t(op.offset + done))
                                          : ::write(fd, src + done, op.bytes - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail(std::string(syscall(op)));
    done += std::uint64_t(w);
  }
}

void SyscallOps::uring_read(const Op& op, File& f) {
  char* b = buffer(op.buf, op.bytes * op.depth);
  // io_uring reads take offsets: the descriptor's position, moved past them after
  // (two lseek calls, not counted: the simulator moves the position itself).
  off_t pos = ::lseek(f.fd, 0, SEEK_CUR);
  for (std::uint32_t i = 0; i < op.depth; ++i) {
    io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
    if (!sqe) throw HostError("real mode: the io_uring submission queue is full");
    io_uring_prep_read(sqe, f.fd, b + i * op.bytes, unsigned(op.bytes), std::uint64_t(pos) + i * op.bytes);
  }
  count(op);
  int e = io_uring_submit_and_wait(ring_.get(), op.depth);  // one io_uring_enter
  if (e != int(op.depth)) {
    errno = e < 0 ? -e : EAGAIN;
    fail(fmt::format("io_uring_enter (submitted {} of {} reads)", e < 0 ? 0 : e, op.depth));
  }
  std::uint64_t got = 0;
  for (std::uint32_t i = 0; i < op.depth; ++i) {
    io_uring_cqe* cqe = nullptr;
    if (int w = io_uring_wait_cqe(ring_.get(), &cqe); w < 0) {  // already posted: no system call
      errno = -w;
      fail("io_uring completion");
    }
    if (cqe->res < 0) {
      errno = -cqe->res;
      fail("io_uring read");
    }
    got += std::uint64_t(cqe->res);
    io_uring_cqe_seen(ring_.get(), cqe);
  }
  ::lseek(f.fd, pos + off_t(got), SEEK_SET);
}

}  // namespace kiosim::host
