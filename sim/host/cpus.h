// The CPUs this process may run on, and pinning to one of them: the calibration's
// two-process benchmarks put the sender and the receiver on CPUs of their own, as
// the scheduler does with `measure`'s sender and receiver on an idle machine.
#pragma once
#include <vector>

namespace kiosim::host {

std::vector<int> allowed_cpus();  // from sched_getaffinity, ascending
void pin_to_cpu(int cpu);         // this thread only; -1: no change
void unpin();                     // back to every allowed CPU

}  // namespace kiosim::host
