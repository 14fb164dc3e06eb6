// The thread-pool pattern of libuv (src/threadpool.c uv_queue_work, post, worker;
// src/unix/async.c uv_async_send, uv__async_io): an event loop hands blocking work
// to a pool of threads and goes on serving its connections. What it costs here is
// what it costs on Linux:
//  - the pool starts at the first queue_work (uv_once start_workers): `workers`
//    pthread_create calls (clone3), each thread with a stack of its own, each waiting
//    for work before the first is posted (start_workers waits for them); the loop's
//    completion eventfd (eventfd2) is added to its epoll instance (epoll_ctl);
//  - post(): the work goes on the tail of one queue; if a worker waits that no signal
//    has chosen yet, the loop signals the condition variable: futex(FUTEX_WAKE), one
//    system call that wakes that one worker (glibc's pthread_cond_signal makes no call
//    when every waiter is signalled already);
//  - a worker with an empty queue waits on the condition variable: futex(FUTEX_WAIT),
//    one system call and one voluntary context switch; woken, it takes the head;
//  - after the work, uv_async_send writes the eventfd (write(2), fs/eventfd.c
//    eventfd_write) unless a write is already pending the loop's read: completions
//    coalesce; the loop's epoll_wait wakes for it, reads the eventfd once
//    (eventfd_read) and takes every completion done (uv__work_done).
// Simplified: the pool's mutex is never contended (no futex for it), the after-work
// callbacks cost nothing, one pool per process, and its workers end when the loop's
// thread ends (libuv's would be killed at exit), after the queue drains.
// Calls accounting, the engine and the receive side (sim/kernel/sock_rx.h: the eventfd).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/kernel/accounting.h"
#include "sim/kernel/sock_rx.h"

namespace kiosim {

class ThreadPool {
 public:
  struct Hooks {
    std::function<Thread&(Process&, const std::string&)> new_thread;
    std::function<void(Thread&)> started, finished;
  };
  ThreadPool(Accounting& acct, SockRx& rx, Hooks hooks) : acct_(acct), rx_(rx), hooks_(std::move(hooks)) {}

  // uv_queue_work from `loop`, whose epoll instance is `ep`: the pool of `workers`
  // threads is made at the first call of the process.
  void queue_work(Thread& loop, EpollObj& ep, std::uint32_t workers, std::function<void(Thread&)> work);
  // `t` ended: if it was a pool's loop, the workers end once the queue is empty.
  void thread_ended(Thread& t);

 private:
  struct Pool {
    explicit Pool(Engine& e) : cond(e) {}
    Process* proc = nullptr;
    Thread* loop = nullptr;
    int efd = 0;                                   // the loop's eventfd (loop->async_io_watcher)
    std::deque<std::function<void(Thread&)>> wq;   // fields->wq
    std::deque<std::uint32_t> waiters;             // workers waiting, not yet signalled (FUTEX_WAIT order)
    std::vector<bool> signalled;                   // per worker: a FUTEX_WAKE chose it
    WaitQueue cond;                                // the condition variable's futex
    std::uint64_t in_flight = 0;                   // queued or running or done, not yet seen by the loop
    std::uint64_t done = 0;                        // done, waiting for the loop (loop->wq)
    bool async_pending = false;                    // uv_async_t's pending: the eventfd was written
    bool exiting = false;
  };
  Pool& start(Thread& loop, EpollObj& ep, std::uint32_t workers);
  void worker(Pool& p, Thread& t, std::uint32_t i);
  void async_io(Pool& p, Thread& loop);  // uv__async_io + uv__work_done, on the loop

  Accounting& acct_;
  SockRx& rx_;
  Hooks hooks_;
  std::vector<std::unique_ptr<Pool>> pools_;
};

}  // namespace kiosim
