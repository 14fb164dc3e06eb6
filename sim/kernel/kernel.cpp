#include "sim/kernel/kernel.h"

#include <algorithm>
#include <fmt/format.h>

namespace kiosim {

Kernel::Kernel(const Machine& m, const std::vector<FileSpec>& files, Engine& engine, Trace& trace)
    : m_(m),
      engine_(engine),
      acct_(m_, engine, trace),
      idle_(std::make_unique<WaitQueue>(engine)),
      irq_(acct_, [this] { after_interrupt(); }),
      disk_(acct_, irq_),
      filemap_(acct_, disk_, files),
      kswapd_(acct_, filemap_),
      writeback_(acct_, filemap_, disk_),
      jbd2_(acct_, filemap_, disk_, writeback_),
      tlbs_(acct_),
      mm_(acct_, filemap_, tlbs_),
      net_(acct_, filemap_, irq_,
           NetTx::Hooks{[this]() -> Process& { return *(receiver_ = &new_process("receiver")); },
                        [this] { idle_->notify_all(); }}),
      file_io_(acct_, filemap_, disk_, writeback_, jbd2_, mm_),
      socket_io_(acct_, filemap_, mm_, net_),
      sock_rx_(acct_),
      uring_(acct_, filemap_, disk_, writeback_, file_io_, socket_io_, sock_rx_),
      pool_(acct_, sock_rx_,
            ThreadPool::Hooks{[this](Process& p, const std::string& name) -> Thread& { return new_thread(p, name); },
                              [this](Thread& t) { thread_started(t); }, [this](Thread& t) { thread_finished(t); }}) {
  // Reclaim wakes the flusher for the dirty pages it met, and kswapd below the low watermark.
  filemap_.set_hooks(Filemap::Hooks{[this] { writeback_.wakeup_for_reclaim(); },
                                    [this](Thread& t) { kswapd_.allocating(t); },
                                    [this](Thread& t, PageKey k) { writeback_.dirtied_by_store(t, k); }});
  // A disk write's start allocates blocks in the journal (delayed allocation); its
  // interrupt tells the journal the data is on the disk, then the page cache.
  disk_.set_hooks(BlockDevice::Hooks{[this](const DiskRequest& r) { jbd2_.writeback_started(r); },
                                     [this](const DiskRequest& r) {
                                       jbd2_.data_written(r);
                                       filemap_.disk_done(r);
                                       if (r.write && !r.journal && !r.direct) writeback_.written(r.pages.count);
                                     }});
}

void Kernel::after_interrupt() {
  filemap_.notify_changed();
  idle_->notify_all();
}

void Kernel::start_devices() {
  disk_.start_lane();
  net_.start_lane();
  irq_.start_lane();
  for (std::uint32_t h = 0; h < disk_.hw_queues(); ++h)
    for (std::uint32_t tag = 0; tag < std::max<std::uint32_t>(1, m_.disk.queue_depth); ++tag)
      engine_.spawn(h == 0 && tag == 0 ? std::string("disk") : fmt::format("disk-q{}-t{}", h, tag),
                    [this, h] { disk_.actor(h); }, true);
  engine_.spawn("nic", [this] { net_.actor(); }, true);
  engine_.spawn("tcp-ack", [this] { net_.ack_actor(); }, true);
  engine_.spawn("irq", [this] { irq_.actor(); }, true);
  engine_.spawn("flusher", [this] { writeback_.flusher_actor(); }, true);
  engine_.spawn("kswapd", [this] { kswapd_.actor(); }, true);
  engine_.spawn("writeback-timer", [this] { writeback_.timer_actor(); }, true);
  engine_.spawn("jbd2", [this] { jbd2_.commit_actor(); }, true);
  engine_.spawn("jbd2-timer", [this] { jbd2_.timer_actor(); }, true);
  if (sock_rx_.has_clients()) engine_.spawn("clients", [this] { sock_rx_.clients_actor(); }, true);
}

Process& Kernel::new_process(const std::string& name) {
  procs_.push_back(std::make_unique<Process>());
  procs_.back()->name = name;
  procs_.back()->mm.asid = next_asid_++;
  return *procs_.back();
}

Thread& Kernel::new_thread(Process& p, const std::string& name) {
  threads_.push_back(std::make_unique<Thread>());
  Thread& t = *threads_.back();
  t.name = name;
  t.proc = &p;
  t.lane = acct_.add_lane(name, LaneKind::user);
  return t;
}

void Kernel::thread_started(Thread& t) {
  ++running_;
  t.start_ns = engine_.now_ns();
}

void Kernel::thread_finished(Thread& t) {
  uring_.close(t);  // exit closes its ring
  acct_.flush_cpu(t);
  t.end_ns = engine_.now_ns();
  t.finished = true;
  --running_;
  pool_.thread_ended(t);  // a pool's loop ended: its workers end once the queue is empty
  idle_->notify_all();
}

void Kernel::wait_until_done() {
  while (running_ > 0 || net_.busy() || irq_.pending()) idle_->wait();
  end_ns_ = std::max(engine_.now_ns(), net_.last_delivery_ns());
  sock_rx_.account_unread();
}

// kernel/fork.c: copy the address space (mm), then start the child's thread on the
// next core (wake_up_new_task). When the child ends, exit_mmap drops its mappings.
Thread& Kernel::fork(Thread& t, const std::string& child_name, std::function<void(Thread&)> body) {
  Syscall sc(acct_, t, "fork");
  tlbs_.ran_on_core(t);
  Process& child = new_process(child_name);
  mm_.fork_mm(t, child);
  sc.returns_child(child.mm.asid);
  Thread& ct = new_thread(child, child_name);
  ct.core = std::uint32_t((t.core + 1) % tlbs_.cores());
  thread_started(ct);  // counted as running now, so the run cannot end before it starts
  engine_.spawn(child_name, [this, &ct, body = std::move(body)] {
    body(ct);
    mm_.exit_mm(*ct.proc);
  });
  return ct;
}

}  // namespace kiosim
