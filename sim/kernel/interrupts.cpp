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

// Interrupt moderation: the NIC raises its interrupt once irq_coalesce_frames TX
// completions are there, or once the oldest has waited irq_coalesce_usecs.
void Interrupts::wait_for_moderation() {
  const auto& link = acct_.machine().link;
  if (link.irq_coalesce_frames <= 1 && link.irq_coalesce_ns <= 0) return;
  const double deadline = queue_.front().tx_end_ns + link.irq_coalesce_ns;
  while (leading_tx() < link.irq_coalesce_frames && acct_.now() < deadline) wake_->wait_for(deadline - acct_.now());
}

std::vector<Completion> Interrupts::take(std::size_t n) {
  std::vector<Completion> done;
  for (std::size_t i = 0; i < n; ++i) {
    done.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return done;
}

void Interrupts::handle_disk() {
  std::vector<Completion> done = take(1);
  const Completion& c = done.front();
  double t0 = acct_.now();
  acct_.engine().compute(acct_.machine().cpu.interrupt_ns);
  double dt = acct_.now() - t0;
  Accounting::count(c.proc, &Counters::interrupts, 1);
  if (c.proc) {
    c.proc->counters.time_ns[std::size_t(TimeCat::irq)] += std::uint64_t(dt);
    c.proc->counters.cpu_time_ns += std::uint64_t(dt);
  }
  if (acct_.tracing()) {
    TraceEvent e = acct_.device_event(lane_, EventKind::interrupt, t0, dt);
    e.name = "disk";
    e.req = c.req;
    acct_.trace_device(e);
  }
  done.front().complete();
  after_batch_();
}

// One NIC interrupt: NAPI polls, cpu.interrupt each, each reaping the TX completions
// at the head of the queue up to the budget (the driver's TX clean). A poll that
// used its whole budget is followed by another, even if that finds nothing
// (__napi_poll keeps it on the poll list); one that did not completes NAPI and
// re-enables the interrupt (napi_complete_done).
void Interrupts::handle_nic() {
  wait_for_moderation();
  const std::size_t budget = std::max<std::uint32_t>(1, acct_.machine().link.napi_budget);
  const double t0 = acct_.now();
  Process* payer = queue_.front().proc;
  std::uint64_t req = queue_.front().req, reaped = 0;
  Accounting::count(payer, &Counters::interrupts, 1);
  for (bool more = true; more;) {
    const double p0 = acct_.now();
    std::vector<Completion> done = take(std::min(leading_tx(), budget));
    more = done.size() == budget;
    acct_.engine().compute(acct_.machine().cpu.interrupt_ns);
    const double dt = acct_.now() - p0;
    Accounting::count(payer, &Counters::napi_polls, 1);
    if (payer) {
      payer->counters.time_ns[std::size_t(TimeCat::irq)] += std::uint64_t(dt);
      payer->counters.cpu_time_ns += std::uint64_t(dt);
    }
    for (Completion& d : done) {
      Accounting::count(d.proc, &Counters::completion_delay_ns, std::uint64_t(std::max(0.0, p0 - d.tx_end_ns)));
      d.complete();
    }
    reaped += done.size();
    after_batch_();
  }
  if (acct_.tracing()) {
    TraceEvent e = acct_.device_event(lane_, EventKind::interrupt, t0, acct_.now() - t0);
    e.name = reaped > 1 ? fmt::format("nic tx x{}", reaped) : "nic tx";
    e.req = req;
    e.pages = reaped > 1 ? reaped : 0;
    acct_.trace_device(e);
  }
}

void Interrupts::actor() {
  for (;;) {
    while (queue_.empty()) wake_->wait();
    if (queue_.front().tx) handle_nic();
    else handle_disk();
  }
}

}  // namespace kiosim
