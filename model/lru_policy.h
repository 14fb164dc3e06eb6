// One LRU list: the textbook policy (and what Linux did before 2.4's two lists),
// kept for comparison with the kernel's two lists in class and in cache-replay.
// Every page lives on the "inactive" list; a hit moves it to the head; reclaim
// takes the tail; a page that cannot go (pinned, dirty) is rotated to the head.
// No activations, no deactivations.
#pragma once
#include "model/replacement_policy.h"

namespace kiosim {

class LruPolicy final : public ReplacementPolicy {
 public:
  void insert(Slot s) override { lists_.push_head(LruList::inactive, s); }
  void touch(Slot s) override {
    if (lists_.head(LruList::inactive) == s) return;
    lists_.unlink(s);
    lists_.push_head(LruList::inactive, s);
  }
  void remove(Slot s) override { lists_.unlink(s); }
  Slot victim() const override { return lists_.tail(LruList::inactive); }
  void rotate(Slot s) override { touch(s); }
  void rotate_reclaimable(Slot s) override {
    lists_.unlink(s);
    lists_.push_tail(LruList::inactive, s);
  }
  LruList list_of(Slot s) const override { return lists_.list_of(s); }
  std::size_t size(LruList l) const override { return lists_.size(l); }
  std::vector<Slot> order(LruList l) const override { return lists_.order(l); }

 private:
  SlotLists lists_;
};

}  // namespace kiosim
