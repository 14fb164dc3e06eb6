// Random replacement (OSTEP ch. 22 "Random"; libCacheSim cache/eviction/Random.c):
// the victim is a resident page drawn uniformly at random. Seeded, so a replay
// is repeatable: the generator is splitmix64 (Steele, Lea and Flood 2014), drawn
// once per reclaim (age_active) and again after a rotate. The residents are kept in a dense array (slot -> position)
// so a draw, an insert and a removal are O(1).
#pragma once
#include <vector>

#include "model/replacement_policy.h"

namespace kiosim {

class RandPolicy final : public ReplacementPolicy {
 public:
  explicit RandPolicy(std::uint64_t seed = 1) : state_(seed) {}
  void insert(Slot s) override;
  void touch(Slot) override {}
  void remove(Slot s) override;
  Slot victim() const override { return members_.empty() ? kNoSlot : members_[draw_ % members_.size()]; }
  void rotate(Slot) override { draw(); }  // this one cannot go now: draw again
  void age_active() override { draw(); }  // reclaim is about to take a victim
  LruList list_of(Slot s) const override {
    return s < pos_.size() && pos_[s] != kNoSlot ? LruList::inactive : LruList::none;
  }
  std::size_t size(LruList l) const override { return l == LruList::inactive ? members_.size() : 0; }
  std::vector<Slot> order(LruList l) const override { return l == LruList::inactive ? members_ : std::vector<Slot>{}; }

 private:
  void draw();
  std::vector<Slot> members_;  // the resident slots, in no order
  std::vector<Slot> pos_;      // slot -> index in members_, or kNoSlot
  std::uint64_t state_;
  std::uint64_t draw_ = 0;
};

}  // namespace kiosim
