// First in, first out (OSTEP ch. 22 "FIFO"; libCacheSim cache/eviction/FIFO.c):
// a page goes to the head when it enters, a hit changes nothing, reclaim takes
// the oldest page (the tail). A page that cannot go now (dirty) goes back to
// the head, as any policy's rotate does.
#pragma once
#include "model/replacement_policy.h"

namespace kiosim {

class FifoPolicy final : public ReplacementPolicy {
 public:
  void insert(Slot s) override { lists_.push_head(LruList::inactive, s); }
  void touch(Slot) override {}
  void remove(Slot s) override { lists_.unlink(s); }
  Slot victim() const override { return lists_.tail(LruList::inactive); }
  void rotate(Slot s) override {
    lists_.unlink(s);
    lists_.push_head(LruList::inactive, s);
  }
  LruList list_of(Slot s) const override { return lists_.list_of(s); }
  std::size_t size(LruList l) const override { return lists_.size(l); }
  std::vector<Slot> order(LruList l) const override { return lists_.order(l); }

 private:
  SlotLists lists_;
};

}  // namespace kiosim
