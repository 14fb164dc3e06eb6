// Real mode's `threads: N`: one process of N threads, each running the program (its own
// walk, so its own names and `{thread}` index), as the simulator runs N threads of one
// process (kernel/fork.c copy_process with CLONE_THREAD; pthread_create). Thread 0 is
// the calling thread; threads 1..N-1 are pthreads. Every thread runs the setup, then
// waits at a gate; the runner takes its counts, opens the gate, and the bodies run at
// once. getrusage(RUSAGE_SELF) sums every thread's, those that have exited included
// (__exit_signal), so the process is measured together, as the simulator counts it.
//
// Where kiosim simplifies or the count is not the program's: with `cores:` each thread
// pins itself (sched_setaffinity) to the host CPU of that number, which must be one the
// process may use (runnable.cpp refuses the run otherwise); the caller's waits for the
// other threads (pthread_join, a futex wait) are voluntary switches of its own, left out
// (RUSAGE_THREAD around them); a thread's exit gives back the unused part of its stack
// (glibc's advise_stack_range, one madvise): not the program's, not left out.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/host/private_dir.h"
#include "sim/host/syscall_ops.h"
#include "sim/program/walker.h"

namespace kiosim::host {

class ProgramThreads {
 public:
  using Walk = ProgramWalker<SyscallOps>;
  // Thread 0's handler is `ops0` (counting into the run's Sample); the others get handlers
  // of their own, counting into Samples of their own (merged by merge_counts).
  ProgramThreads(const Program& prog, unsigned threads, std::vector<std::uint32_t> cores, SyscallOps& ops0,
                 const std::function<std::unique_ptr<SyscallOps>(Sample&)>& make_ops);
  ~ProgramThreads();  // an error path: opens the gate to an abort and joins
  ProgramThreads(const ProgramThreads&) = delete;
  ProgramThreads& operator=(const ProgramThreads&) = delete;

  // Starts threads 1..N-1; each, and thread 0 here, runs the setup and reaches the gate.
  // Rethrows the first thread's error.
  void setup();
  // Counting on, the gate opened: thread 0's body here, then the others joined. Returns
  // the caller's own voluntary switches while it waited for them. Rethrows the first error.
  std::int64_t body();
  // The other threads' system calls added to `out`'s.
  void merge_counts(Sample& out) const;
  // Every thread's walk, for what it left bound.
  std::vector<const Walk::Names*> names() const;

 private:
  struct Shared;
  void thread_main(unsigned i);
  void pin(unsigned i) const;
  const Program& prog_;
  unsigned n_;
  std::vector<std::uint32_t> cores_;
  std::vector<Sample> samples_;                    // threads 1..N-1
  std::vector<std::unique_ptr<SyscallOps>> ops_;   // threads 1..N-1
  std::vector<std::unique_ptr<Walk>> walks_;       // every thread's, thread 0 first
  std::vector<SyscallOps*> all_ops_;
  std::unique_ptr<Shared> sh_;
};

}  // namespace kiosim::host
