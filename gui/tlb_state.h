// The TLB of every core as a run's trace tells it (docs/TRACE.md: tlb_miss with `page`
// and `span`, tlb_invalidate with `page`, tlb_flush, tlb_shootdown with `cpus`, each
// with `core` and `mm`). The entries are model/tlb.h's own Tlb, fed the touches the
// trace names, so sets and ways fill as in the run (arch/x86/mm/tlb.c); a shootdown
// applies its initiator's invalidation on the target cores (native_flush_tlb_multi).
// `mismatches` counts touches whose replayed misses differ from the event's: the
// view's picture is checked against the simulator's count, event by event.
#pragma once
#include <cstdint>
#include <vector>

#include "gui/trace_data.h"
#include "model/tlb.h"

namespace kiosim::gui {

struct Shootdown {
  int from = 0;
  std::uint64_t to = 0;  // target cores, one bit each
  std::size_t event = 0;
};

struct CoreTlb {
  explicit CoreTlb(const kiosim::TlbParams& p) : tlb(p) {}
  kiosim::Tlb tlb;
  std::vector<std::uint32_t> lanes;  // the threads seen on this core
  std::uint64_t fills = 0, invalidations = 0, flushes = 0, ipisReceived = 0;
  std::int64_t lastChange = -1;      // event index
  std::vector<std::pair<std::uint32_t, std::uint32_t>> changed;  // (set, way) of the last change
  bool flushedLast = false;
};

class TlbState {
 public:
  TlbState() = default;
  TlbState(const TraceData& trace);
  void apply(const Event& e, std::size_t index, const RunTrace& run);
  std::size_t applied() const { return applied_; }
  const std::vector<CoreTlb>& cores() const { return cores_; }
  const std::vector<Shootdown>& shootdowns() const { return shootdowns_; }
  std::uint64_t mismatches() const { return mismatches_; }
  std::uint64_t replayedMisses() const { return replayedMisses_; }
  bool usesShootdowns() const { return !shootdowns_.empty(); }

 private:
  struct Op {  // what a lane's last invalidation did, for its shootdown
    bool flush = false;
    std::int32_t mm = -1;
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;  // [first, first + n)
  };
  CoreTlb& core(std::int32_t c);
  void note(CoreTlb& c, std::size_t index, std::uint32_t lane);
  void invalidate(CoreTlb& c, const Op& op);
  void dropEnded(std::int64_t t, const RunTrace& run);

  kiosim::TlbParams params_;
  std::vector<CoreTlb> cores_;
  std::vector<Shootdown> shootdowns_;
  std::vector<Op> lastOp_;              // per lane
  std::vector<std::int32_t> laneMm_;    // per lane, -1 unknown
  std::vector<bool> laneDropped_;
  std::size_t applied_ = 0;
  std::uint64_t mismatches_ = 0, replayedMisses_ = 0;
};

}  // namespace kiosim::gui
