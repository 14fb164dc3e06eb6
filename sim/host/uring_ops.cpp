// Real mode's io_uring ring ops (SyscallOps, sim/host/syscall_ops.h), with liburing:
// `uring_setup` is io_uring_queue_init_params (IORING_SETUP_SQPOLL with sq_thread_idle
// in milliseconds, rounded up), `uring_register` io_uring_register_buffers (page-aligned
// buffers; ENOMEM past RLIMIT_MEMLOCK is counted as a refusal and the program goes on,
// as the simulator's does), and `uring` one submission: an SQE per op of `do` (read,
// write, send, splice, fsync, fdatasync; IOSQE_IO_LINK; READ_FIXED / WRITE_FIXED into
// a registered buffer), then one io_uring_submit_and_wait for all of them: one
// io_uring_enter, counted. The CQEs are then reaped from the CQ ring without a call.
// The simulator's side is sim/kernel/io_uring.cpp.
//
// With SQPOLL no call submits while the kernel thread is awake: io_uring_submit enters
// only when the ring says IORING_SQ_NEED_WAKEUP (liburing's sq_ring_needs_enter), which
// we read just before it and count as a wake-up enter (the thread may fall asleep
// between our read and liburing's: then one enter goes uncounted). The CQEs are
// awaited by spinning on the CQ ring (io_uring_peek_cqe, no call) for up to 100 ms,
// then with io_uring_wait_cqe, which is an io_uring_enter and is counted as one.
//
// A file SQE without an offset reads or writes at the descriptor's position, which
// kiosim moves at submission (IORING_FEAT_RW_CUR_POS moves it at completion, so
// several in one submission would share it): real mode gives each its offset from the
// position, and moves the position past them after (lseek, not counted).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "sim/host/syscall_error.h"
#include "sim/host/syscall_ops.h"

