#include "sim/kernel/interrupts.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace kiosim {

Interrupts::Interrupts(Accounting& acct, std::function<void()> after_batch)
    : acct_(acct), after_batch_(std::move(after_batch)), wake_(std::make_unique<WaitQueue>(acct.engine())) {}

void Interrupts::raise(Completion c) {
  queue_.push_back(std::move(c));
  wake_->notify_all();
}

std::size_t Interrupts::leading_tx() const {
  std::size_t n = 0;
  while (n < queue_.size() && queue_[n].tx) ++n;
  return n;
}

// The NIC raises one interrupt for up to irq_coalesce_frames TX completions, or once
// the oldest has waited irq_coalesce_usecs. Disk completions interrupt at once.
std::size_t Interrupts::batch_size() {
  const auto& link = acct_.machine().link;
  const bool coalescing = link.irq_coalesce_frames > 1 || link.irq_coalesce_ns > 0;
  if (!queue_.front().tx || !coalescing) return 1;
  const double deadline = queue_.front().tx_end_ns + link.irq_coalesce_ns;
  while (leading_tx() < link.irq_coalesce_frames && acct_.now() < deadline) wake_->wait_for(deadline - acct_.now());
  return std::min<std::size_t>(leading_tx(), std::max<std::uint32_t>(1, link.irq_coalesce_frames));
}

void Interrupts::actor() {
  for (;;) {
    while (queue_.empty()) wake_->wait();
    const std::size_t batch = batch_size();
    std::vector<Completion> done;
    for (std::size_t i = 0; i < batch; ++i) {
      done.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    const Completion& c = done.front();
    double t0 = acct_.now();
    acct_.engine().compute(acct_.machine().cpu.interrupt_ns);
    double dt = acct_.now() - t0;
    Accounting::count(c.proc, &Counters::interrupts, 1);
    if (c.proc) {
      c.proc->counters.time_ns[std::size_t(TimeCat::irq)] += std::uint64_t(dt);
      c.proc->counters.cpu_time_ns += std::uint64_t(dt);
    }
    for (const Completion& d : done)
      if (d.tx)
        Accounting::count(d.proc, &Counters::completion_delay_ns, std::uint64_t(std::max(0.0, t0 - d.tx_end_ns)));
    if (acct_.tracing()) {
      TraceEvent e = acct_.device_event(lane_, EventKind::interrupt, t0, dt);
      e.name = !c.tx ? "disk" : done.size() > 1 ? fmt::format("nic tx x{}", done.size()) : "nic tx";
      e.req = c.req;
      e.pages = done.size() > 1 ? done.size() : 0;
      acct_.trace_device(e);
    }
    for (Completion& d : done) d.complete();
    after_batch_();
  }
}

}  // namespace kiosim
