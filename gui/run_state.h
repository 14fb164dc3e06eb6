// The state of one run after its first N events: what the counters say so far and
// where the pages, skbs and pipe buffers are. Built by applying events in order;
// RunStateCache keeps snapshots so stepping back does not replay the whole trace.
#pragma once
#include <QString>
#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

// One page-cache page, as the view draws it.
enum PageFlag : std::uint8_t { kPresent = 1, kActive = 2, kDirty = 4 };

struct Skb {
  std::uint64_t bytes = 0;
  std::uint64_t frags = 0;   // page fragments; 0 for a linear skb
};

struct PinnedRange {
  std::uint32_t file = 0;
  std::int64_t page = 0, pages = 0;
};

class RunState {
 public:
  void apply(const Event& e, const RunTrace& run);  // `run` gives the event's name

  std::size_t applied() const { return applied_; }
  // The value so far of counter `i` of schema::kCounters, by its rules (sim/trace/schema.h).
  // A final-only counter stays 0: the panel shows it from the header at the end.
  double live(std::size_t i) const { return live_[i]; }

  // Page cache: flags of (file, page); per-file vectors grow as pages appear.
  std::uint8_t pageFlags(std::uint32_t file, std::int64_t page) const;
  bool pinned(std::uint32_t file, std::int64_t page) const;
  const std::vector<std::vector<std::uint8_t>>& pages() const { return pages_; }
  std::int64_t activePages() const { return active_; }
  std::int64_t inactivePages() const { return inactive_; }
  std::int64_t dirtyPages() const { return dirty_; }
  std::int64_t pinnedPages() const;
  const std::deque<PinnedRange>& pinnedRanges() const { return pinned_; }

  const std::deque<Skb>& queuedSkbs() const { return skbs_; }
  std::uint64_t pipePages() const { return pipePages_; }
  // Between a syscall_enter and its syscall_exit on this lane.
  bool inSyscall(std::uint32_t lane) const { return lane < inSyscall_.size() && inSyscall_[lane]; }

 private:
  std::uint8_t& flags(std::uint32_t file, std::int64_t page);
  void setFlags(std::uint32_t file, std::int64_t page, std::uint8_t f);
  void forPages(const Event& e, auto&& fn);
  void count(const Event& e, const RunTrace& run);

  std::size_t applied_ = 0;
  std::array<double, schema::kCounters.size()> live_{};
  std::vector<std::vector<std::uint8_t>> pages_;
  std::int64_t active_ = 0, inactive_ = 0, dirty_ = 0;
  // Pages held by reference (pipe, skb fragments) until the NIC completes: the trace
  // has no put_page event, so each `nic tx` interrupt releases the oldest hold.
  std::deque<PinnedRange> pinned_;
  std::deque<Skb> skbs_;
  std::uint64_t pipePages_ = 0;
  std::vector<std::uint8_t> inSyscall_;
};

// The state after any number of events of one run, cheap to ask in order and
// bounded to ~64 snapshots (plus a replay of at most one interval) when asked out of order.
class RunStateCache {
 public:
  explicit RunStateCache(const RunTrace* run);
  const RunState& at(std::size_t applied);

 private:
  const RunTrace* run_;
  std::size_t every_;
  std::vector<RunState> snapshots_;  // snapshots_[i] has i * every_ events applied
  RunState current_;
};

}  // namespace kiosim::gui
