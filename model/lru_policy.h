// One LRU list: the textbook policy (and what Linux did before 2.4's two lists),
// kept for comparison with the kernel's two lists in class and in cache-replay.
// Every page lives on the "inactive" list; a hit moves it to the head; reclaim
// takes the tail; a page that cannot go (pinned, dirty) is rotated to the head.
// No activations, no deactivations. The list: one_list_policy.h.
#pragma once
#include "model/one_list_policy.h"

namespace kiosim {

class LruPolicy final : public OneListPolicy {
 public:
  void touch(Slot s) override {
    if (lists_.head(LruList::inactive) != s) to_head(s);
  }
  // folio_rotate_reclaimable (mm/swap.c lru_move_tail): to the tail, to go next.
  void rotate_reclaimable(Slot s) override {
    lists_.unlink(s);
    lists_.push_tail(LruList::inactive, s);
  }
};

}  // namespace kiosim
