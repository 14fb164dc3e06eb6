#include "sim/kernel/threadpool.h"

#include <fmt/format.h>

namespace kiosim {

ThreadPool::Pool& ThreadPool::start(Thread& loop, EpollObj& ep, std::uint32_t workers) {
  pools_.push_back(std::make_unique<Pool>(acct_.engine()));
  Pool& p = *pools_.back();
  p.proc = loop.proc;
  p.loop = &loop;
  p.efd = rx_.eventfd_create(loop, ep);  // uv_loop_init: eventfd2, then epoll_ctl(ADD) at the first poll
  ep.on_async = [this, &p](Thread& t) { async_io(p, t); };
  ep.work_pending = [&p] { return p.in_flight > 0; };
  // pthread_create for each (uv_thread_create); each starts at once and waits on the
  // condition variable before the first work is posted (start_workers waits for them).
  for (std::uint32_t i = 0; i < workers; ++i) Syscall sc(acct_, loop, "clone3");
  p.signalled.assign(workers, false);
  for (std::uint32_t i = 0; i < workers; ++i) {
    Thread& w = hooks_.new_thread(*p.proc, fmt::format("{}/pool{}", p.proc->name, i));
    w.core = std::uint32_t((loop.core + 1 + i) % std::max<std::uint32_t>(1, acct_.machine().cpu.cores));
    hooks_.started(w);
    acct_.engine().spawn(w.name, [this, &p, &w, i] {
      worker(p, w, i);
      hooks_.finished(w);
    });
  }
  return p;
}

void ThreadPool::queue_work(Thread& loop, EpollObj& ep, std::uint32_t workers, std::function<void(Thread&)> work) {
  Pool* p = nullptr;
  for (auto& q : pools_)
    if (q->proc == loop.proc) p = q.get();
  if (!p) p = &start(loop, ep, workers);
  // post(): on the queue's tail; uv_cond_signal if a worker waits.
  p->wq.push_back(std::move(work));
  ++p->in_flight;
  if (p->wq.size() > p->proc->counters.work_queue_max) p->proc->counters.work_queue_max = p->wq.size();
  acct_.count(loop, &Counters::work_queued, 1);
  if (!p->waiters.empty()) {
    Syscall sc(acct_, loop, "futex");  // FUTEX_WAKE: the first waiter
    p->signalled[p->waiters.front()] = true;
    p->waiters.pop_front();
    p->cond.notify_all();  // only the chosen one finds its signal
  }
}

void ThreadPool::worker(Pool& p, Thread& t, std::uint32_t i) {
  for (;;) {
    // uv_cond_wait while the queue is empty; a signalled worker may find it empty
    // again (another took the work first) and waits again, as in libuv.
    while (p.wq.empty() && !p.exiting) {
      p.signalled[i] = false;
      p.waiters.push_back(i);
      Syscall sc(acct_, t, "futex");  // FUTEX_WAIT on the condition variable
      acct_.block(t, TimeCat::sleep, p.cond, [&p, i] { return p.signalled[i] || p.exiting; },
                  "futex (thread pool: waiting for work)");
    }
    if (p.wq.empty()) return;  // exiting, nothing left
    std::function<void(Thread&)> work = std::move(p.wq.front());
    p.wq.pop_front();
    work(t);
    // uv__work_done reaches the loop through uv_async_send: one eventfd write, unless
    // one is already pending the loop's read.
    ++p.done;
    if (!p.async_pending) {
      p.async_pending = true;
      rx_.eventfd_write(t, p.efd);
    }
  }
}

void ThreadPool::async_io(Pool& p, Thread& loop) {
  rx_.eventfd_read(loop, p.efd);  // uv__async_io: read(2) of the counter
  p.async_pending = false;
  p.in_flight -= p.done;  // uv__work_done: every completion queued so far
  p.done = 0;
}

void ThreadPool::thread_ended(Thread& t) {
  for (auto& p : pools_)
    if (p->loop == &t) {
      p->exiting = true;
      p->waiters.clear();
      p->cond.notify_all();
    }
}

}  // namespace kiosim
