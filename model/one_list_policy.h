// The plumbing of the policies that keep every resident page on one list: a page
// enters at the head, reclaim takes the tail, and a page that cannot go now goes
// back to the head. Linux's own one list of 2.2 (before 2.4's active and inactive
// lists) and the textbook's; the list moves are mm/swap.c's (lru_cache_add puts a
// folio at the head, lruvec_del_folio unlinks it) and reclaim isolates from the
// tail as mm/vmscan.c isolate_lru_folios does. What a hit does is each policy's own:
// fifo_policy.h (nothing), lru_policy.h (to the head), clock_policy.h (a bit).
#pragma once
#include "model/replacement_policy.h"

namespace kiosim {

class OneListPolicy : public ReplacementPolicy {
 public:
  void insert(Slot s) override { lists_.push_head(LruList::inactive, s); }
  void remove(Slot s) override { lists_.unlink(s); }
  Slot victim() const override { return lists_.tail(LruList::inactive); }
  void rotate(Slot s) override { to_head(s); }
  LruList list_of(Slot s) const override { return lists_.list_of(s); }
  std::size_t size(LruList l) const override { return lists_.size(l); }
  std::vector<Slot> order(LruList l) const override { return lists_.order(l); }

 protected:
  void to_head(Slot s) {
    lists_.unlink(s);
    lists_.push_head(LruList::inactive, s);
  }
  SlotLists lists_;
};

}  // namespace kiosim
