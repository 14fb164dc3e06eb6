// sim/program/ owns the program language: the ops (this file), what each takes
// (op_table.h) and how a program is walked (walker.h). It calls nothing but the
// standard library: the loader, the simulator and real mode call it.
//
// What a thread does, op by op. Scenario files write it in YAML
// (sim/scenario/program_loader.cpp); the four transfer methods are canned programs
// in it (sim/scenario/methods.cpp). Names bind descriptors, sockets, pipes and mappings.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kiosim {

enum class OpKind {
  open, close, socket, pipe,
  read, pread, write, pwrite,
  uring_read,
  mmap, munmap, touch,
  sendfile, splice,
  sleep, repeat,
  fadvise,
  fork,
  fsync, fdatasync,
  send,
  accept, epoll_create, epoll_ctl, epoll_wait, recv, select, poll,  // many connections (sim/kernel/sock_rx.h)
  uring_setup, uring_register, uring,  // io_uring: the ring, its buffers, one submission of SQEs
  queue_work,  // libuv's uv_queue_work: `do` on a thread pool's worker (sim/kernel/threadpool.h)
};
std::string_view to_string(OpKind k);

inline constexpr std::uint64_t kNoOffset = ~0ULL;

// open flags the model acts on (`open: { flags: [direct, append] }`).
namespace open_flags {
inline constexpr std::uint32_t direct = 1u << 0;  // O_DIRECT
inline constexpr std::uint32_t append = 1u << 1;  // O_APPEND
inline constexpr std::uint32_t dsync = 1u << 2;   // O_DSYNC: each write returns once its data is durable
inline constexpr std::uint32_t sync = 1u << 3;    // O_SYNC: each write returns once data and inode are durable
}  // namespace open_flags

struct Op {
  OpKind kind{};
  int line = 0;                  // where it was written (1-based), 0 for canned programs
  std::string as;                // name bound by open/socket/pipe/mmap
  std::string file;              // open: file name
  std::string fd;                // read/write/close/mmap: descriptor name
  std::string in, out;           // sendfile, splice: descriptors (a pipe name means its end)
  std::string buf = "buf";       // read/write: user buffer name
  std::string from;              // write/touch: mapping name as the source or target
  std::uint64_t bytes = 0;       // bytes to move; for mmap the length (0 = whole file)
  std::string bytes_param;       // `bytes: $name`: the scenario's params.name (swept)
  std::uint64_t offset = kNoOffset;  // pread/pwrite/sendfile/touch/mmap offset
  bool shared = true;            // mmap: MAP_SHARED or MAP_PRIVATE
  bool writable = false;         // mmap: PROT_WRITE; touch: a write access
  bool zerocopy = false;         // send: MSG_ZEROCOPY
  bool nonblock = false;         // write, send to a socket: O_NONBLOCK / MSG_DONTWAIT (a short count or EAGAIN)
  bool until_done = false;       // write, send: loop on the returned count until `bytes` are moved
  bool sequential = false;       // touch: start where the last sequential touch of the mapping ended
  double ns = 0;                 // sleep
  std::uint64_t count = 0;       // repeat
  std::uint32_t depth = 1;       // uring_read: reads submitted by one io_uring_enter
  std::uint32_t entries = 0;     // uring_setup: SQ entries asked for
  bool sqpoll = false;           // uring_setup: IORING_SETUP_SQPOLL (`ns`: sq_thread_idle)
  std::uint32_t iowq_max = 0;    // uring_setup: IORING_REGISTER_IOWQ_MAX_WORKERS' bound; 0: the default
  std::uint32_t buffers = 0;     // uring_register: buffers registered, `bytes` each
  bool link = false;             // an SQE of `uring`: IOSQE_IO_LINK, the next starts when it completes
  std::int32_t fixed = -1;       // an SQE of `uring`: the registered buffer it uses (READ_FIXED/WRITE_FIXED)
  std::uint32_t open_flags = 0;  // open: open_flags::*
  std::string advice;            // fadvise: dontneed or willneed
  std::vector<Op> body;          // repeat; fork: the child's program (`as` names the child); uring: its SQEs;
                                 // epoll_wait, select, poll: what runs for each ready connection (`as`);
                                 // queue_work: what a worker runs
  // many connections (sim/kernel/sock_rx.h); `count` is accept's number of connections
  std::string ep;                // epoll_ctl, epoll_wait: the epoll instance
  std::string ctl;               // epoll_ctl: add, mod or del
  std::uint32_t events = 0;      // epoll_ctl: epoll_bits (in, out, et, exclusive)
  std::uint32_t maxevents = 64;  // epoll_wait
  double timeout_ns = -1;        // epoll_wait, select, poll: < 0 waits for ever
  bool until_idle = false;       // epoll_wait, select, poll: call again until one times out with the clients done
  bool until_eagain = false;     // recv: call again until EAGAIN (what edge-triggered epoll needs)
  std::uint32_t workers = 4;     // queue_work: the pool's threads (UV_THREADPOOL_SIZE)
};

struct Program {
  std::vector<Op> setup;  // runs first, not counted or timed (like real mode's preparation)
  std::vector<Op> body;   // counted and timed
};

}  // namespace kiosim
