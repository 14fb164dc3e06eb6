// The only door to SimGrid (ARCHITECTURE.md rule 5). It builds the platform from
// the machine profile and turns each step of the kernel paths into a SimGrid
// activity: CPU work is an execution on the CPU host, a CPU copy is an execution
// plus its traffic on the memory bus, a DMA is a transfer over links from a device
// host. SimGrid allows one engine per process: a second Engine aborts.
// sim/engine/ owns the simulated clock and the platform; it calls only SimGrid.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/scenario/machine.h"

namespace kiosim {

class Engine;

// Threads sleep on a queue until another actor notifies it. Callers loop:
// `while (!ready) q.wait();` — wake-ups are never lost (one semaphore per sleeper).
class WaitQueue {
 public:
  explicit WaitQueue(Engine& e) : engine_(e) {}
  void wait();
  void wait_for(double ns);  // or until `ns` of simulated time pass
  void notify_all();
  bool has_waiters() const { return !sleepers_.empty(); }

 private:
  Engine& engine_;
  std::vector<void*> sleepers_;  // simgrid semaphores, owned by the engine
};

class Engine {
 public:
  explicit Engine(const Machine& m);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Actors on the CPU host. Daemons end when every other actor has ended.
  void spawn(const std::string& name, std::function<void()> body, bool daemon = false);
  // Throws std::runtime_error if an actor failed (an error in the model, a budget
  // passed); the first failure names the reason, and every actor is stopped.
  void run();
  // Runs until simulated time `ns` and stops there, actors and all (a crash point).
  void run_until(double ns);
  double now_ns() const;
  // Called at the start of every activity (invariant checks); may throw to stop the run.
  void on_activity(std::function<void()> f);

  // Blocking activities, called from inside an actor.
  void compute(double ns);                          // CPU work on one core
  void copy(double extra_ns, std::uint64_t bytes, double bytes_per_s = 0);  // CPU work + a copy (2x bytes on the bus)
  void disk_read(std::uint64_t bytes);              // DMA disk -> memory (latency + bytes/bw)
  void disk_write(std::uint64_t bytes);             // DMA memory -> disk
  void disk_flush();                                // a device cache flush
  void nic_transmit(std::uint64_t bytes);           // DMA memory -> NIC -> wire
  void sleep_ns(double ns);

  const Machine& machine() const { return m_; }

 private:
  friend class WaitQueue;
  void* semaphore_of_current_actor();
  void tick();  // one more activity: the budgets (run.event_limit, run.time_limit)
  [[noreturn]] void time_limit_reached();
  double until_limit(double ns) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Machine m_;
};

}  // namespace kiosim
