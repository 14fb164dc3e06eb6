// Everything one on-screen run needs to draw a moment: the trace, its index, its
// state cache, and which slot of the shared clock it is.
#pragma once
#include "gui/address_space_state.h"
#include "gui/frame.h"
#include "gui/journal_state.h"
#include "gui/page_lists_state.h"
#include "gui/playback_clock.h"
#include "gui/run_index.h"
#include "gui/run_state.h"
#include "gui/tlb_state.h"

namespace kiosim::gui {

class RunPlayer {
 public:
  RunPlayer(TracePtr trace, int run, int slot, const PlaybackClock* clock)
      : trace_(std::move(trace)), run_(&trace_->runs[static_cast<std::size_t>(run)]), slot_(slot), clock_(clock),
        index_(*run_), cache_(run_), tlbs_(*trace_), journal_(*run_) {}

  const RunTrace& run() const { return *run_; }
  const RunIndex& index() const { return index_; }
  int slot() const { return slot_; }
  // The state and frame at the clock's current moment.
  const RunState& state() { return cache_.at(clock_->applied(slot_)); }
  Frame frame() {
    const RunState& s = state();
    const auto [slot, index] = clock_->lastEvent();
    // The newest event of this run that has happened (if it is the clock's last, name it).
    long long last = slot == slot_ ? static_cast<long long>(index) : static_cast<long long>(s.applied()) - 1;
    return computeFrame(*run_, index_, s, clock_->now(), clock_->linger(), last);
  }
  // The address spaces and TLBs at the clock's moment: replayed forward, from the start
  // when the clock went back (these views serve scenarios of thousands of events).
  const AddressSpaceState& addressSpaces() { return upTo(spaces_, [] { return AddressSpaceState{}; }); }
  const TlbState& tlbs() { return upTo(tlbs_, [this] { return TlbState(*trace_); }); }
  const JournalState& journal() { return upTo(journal_, [this] { return JournalState(*run_); }); }
  const PageListsState& pageLists() { return upTo(lists_, [] { return PageListsState{}; }); }
  double now() const { return clock_->now(); }

 private:
  template <class State, class Make>
  const State& upTo(State& s, Make fresh) {
    const std::size_t n = clock_->applied(slot_);
    if (s.applied() > n) s = fresh();
    while (s.applied() < n) s.apply(run_->events[s.applied()], s.applied(), *run_);
    return s;
  }

  TracePtr trace_;  // keeps run_ alive
  const RunTrace* run_;
  int slot_;
  const PlaybackClock* clock_;
  RunIndex index_;
  RunStateCache cache_;
  AddressSpaceState spaces_;
  TlbState tlbs_;
  JournalState journal_;
  PageListsState lists_;
};

}  // namespace kiosim::gui
