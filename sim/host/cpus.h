// The CPUs this process may run on, and pinning to one of them: the calibration's
// two-process benchmarks put the sender and the receiver on CPUs of their own, as
// the scheduler does with `measure`'s sender and receiver on an idle machine.
#pragma once
#include <sys/types.h>

#include <functional>
#include <vector>

namespace kiosim::host {

std::vector<int> allowed_cpus();  // from sched_getaffinity, ascending
void pin_to_cpu(int cpu);         // this thread only; -1: no change
void unpin();                     // back to every allowed CPU

// Forks a child pinned to `cpu` (-1: anywhere) that runs `body` and exits (127 if it
// throws: it never returns into the parent's code). It dies with its parent and is
// registered, so that a Ctrl-C kills it. The parent gets its pid.
pid_t spawn_pinned(int cpu, const std::function<void()>& body);

}  // namespace kiosim::host
