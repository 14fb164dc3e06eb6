// One LRU list: the textbook policy, kept for comparison with the kernel's two lists.
// Every page lives on the "inactive" list; a hit moves it to the head.
#pragma once
#include "model/replacement_policy.h"

namespace kiosim {

class LruPolicy final : public ReplacementPolicy {
 public:
  void insert(Slot s) override { lists_.push_head(LruList::inactive, s); }
  void touch(Slot s) override { lists_.unlink(s); lists_.push_head(LruList::inactive, s); }
  void remove(Slot s) override { lists_.unlink(s); }
  Slot victim() const override { return lists_.tail(LruList::inactive); }
  void rotate(Slot s) override { touch(s); }
  LruList list_of(Slot s) const override { return lists_.list_of(s); }
  std::size_t size(LruList l) const override { return lists_.size(l); }
  std::vector<Slot> order(LruList l) const override { return lists_.order(l); }

 private:
  SlotLists lists_;
};

}  // namespace kiosim
