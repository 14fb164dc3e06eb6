#include "sim/host/thread_runner.h"

#include <sched.h>
#include <sys/resource.h>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "sim/host/syscall_error.h"

namespace kiosim::host {

struct ProgramThreads::Shared {
  std::mutex m;
  std::condition_variable cv;
  unsigned ready = 0;   // threads that ran their setup (or failed in it)
  bool open = false;    // the gate
  bool abort = false;   // open to stop: an error elsewhere
  std::vector<std::exception_ptr> errors;
  std::vector<std::thread> threads;
};

ProgramThreads::ProgramThreads(const Program& prog, unsigned threads, std::vector<std::uint32_t> cores,
                               SyscallOps& ops0, const std::function<std::unique_ptr<SyscallOps>(Sample&)>& make_ops)
    : prog_(prog), n_(std::max(1u, threads)), cores_(std::move(cores)), samples_(n_ - 1), sh_(new Shared) {
  sh_->errors.resize(n_);
  all_ops_.push_back(&ops0);
  walks_.push_back(std::make_unique<Walk>(ops0, 0));
  for (unsigned i = 1; i < n_; ++i) {
    ops_.push_back(make_ops(samples_[i - 1]));
    all_ops_.push_back(ops_.back().get());
    walks_.push_back(std::make_unique<Walk>(*ops_.back(), i));
  }
}

ProgramThreads::~ProgramThreads() {
  {
    std::lock_guard<std::mutex> l(sh_->m);
    sh_->open = sh_->abort = true;
  }
  sh_->cv.notify_all();
  for (auto& t : sh_->threads)
    if (t.joinable()) t.join();
}

void ProgramThreads::pin(unsigned i) const {
  if (cores_.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cores_[i % cores_.size()], &set);
  if (::sched_setaffinity(0, sizeof set, &set) != 0) fail("sched_setaffinity (the scenario's `cores:`)");
}

void ProgramThreads::thread_main(unsigned i) {
  bool set_up = false;
  try {
    pin(i);
    walks_[i]->run(prog_.setup);
    all_ops_[i]->counted = true;
    set_up = true;
  } catch (...) {
    sh_->errors[i] = std::current_exception();
  }
  {
    std::unique_lock<std::mutex> l(sh_->m);
    ++sh_->ready;
    sh_->cv.notify_all();
    sh_->cv.wait(l, [&] { return sh_->open; });
    if (sh_->abort || !set_up) return;
  }
  try {
    walks_[i]->run(prog_.body);
  } catch (...) {
    sh_->errors[i] = std::current_exception();
  }
}

void ProgramThreads::setup() {
  for (unsigned i = 1; i < n_; ++i) sh_->threads.emplace_back([this, i] { thread_main(i); });
  pin(0);
  walks_[0]->run(prog_.setup);
  all_ops_[0]->counted = true;
  std::unique_lock<std::mutex> l(sh_->m);
  sh_->cv.wait(l, [&] { return sh_->ready == n_ - 1; });
  for (auto& e : sh_->errors)
    if (e) std::rethrow_exception(e);
}

std::int64_t ProgramThreads::body() {
  {
    std::lock_guard<std::mutex> l(sh_->m);
    sh_->open = true;
  }
  sh_->cv.notify_all();
  walks_[0]->run(prog_.body);
  rusage before{}, after{};
  ::getrusage(RUSAGE_THREAD, &before);
  for (auto& t : sh_->threads) t.join();
  ::getrusage(RUSAGE_THREAD, &after);
  sh_->threads.clear();
  for (auto& e : sh_->errors)
    if (e) std::rethrow_exception(e);
  return after.ru_nvcsw - before.ru_nvcsw;
}

void ProgramThreads::merge_counts(Sample& out) const {
  for (const Sample& s : samples_) {
    for (const auto& [name, n] : s.syscalls) out.syscalls[name] += n;
    out.syscalls_total += s.syscalls_total;
    out.short_calls += s.short_calls;
    out.write_ns += s.write_ns;
    out.sync_ns += s.sync_ns;
    out.rx.recv_bytes += s.rx.recv_bytes;
    out.rx.recv_eagain += s.rx.recv_eagain;
    out.rx.epoll_wakeups += s.rx.epoll_wakeups;
    out.ring.uring_sqes += s.ring.uring_sqes;
    out.ring.uring_cqes += s.ring.uring_cqes;
    out.ring.uring_failed += s.ring.uring_failed;
    out.ring.uring_canceled += s.ring.uring_canceled;
    out.ring.sqpoll_wakeups += s.ring.sqpoll_wakeups;
    out.ring.memlock_refusals += s.ring.memlock_refusals;
    for (const auto& [fd, n] : s.conn_bytes) out.conn_bytes[fd] += n;
  }
}

std::vector<const ProgramThreads::Walk::Names*> ProgramThreads::names() const {
  std::vector<const Walk::Names*> v;
  for (const auto& w : walks_) v.push_back(&w->names());
  return v;
}

}  // namespace kiosim::host
