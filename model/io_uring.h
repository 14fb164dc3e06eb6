// io_uring's bookkeeping, without time or I/O: the ring sizes io_uring_setup gives
// (io_uring/io_uring.c io_uring_create: entries rounded up to a power of two, the CQ
// twice the SQ), the link chains of a submission (io_uring/io_uring.c
// io_submit_sqe's link handling, io_fail_links: -ECANCELED for the rest of a failed
// chain), the memlock account of registered buffers (io_uring/rsrc.c __io_account_mem
// against RLIMIT_MEMLOCK) and the SQPOLL thread's spin-then-sleep clock
// (io_uring/sqpoll.c io_sq_thread: spin until sq_thread_idle passes without work, then
// set IORING_SQ_NEED_WAKEUP and sleep). sim/kernel/io_uring.cpp drives it.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace kiosim {

inline constexpr std::uint32_t kUringMaxEntries = 32768;  // IORING_MAX_ENTRIES

// io_uring_create: sq_entries = roundup_pow_of_two(entries), cq_entries = 2 x that.
// 0 or more than kUringMaxEntries is -EINVAL (the loader refuses both).
std::uint32_t uring_sq_entries(std::uint32_t requested);

// The chains of one submission: [first, last] index ranges. An sqe with IOSQE_IO_LINK
// joins the next one to its chain; an sqe without it ends the chain.
std::vector<std::pair<std::size_t, std::size_t>> uring_chains(const std::vector<bool>& link);

// __io_account_mem: pinned pages charged to the user, refused past the limit (-ENOMEM).
class MemlockAccount {
 public:
  explicit MemlockAccount(std::uint64_t limit_bytes, std::uint64_t page_size = 4096)
      : limit_pages_(limit_bytes / page_size) {}
  bool charge(std::uint64_t pages);  // false: over the limit, nothing charged
  void uncharge(std::uint64_t pages) { locked_ -= pages < locked_ ? pages : locked_; }
  std::uint64_t locked_pages() const { return locked_; }
  std::uint64_t limit_pages() const { return limit_pages_; }

 private:
  std::uint64_t limit_pages_;
  std::uint64_t locked_ = 0;
};

// io_sq_thread's clock. It spins from setup (or a wake-up) while it finds work; when
// sq_thread_idle passes with none, it sets IORING_SQ_NEED_WAKEUP and sleeps, and the
// next submission needs io_uring_enter(IORING_ENTER_SQ_WAKEUP).
class SqThreadClock {
 public:
  SqThreadClock(double started_ns, double idle_ns) : idle_(idle_ns), last_work_(started_ns) {}
  bool awake_at(double now) const { return now - last_work_ <= idle_; }
  // A submission at `now`: counts the spin since the last work (all of it while awake,
  // `idle` if it had gone to sleep) and returns whether a wake-up was needed.
  bool submit_at(double now);
  // The ring closes at `now` (the program ended): the spin after the last work.
  void close_at(double now);
  double spin_ns() const { return spin_; }
  std::uint64_t wakeups() const { return wakeups_; }

 private:
  double idle_;
  double last_work_;
  double spin_ = 0;
  std::uint64_t wakeups_ = 0;
  bool closed_ = false;
};

}  // namespace kiosim
