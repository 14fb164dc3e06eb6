// Accounting: where every thread's time and every counter go (MODEL.md section 1),
// and the trace events that say so. The one place that asks the engine for time on
// behalf of a thread (kernel/sched/cputime.c, the syscall entry of arch/x86/entry).
// Calls only the engine and the trace.
#pragma once
#include <cstdint>
#include <functional>

#include "sim/engine/engine.h"
#include "sim/kernel/objects.h"
#include "sim/scenario/machine.h"
#include "sim/trace/trace.h"

namespace kiosim {

class Accounting {
 public:
  Accounting(const Machine& m, Engine& engine, Trace& trace) : m_(m), engine_(engine), trace_(trace) {}

  const Machine& machine() const { return m_; }
  Engine& engine() { return engine_; }
  double now() const { return engine_.now_ns(); }

  // CPU work of `t` in category `c`, run at its next activity (flush_cpu).
  void cpu(Thread& t, TimeCat c, double ns);
  // Runs the CPU work gathered since the last activity as one execution.
  void flush_cpu(Thread& t);
  // A CPU copy of `bytes` (with the pending work), counted and traced.
  void cpu_copy(Thread& t, std::uint64_t bytes, Place from, Place to, std::uint32_t copies = 1);
  // Sleeps until `ready`: a voluntary context switch, its time under `c`.
  void block(Thread& t, TimeCat c, WaitQueue& q, const std::function<bool()>& ready, const char* why);
  // block() with a deadline (absolute, ns; < 0: none), as schedule_hrtimeout does for
  // epoll_wait, select and poll: false if it passed first. A call that need not sleep
  // returns at once, no switch counted.
  bool block_until(Thread& t, TimeCat c, WaitQueue& q, const std::function<bool()>& ready, const char* why,
                   double deadline_ns);
  void sleep(Thread& t, double ns);  // the program asked to sleep (cpu.nanosleep of CPU after it)
  // A thread woken after waiting `waited` ns (already added to its time under `c`) runs
  // again: it pays the switch in (cpu.context_switch), and the last cpu.wakeup_charged
  // of its wait (at most all of it) becomes its CPU time instead, as Linux counts it:
  // wakeup_preempt (kernel/sched/core.c) calls rq_clock_skip_update, so __schedule's
  // update_rq_clock is skipped and the woken task's exec_start (set_next_entity) is the
  // clock of try_to_wake_up; the waker's interrupt tail, the idle exit and the switch
  // are its sum_exec_runtime, its getrusage CPU time. The wait lasts as long as before.
  void switched_in(Thread& t, TimeCat c, double waited);

  void count(Thread& t, std::uint64_t Counters::*field, std::uint64_t n);  // not during setup
  static void count(Process* p, std::uint64_t Counters::*field, std::uint64_t n);

  bool tracing() const { return trace_.enabled(); }
  void trace(Thread& t, TraceEvent e);       // on the thread's lane, with its request
  void trace_device(TraceEvent e) { trace_.add(std::move(e)); }  // on a device's or kernel thread's lane
  std::uint32_t add_lane(std::string name, LaneKind kind) { return trace_.add_lane(std::move(name), kind); }
  // A trace event on `lane`, from t0, lasting `dur` (< 0: until now).
  TraceEvent device_event(std::uint32_t lane, EventKind kind, double t0, double dur = -1) const;

  std::uint64_t next_req() { return next_req_++; }
  // The thread whose syscall (or touch) the kernel is serving: the page cache's events are its.
  Thread* current() const { return current_; }
  void set_current(Thread* t) { current_ = t; }

 private:
  void woke(Thread& t, TimeCat c, double t0, const char* why);

  const Machine& m_;
  Engine& engine_;
  Trace& trace_;
  std::uint64_t next_req_ = 1;
  Thread* current_ = nullptr;
};

// One system call: counts it, charges entry and exit, traces the crossing both ways,
// and makes its thread the current one.
class Syscall {
 public:
  Syscall(Accounting& a, Thread& t, const char* name);
  // It runs the call's last CPU work, which may pass a budget and throw
  // (sim/engine/engine.h): not noexcept. A call left by an exception (its actor
  // killed at a deadlock, a budget passed) never returns: nothing more is run for it.
  ~Syscall() noexcept(false);
  Syscall(const Syscall&) = delete;
  Syscall& operator=(const Syscall&) = delete;
  // fork's return value: the child, traced on the syscall_exit as its address space.
  void returns_child(std::uint32_t mm) { child_ = mm; }

 private:
  Accounting& a_;
  Thread& t_;
  const char* name_;
  std::int64_t child_ = -1;
  int unwinding_ = 0;  // std::uncaught_exceptions() when the call began
  bool nested_ = false;  // inside another call (an io_uring SQE's path): counts nothing
};

}  // namespace kiosim
