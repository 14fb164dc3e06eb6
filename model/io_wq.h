// io_uring's worker pool for requests that would block (io_uring/io-wq.c), its bounded
// class (IO_WQ_ACCT_BOUND: regular files and block devices) without time: a request
// that cannot be done without blocking is queued (io_wq_enqueue -> io_wq_insert_work)
// and a worker takes it; a new worker is made while fewer than max_workers exist
// (io_wq_create_worker), and the rest of the work waits in the list until a worker is
// done with what it had (io_worker_handle_work takes the next item). The bound
// defaults to min(SQ entries, 4 x online CPUs) (io_uring/tctx.c io_init_wq_offload)
// and IORING_REGISTER_IOWQ_MAX_WORKERS changes it (io_wq_max_workers, capped at
// RLIMIT_NPROC). Simplified: workers never go idle and exit (WORKER_IDLE_TIMEOUT,
// 5 s); no hashed (serialised per inode) work; the unbounded class (sockets, pipes) is
// not used. sim/kernel/io_uring.cpp runs the work.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace kiosim {

inline constexpr std::uint32_t kIowqMaxWorkersLimit = 4096;  // kiosim's stand-in for RLIMIT_NPROC

// io_init_wq_offload: "Do QD, or 4 * CPUS, whatever is smallest".
std::uint32_t iowq_default_bound(std::uint32_t sq_entries, std::uint32_t cpus);

class IoWqBound {
 public:
  explicit IoWqBound(std::uint32_t max_workers) : max_(max_workers ? max_workers : 1) {}
  // io_wq_max_workers: a new bound (0 leaves it as it is, as in Linux).
  void set_max(std::uint32_t n) {
    if (n) max_ = n;
  }
  // io_wq_enqueue: true when a worker takes `work` now (a free one, or a new one while
  // fewer than the bound exist); false: it waits in the work list.
  bool enqueue(std::size_t work);
  // A worker finished its work: the work it takes next from the list, if any.
  std::optional<std::size_t> done();
  std::uint32_t running() const { return running_; }
  std::uint32_t workers() const { return workers_; }  // created so far (they stay)
  std::uint32_t max_workers() const { return max_; }
  std::size_t waiting() const { return list_.size(); }

 private:
  std::uint32_t max_;
  std::uint32_t running_ = 0;
  std::uint32_t workers_ = 0;
  std::deque<std::size_t> list_;
};

}  // namespace kiosim
