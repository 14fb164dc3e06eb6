// The kernel's active/inactive lists (mm/swap.c folio_mark_accessed, mm/vmscan.c
// inactive_is_low / shrink_active_list), as MODEL.md section 3 defines them:
//  - a new page goes to the inactive head;
//  - a hit on the inactive list activates the page to the active head;
//  - a hit on the active list moves it to the active head;
//  - after every change, while inactive * ratio < active, the active tail is
//    deactivated to the inactive head; ratio = 1 under 1 GiB of cached pages,
//    int_sqrt(10 * GiB) from 1 GiB up (Linux computes it from the LRU size);
//  - reclaim takes the inactive tail.
// Simplified: no referenced bit (Linux needs two hits to activate), no
// workingset refault detection, one node and one memory cgroup.
#pragma once
#include "model/replacement_policy.h"

namespace kiosim {

class TwoListPolicy final : public ReplacementPolicy {
 public:
  explicit TwoListPolicy(Observer* obs = nullptr) : obs_(obs) {}
  void insert(Slot s) override;
  void touch(Slot s) override;
  void remove(Slot s) override;
  Slot victim() const override;
  void rotate(Slot s) override;
  LruList list_of(Slot s) const override { return lists_.list_of(s); }
  std::size_t size(LruList l) const override { return lists_.size(l); }
  std::vector<Slot> order(LruList l) const override { return lists_.order(l); }

  // mm/vmscan.c inactive_is_low(): the ratio for a given number of cached pages.
  static std::uint64_t inactive_ratio(std::uint64_t cached_pages);

 private:
  void balance();
  SlotLists lists_;
  Observer* obs_;
};

}  // namespace kiosim
