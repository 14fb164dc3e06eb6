// The critical path of a run: the longest path of its happens-before graph (Boost.Graph,
// dag_shortest_paths on negated weights), the chain of copies, device work, waits and
// wake-ups that set the end-to-end time.
//
// The happens-before graph has one vertex per event and an edge
//  - from each event to the next one on its lane;
//  - from the last event of the same request on another lane that ended before it
//    started (the submission a DMA serves, the DMA an interrupt completes);
//  - from the event that woke a sleeping thread (the latest event on another lane, of
//    its request if it has one, that ended while it slept) to the thread's next event.
// An edge weighs what its target adds to the path: the target's own time (a span's
// time minus what it encloses on its lane; a sleep weighs 0, its waker explains it),
// plus, on a user thread's lane, the CPU time between the two events (syscall entry and
// exit, bookkeeping no event carries), on a device's lane the time between two events
// of one request (an skb's DMA and its ACK: the wire's round trip), or, after a
// wake-up, the wake-up latency.
// The waker and the completing event are inferred from the trace (lanes, requests,
// times): kiosim's trace does not record who woke whom.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/export/trace_runs.h"

namespace kiosim::exports {

enum class StepKind : std::uint8_t { event, cpu_gap, wake_up };

struct CriticalStep {
  StepKind kind = StepKind::event;
  std::size_t event = 0;   // the event (for a gap or a wake-up: the event it leads to)
  std::int64_t ns = 0;     // what the step adds to the path
};

struct CriticalPath {
  std::vector<CriticalStep> steps;  // in time order
  std::vector<bool> on_path;        // one flag per event of the run
  std::int64_t path_ns = 0;         // the sum of the steps
  std::int64_t total_ns = 0;        // end to end: the latest end of any event
};

CriticalPath critical_path(const TraceRun& run);

}  // namespace kiosim::exports
