// Real mode's `fork` op: fork(2) (kernel/fork.c copy_process, dup_mmap), the child
// running the op's body in its copy-on-write copy of our address space, then exiting.
// The parent goes on with its program at once, as the simulated parent does; the
// children are reaped when the body ends.
//
// Measured apart: the parent's getrusage covers the body as before; each child's is
// its own (fork zeroes a new task's counters, copy_process), taken by the child around
// its body and handed back in a MAP_SHARED page (which fork does not write-protect).
// wait4's rusage, the child's whole life, is kept beside it (it adds glibc's post-fork
// bookkeeping and the exit's unmapping, exit_mmap, which the model does not count).
//
// Where the count is not the program's: fork write-protects every private writable
// page of ours too (copy_present_pte), so the first write of each one after fork is a
// fault that the simulated program does not take: glibc's atfork handlers (malloc's
// arena locks, the stdio list lock), our stack and the allocator's next chunk. Both
// sides write those pages once before their counting (re)starts (prefault_own_pages),
// and the parent's count leaves out the faults between fork's call and that point; the
// child counts from there, after the walk has copied the parent's names for it.
// A body that allocates (a syscall counted under a new name) may still copy a page of
// the allocator's: that stays in the count.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/host/runner.h"

namespace kiosim::host {

class ForkedChildren {
 public:
  ForkedChildren() = default;
  ~ForkedChildren();  // kills and reaps what is left (an error path)
  ForkedChildren(const ForkedChildren&) = delete;
  ForkedChildren& operator=(const ForkedChildren&) = delete;

  // The child's end of it: the walk says where the body begins and ends (after it has
  // copied the parent's names, before it frees them), and the count is taken there.
  struct Report;
  struct ChildSide {
    Report* report;
    void begins();                              // writes our own pages, then the start count
    void ends(std::uint64_t syscalls_total, const RxCounts& rx);  // the end count
  };
  // Where the parent's bookkeeping begins (before it counts the call and maps the
  // child's report page, whose first write is a fault too).
  void fork_called();
  // fork(2). In the child: runs `body`, then _exit; it never returns. In the parent:
  // returns the child's pid at once; the walk then calls parent_resumes().
  pid_t start(const std::string& name, const std::function<void(ChildSide&)>& body);
  // After fork's return and the walk's own bookkeeping: writes our own pages and leaves
  // the faults since the fork out of the parent's count.
  void parent_resumes();
  // Waits for every child (wait4), puts their usage in out.children. Throws HostError
  // when a child failed (with its message) or died of a signal.
  void reap(Sample& out);
  // Minor faults of the parent's own bookkeeping after each fork (see above), to leave out.
  std::int64_t parent_bookkeeping_faults() const { return bookkeeping_faults_; }

 private:
  struct Child {
    std::string name;
    pid_t pid = -1;
    Report* report = nullptr;
  };
  void kill_all();
  std::vector<Child> kids_;
  std::int64_t bookkeeping_faults_ = 0;
  Usage before_fork_;
};

}  // namespace kiosim::host