namespace kiosim::host {

namespace {

constexpr double kSpinNs = 100e6;  // how long an SQPOLL submitter spins on the CQ ring

}  // namespace

void SyscallOps::close_ring() {
  if (!ring_) return;
  io_uring_queue_exit(ring_.get());
  ring_.reset();
  fixed_.clear();
  sqpoll_ = false;
}

void SyscallOps::uring_setup(const Op& op) {
  count(op);
  close_ring();  // a second ring replaces the first
  io_uring_params p{};
  if (op.sqpoll) {
    p.flags |= IORING_SETUP_SQPOLL;
    p.sq_thread_idle = op.ns > 0 ? unsigned(std::ceil(op.ns / 1e6)) : 1000;  // the simulator's default: 1 s
  }
  ring_ = std::make_unique<io_uring>();
  if (int e = io_uring_queue_init_params(op.entries, ring_.get(), &p); e < 0) {
    ring_.reset();
    throw HostError(fmt::format("real mode: io_uring_setup{} (line {}): {}", op.sqpoll ? " with SQPOLL" : "",
                                op.line, std::strerror(-e)));
  }
  sqpoll_ = op.sqpoll;
}

void SyscallOps::uring_register(const Op& op) {
  count(op);
  if (!ring_) throw HostError("real mode: uring_register without a ring");
  if (!fixed_.empty()) io_uring_unregister_buffers(ring_.get());  // a new registration replaces the old one
  fixed_.clear();
  fixed_.resize(op.buffers);
  std::vector<iovec> iov(op.buffers);
  for (std::uint32_t i = 0; i < op.buffers; ++i) {
    fixed_[i].assign(std::size_t(op.bytes), 1);  // touched: the pages exist before they are pinned
    iov[i] = {fixed_[i].data(), std::size_t(op.bytes)};
  }
  const int e = io_uring_register_buffers(ring_.get(), iov.data(), op.buffers);
  if (e == -ENOMEM) {  // io_account_mem: past RLIMIT_MEMLOCK (the simulator's mm.memlock)
    ++out_.ring.memlock_refusals;  // in setup too, as the simulator counts it
    fixed_.clear();
    return;
  }
  if (e < 0) throw HostError(fmt::format("real mode: io_uring_register_buffers: {}", std::strerror(-e)));
}

void SyscallOps::uring_submit(const Op& op, const std::vector<RingSqe>& sqes) {
  if (!ring_) throw HostError("real mode: uring without a ring");
  // Each file's position, for the SQEs that use it (see above).
  std::map<int, off_t> pos;
  for (const RingSqe& s : sqes) {
    io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
    if (!sqe) throw HostError("real mode: the io_uring submission queue is full");
    const Op& o = *s.op;
    const unsigned n = unsigned(o.bytes);
    std::uint64_t off = 0;
    if (s.file_fd >= 0 && !s.pipe) {
      if (o.offset != kNoOffset) {
        off = o.offset;
      } else {
        auto it = pos.find(s.file_fd);
        if (it == pos.end()) it = pos.emplace(s.file_fd, ::lseek(s.file_fd, 0, SEEK_CUR)).first;
        off = std::uint64_t(it->second);
        it->second += off_t(o.bytes);
      }
    }
    const bool fixed = o.fixed >= 0;
    char* fbuf = fixed && std::size_t(o.fixed) < fixed_.size() ? fixed_[std::size_t(o.fixed)].data() : nullptr;
    switch (o.kind) {
      case OpKind::read:
      case OpKind::pread:
        if (fixed) io_uring_prep_read_fixed(sqe, s.file_fd, fbuf ? fbuf : buffer(o.buf, o.bytes), n, off, o.fixed);
        else io_uring_prep_read(sqe, s.file_fd, buffer(o.buf, o.bytes), n, off);
        break;
      case OpKind::write:
      case OpKind::pwrite: {
        const int fd = s.socket_fd >= 0 ? s.socket_fd : s.file_fd;
        if (fixed) io_uring_prep_write_fixed(sqe, fd, fbuf ? fbuf : buffer(o.buf, o.bytes), n, off, o.fixed);
        else io_uring_prep_write(sqe, fd, buffer(o.buf, o.bytes), n, off);
        break;
      }
      case OpKind::send: io_uring_prep_send(sqe, s.socket_fd, buffer(o.buf, o.bytes), o.bytes, 0); break;
      case OpKind::recv: io_uring_prep_recv(sqe, s.socket_fd, buffer(o.buf, o.bytes), o.bytes, 0); break;
      case OpKind::splice:
        if (s.file_fd >= 0) io_uring_prep_splice(sqe, s.file_fd, -1, s.pipe->w, -1, n, SPLICE_F_MOVE);
        else io_uring_prep_splice(sqe, s.pipe->r, -1, s.socket_fd, -1, n, SPLICE_F_MOVE);
        break;
      case OpKind::fsync:
      case OpKind::fdatasync:
        io_uring_prep_fsync(sqe, s.file_fd, o.kind == OpKind::fdatasync ? IORING_FSYNC_DATASYNC : 0);
        break;
      default: throw std::logic_error("kiosim: an SQE of a kind the loader refuses reached real mode");
    }
    if (o.link) sqe->flags |= IOSQE_IO_LINK;
    io_uring_sqe_set_data(sqe, reinterpret_cast<void*>(std::uintptr_t(&s - sqes.data())));  // (set_data64: liburing 2.2+)
  }
  const unsigned n = unsigned(sqes.size());
  if (!sqpoll_) {
    count(op);  // io_uring_submit_and_wait: one io_uring_enter(n, n, IORING_ENTER_GETEVENTS)
    const int e = io_uring_submit_and_wait(ring_.get(), n);
    if (e != int(n)) {
      errno = e < 0 ? -e : EAGAIN;
      fail(fmt::format("io_uring_enter (submitted {} of {} SQEs)", e < 0 ? 0 : e, n));
    }
  } else {
    if (IO_URING_READ_ONCE(*ring_->sq.kflags) & IORING_SQ_NEED_WAKEUP) {
      count(op);  // io_uring_enter(IORING_ENTER_SQ_WAKEUP)
      if (counted) ++out_.ring.sqpoll_wakeups;
    }
    const int e = io_uring_submit(ring_.get());
    if (e < 0) {
      errno = -e;
      fail("io_uring_submit (SQPOLL)");
    }
  }
  out_.ring.uring_sqes += n;
  const double spin_until = now_ns() + kSpinNs;
  for (unsigned got = 0; got < n;) {
    io_uring_cqe* cqe = nullptr;
    if (io_uring_peek_cqe(ring_.get(), &cqe) != 0 || !cqe) {
      // Without SQPOLL every CQE is posted when submit_and_wait returns: the peek finds it.
      if (sqpoll_ && now_ns() < spin_until) continue;
      count(op);  // io_uring_wait_cqe: an io_uring_enter(GETEVENTS)
      if (int w = io_uring_wait_cqe(ring_.get(), &cqe); w < 0) {
        errno = -w;
        fail("io_uring_wait_cqe");
      }
    }
    const std::size_t i = std::size_t(reinterpret_cast<std::uintptr_t>(io_uring_cqe_get_data(cqe)));
    const int res = cqe->res;
    io_uring_cqe_seen(ring_.get(), cqe);
    ++got;
    ++out_.ring.uring_cqes;
    if (res == -ECANCELED) ++out_.ring.uring_canceled;
    else if (res < 0) ++out_.ring.uring_failed;
    if (i < sqes.size() && sqes[i].op->kind == OpKind::recv && res > 0) {  // as recv() counts its bytes
      out_.rx.recv_bytes += std::uint64_t(res);
      out_.conn_bytes[sqes[i].socket_fd] += std::uint64_t(res);
    }
    if (i < sqes.size() && sqes[i].pipe && res > 0) {
      if (sqes[i].file_fd >= 0) sqes[i].pipe->content += std::uint64_t(res);
      else sqes[i].pipe->content -= std::min(sqes[i].pipe->content, std::uint64_t(res));
    }
  }
  for (const auto& [fd, p] : pos) {  // past what was read or written, at most to the end of the file
    struct stat st {};
    ::fstat(fd, &st);
    ::lseek(fd, std::min<off_t>(p, st.st_size), SEEK_SET);
  }
}

}  // namespace kiosim::host
