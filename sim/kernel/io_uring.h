// io_uring: one ring per thread (io_uring/io_uring.c io_uring_setup -> io_uring_create),
// its registered buffers (io_uring/rsrc.c io_sqe_buffers_register, pinned and charged
// by __io_account_mem against RLIMIT_MEMLOCK), and one submission: io_uring_enter ->
// io_submit_sqes takes the SQEs, runs each through the path its opcode names (read,
// write, send, recv, splice, fsync: the same page-cache, disk and socket paths as the system
// calls, nested inside one crossing), follows IOSQE_IO_LINK chains (io_fail_links:
// the rest of a failed chain completes with -ECANCELED), and posts one CQE each, which
// the program reaps from the CQ ring without a system call. IORING_OP_SEND_ZC
// (io_uring/net.c io_send_zc, io_uring/notif.c) posts two: the result at once, flagged
// IORING_CQE_F_MORE, and a notification (IORING_CQE_F_NOTIF) when the NIC is done with
// the pinned pages, after which the buffer may be reused. A recv (io_uring/net.c
// io_recv) that finds its socket's queue empty is armed on the socket by poll
// (io_arm_poll_handler) and completes when data comes: the submitter waits for the
// CQE, no thread sleeps in recv. With SQPOLL
// (io_uring/sqpoll.c io_sq_thread) no io_uring_enter submits while the kernel thread
// is awake; it spins on a core of its own, its CPU time counted, and sleeps after
// sq_thread_idle, when the next submission needs io_uring_enter(IORING_ENTER_SQ_WAKEUP).
// A read of a file whose filesystem has no FMODE_NOWAIT cannot be tried inline
// (io_uring/rw.c io_read: !io_file_supports_nowait, -EAGAIN) and goes to the ring's
// io-wq (io_queue_iowq -> io_wq_enqueue, model/io_wq.h): at most max_workers of them
// run at once, the others wait for a worker.
// Calls accounting, the page cache, the block device, writeback and the file and
// socket paths; the bookkeeping is model/io_uring.h's.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "model/io_uring.h"
#include "model/io_wq.h"
#include "sim/kernel/accounting.h"
#include "sim/kernel/block_device.h"
#include "sim/kernel/file_io.h"
#include "sim/kernel/filemap.h"
#include "sim/kernel/sock_rx.h"
#include "sim/kernel/socket_io.h"
#include "sim/kernel/writeback.h"

namespace kiosim {

// One SQE, with what it names (the walker resolved the program's names).
struct UringSqe {
  enum class Opcode : std::uint8_t { read, write, send, recv, splice, fsync, fdatasync };
  Opcode opcode = Opcode::read;
  OpenFile* file = nullptr;   // read, write, fsync; splice: the file it reads
  Socket* socket = nullptr;   // write, send; splice: the socket it writes
  PipeObj* pipe = nullptr;    // splice
  const ConnSet* conns = nullptr;  // recv: the connection it reads
  std::uint64_t bytes = 0;
  std::optional<std::uint64_t> offset;  // none: the file position (IORING_FEAT_RW_CUR_POS)
  bool link = false;          // IOSQE_IO_LINK
  std::int32_t fixed = -1;    // registered buffer index (IORING_OP_READ_FIXED / WRITE_FIXED)
  std::string buffer;         // the user buffer's name (send: what MSG_ZEROCOPY pins)
  bool zerocopy = false;      // send: IORING_OP_SEND_ZC (two CQEs)
};

class IoUring {
 public:
  IoUring(Accounting& acct, Filemap& filemap, BlockDevice& disk, Writeback& writeback, FileIo& file_io,
          SocketIo& socket_io, SockRx& sock_rx)
      : acct_(acct), filemap_(filemap), disk_(disk), writeback_(writeback), file_io_(file_io),
        socket_io_(socket_io), sock_rx_(sock_rx) {}

  // io_uring_setup(2): the thread's ring (a second one replaces the first).
  // `iowq_max` (0: the default bound): IORING_REGISTER_IOWQ_MAX_WORKERS after it.
  void setup(Thread& t, std::uint32_t entries, bool sqpoll, double idle_ns, std::uint32_t iowq_max = 0);
  // IORING_REGISTER_BUFFERS: false (ENOMEM, traced) when the pages pass mm.memlock.
  bool register_buffers(Thread& t, std::uint32_t buffers, std::uint64_t bytes);
  // One io_uring_enter(to_submit = sqes.size(), min_complete = all), or none with an
  // awake SQPOLL thread. Returns the bytes the SQEs moved.
  std::uint64_t enter(Thread& t, const std::vector<UringSqe>& sqes);
  // The thread ended: its ring closes (the SQPOLL thread's last spin is counted).
  void close(Thread& t);

 private:
  struct Ring {
    std::uint32_t sq_entries = 0;
    std::optional<SqThreadClock> sq;  // SQPOLL
    std::uint32_t buffers = 0;        // registered
    std::uint64_t buffer_bytes = 0;
    std::uint64_t pinned_pages = 0;
    IoWqBound iowq{1};                // its bounded io-wq workers
  };
  // A read started before any SQE is waited for (a chain's head): its disk request or
  // the pages it asked the page cache for.
  struct Started {
    std::uint64_t pos = 0, n = 0;
    DiskRequestPtr direct;
    bool buffered = false;
    bool einval = false;
  };
  Ring& ring(Thread& t);
  // `plug`: the submission's (io_submit_state's), for an O_DIRECT read's bio.
  Started start_read(Thread& t, const UringSqe& s, const Ring& r, BlockDevice::Plug* plug = nullptr);
  std::int64_t finish_read(Thread& t, const UringSqe& s, Started& st);
  std::int64_t run(Thread& t, const UringSqe& s, const Ring& r);
  bool punted(const UringSqe& s) const;  // io-wq's, not tried inline
  std::int64_t fixed_error(Thread& t, const UringSqe& s, const Ring& r);  // -EFAULT or 0
  void error_event(Thread& t, std::string_view why);

  Accounting& acct_;
  Filemap& filemap_;
  BlockDevice& disk_;
  Writeback& writeback_;
  FileIo& file_io_;
  SocketIo& socket_io_;
  SockRx& sock_rx_;
  std::map<const Thread*, Ring> rings_;
  std::map<const Process*, MemlockAccount> memlock_;  // per user in Linux; kiosim's processes are one user each
};

}  // namespace kiosim
