#include "sim/kernel/accounting.h"

#include <algorithm>
#include <exception>

namespace kiosim {

void Accounting::count(Process* p, std::uint64_t Counters::*field, std::uint64_t n) {
  if (p) p->counters.*field += n;
}

void Accounting::count(Thread& t, std::uint64_t Counters::*field, std::uint64_t n) {
  if (!t.setup) count(t.proc, field, n);
}

TraceEvent Accounting::device_event(std::uint32_t lane, EventKind kind, double t0, double dur) const {
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(dur < 0 ? engine_.now_ns() - t0 : dur);
  e.lane = lane;
  e.kind = kind;
  return e;
}

void Accounting::trace(Thread& t, TraceEvent e) {
  if (t.setup || !trace_.enabled()) return;
  e.lane = t.lane;
  if (!e.req) e.req = t.req;
  if (e.mm < 0 && t.proc) e.mm = t.proc->mm.asid;  // unmap_page names another mm
  if (e.core < 0) e.core = t.core;
  trace_.add(std::move(e));
}

void Accounting::cpu(Thread& t, TimeCat c, double ns) {
  if (!t.setup) t.pending[std::size_t(c)] += ns;
}

// One execution for all the pending work; the time it took is split between the
// categories in proportion.
void Accounting::flush_cpu(Thread& t) {
  double total = 0;
  for (double p : t.pending) total += p;
  if (total <= 0) return;
  double t0 = engine_.now_ns();
  engine_.compute(total);
  double scale = (engine_.now_ns() - t0) / total;
  for (std::size_t i = 0; i < t.pending.size(); ++i) {
    t.time[i] += t.pending[i] * scale;
    t.pending[i] = 0;
  }
}

void Accounting::cpu_copy(Thread& t, std::uint64_t bytes, Place from, Place to, std::uint32_t copies) {
  if (t.setup || bytes == 0) return;
  count(t, &Counters::cpu_copies, copies);
  count(t, &Counters::cpu_copy_bytes, bytes);
  count(t, &Counters::memory_bus_bytes, 2 * bytes);
  double extra = 0;
  for (double p : t.pending) extra += p;
  // Into a socket buffer: new skb memory (net.send_bandwidth).
  double rate = to == Place::socket_buffer ? m_.send_rate() : m_.cpu.copy_bytes_per_s;
  double copy_ns = double(bytes) / rate * 1e9;
  double t0 = engine_.now_ns();
  engine_.copy(extra, bytes, rate);
  double scale = (engine_.now_ns() - t0) / (extra + copy_ns);
  for (std::size_t i = 0; i < t.pending.size(); ++i) {
    t.time[i] += t.pending[i] * scale;
    t.pending[i] = 0;
  }
  t.time[std::size_t(TimeCat::copy)] += copy_ns * scale;
  TraceEvent e;
  e.t_ns = std::int64_t(t0 + extra * scale);
  e.dur_ns = std::int64_t(copy_ns * scale);
  e.kind = EventKind::cpu_copy;
  e.from = from;
  e.to = to;
  e.bytes = bytes;
  e.pages = pages_spanned(0, bytes);
  trace(t, e);
}

void Accounting::block(Thread& t, TimeCat c, WaitQueue& q, const std::function<bool()>& ready, const char* why) {
  if (ready()) return;
  if (t.plug) t.plug->flush();  // schedule() -> sched_submit_work -> blk_flush_plug
  flush_cpu(t);
  double t0 = engine_.now_ns();
  count(t, &Counters::context_switches_voluntary, 1);
  t.waiting_for = why;
  // try_to_wake_up() sends the sleeper's idle core an IPI; it runs once that core has
  // left its idle state (in a VM, the hypervisor's halt exit too): idle time, not CPU.
  // Others may take what it waited for meanwhile (ring slots, buffer space): it checks
  // again when it runs, as a woken task does, and sleeps again if it must.
  do {
    while (!ready()) q.wait();
    engine_.sleep_ns(m_.cpu.wakeup_ns);
  } while (!ready());
  woke(t, c, t0, why);
}

// The sleep since t0 is over: its time, its trace event, the switch back in.
void Accounting::woke(Thread& t, TimeCat c, double t0, const char* why) {
  t.waiting_for.clear();
  double waited = engine_.now_ns() - t0;
  t.time[std::size_t(c)] += waited;
  TraceEvent e;
  e.t_ns = std::int64_t(t0);
  e.dur_ns = std::int64_t(waited);
  e.kind = EventKind::block;
  e.name = why;
  trace(t, e);
  switched_in(t, c, waited);
}

void Accounting::switched_in(Thread& t, TimeCat c, double waited) {
  const double charged = std::min(m_.cpu.wakeup_charged_ns, std::max(0.0, waited));
  t.time[std::size_t(c)] -= charged;
  t.time[std::size_t(TimeCat::sched)] += charged;
  cpu(t, TimeCat::sched, m_.cpu.context_switch_ns);
}

bool Accounting::block_until(Thread& t, TimeCat c, WaitQueue& q, const std::function<bool()>& ready, const char* why,
                             double deadline_ns) {
  if (deadline_ns < 0) {
    block(t, c, q, ready, why);
    return true;
  }
  if (ready()) return true;
  if (engine_.now_ns() >= deadline_ns) return false;
  if (t.plug) t.plug->flush();
  flush_cpu(t);
  const double t0 = engine_.now_ns();
  count(t, &Counters::context_switches_voluntary, 1);
  t.waiting_for = why;
  bool ok = false;
  for (;;) {
    while (!(ok = ready()) && engine_.now_ns() < deadline_ns) q.wait_for(deadline_ns - engine_.now_ns());
    engine_.sleep_ns(m_.cpu.wakeup_ns);  // woken or timed out, the core comes out of idle to run it
    if (ok || ready() || engine_.now_ns() >= deadline_ns) break;
  }
  woke(t, c, t0, why);
  return ok || ready();
}

// The program's `sleep` is no system call in the counts (real mode leaves its nanosleep
// out of them too), but on the host its nanosleep costs the sleeper CPU time:
// hrtimer_nanosleep's entry, hrtimer_start (a VM traps the TSC-deadline write of
// tick_program_event), the switch out, and the timer's wake-up charged to it as in
// switched_in. cpu.nanosleep is that whole cost, run when it wakes (0 by default).
void Accounting::sleep(Thread& t, double ns) {
  flush_cpu(t);
  double t0 = engine_.now_ns();
  engine_.sleep_ns(ns);
  t.time[std::size_t(TimeCat::sleep)] += engine_.now_ns() - t0;
  cpu(t, TimeCat::sched, m_.cpu.nanosleep_ns);
}

Syscall::Syscall(Accounting& a, Thread& t, const char* name)
    : a_(a), t_(t), name_(name), unwinding_(std::uncaught_exceptions()) {
  a_.set_current(&t_);
  // Inside a call already (io_uring runs an SQE through the read/write/send path):
  // one crossing, the outer call's; nothing counted or traced here.
  nested_ = t_.in_kernel++ > 0;
  if (t_.setup || nested_) return;
  t_.req = a_.next_req();
  a_.count(t_, &Counters::syscalls, 1);
  t_.proc->counters.syscalls_by_name[name_] += 1;
  a_.count(t_, &Counters::mode_switches, 2);
  TraceEvent e;
  e.t_ns = std::int64_t(a_.now());
  e.kind = EventKind::syscall_enter;
  e.name = name_;
  a_.trace(t_, e);
  a_.cpu(t_, TimeCat::syscall, a_.machine().cpu.syscall_ns / 2);
}

Syscall::~Syscall() noexcept(false) {
  // Unwinding: engine work here would be a simcall from an actor being killed (with
  // SimGrid's thread contexts it waits forever) or a second throw (std::terminate).
  const bool returns = std::uncaught_exceptions() <= unwinding_;
  --t_.in_kernel;
  if (nested_) return;
  if (!t_.setup && returns) {
    a_.cpu(t_, TimeCat::syscall, a_.machine().cpu.syscall_ns / 2);
    a_.flush_cpu(t_);
    TraceEvent e;
    e.t_ns = std::int64_t(a_.now());
    e.kind = EventKind::syscall_exit;
    e.name = name_;
    e.child = child_;
    a_.trace(t_, e);
    t_.req = 0;  // back in user mode: what it does next serves no system call
  }
  a_.set_current(nullptr);
}

}  // namespace kiosim
