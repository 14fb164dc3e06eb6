// Belady's optimal replacement, OPT or MIN (Belady 1966; OSTEP ch. 22 "The
// Optimal Replacement Policy"; libCacheSim cache/eviction/Belady.c): the victim
// is the page whose next use is farthest in the future. It needs the future:
// the replay tells each access's next-use time through next_use() before the
// insert or touch (from oracleGeneral's next-access field, or from one backward
// pass over the trace). A page never used again (kNever) goes first; among such
// pages the choice does not change the number of hits.
// The pages sit in a binary max-heap on next-use time, indexed by slot, so a
// hit (its next use moves later) and a removal are O(log n) with no allocation.
#pragma once
#include <vector>

#include "model/replacement_policy.h"

namespace kiosim {

class OptPolicy final : public ReplacementPolicy {
 public:
  void next_use(Slot s, std::uint64_t when) override;
  void insert(Slot s) override;
  void touch(Slot) override {}  // next_use() already moved it
  void remove(Slot s) override;
  Slot victim() const override { return heap_.empty() ? kNoSlot : heap_[0]; }
  // A page that cannot go now (dirty: written back at once in a replay) stays
  // the farthest: Belady has no reason to prefer another.
  void rotate(Slot) override {}
  LruList list_of(Slot s) const override {
    return s < pos_.size() && pos_[s] != kNoSlot ? LruList::inactive : LruList::none;
  }
  std::size_t size(LruList l) const override { return l == LruList::inactive ? heap_.size() : 0; }
  std::vector<Slot> order(LruList l) const override;  // farthest next use first
  std::uint64_t when(Slot s) const { return s < when_.size() ? when_[s] : kNever; }

 private:
  void ensure(Slot s);
  void up(std::size_t i);
  void down(std::size_t i);
  void place(std::size_t i, Slot s) {
    heap_[i] = s;
    pos_[s] = Slot(i);
  }
  std::vector<Slot> heap_;             // heap_[0]: the farthest next use
  std::vector<Slot> pos_;              // slot -> index in heap_, or kNoSlot
  std::vector<std::uint64_t> when_;    // slot -> next-use time
};

}  // namespace kiosim
