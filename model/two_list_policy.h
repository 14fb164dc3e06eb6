// The kernel's active/inactive lists (mm/swap.c folio_mark_accessed and
// folio_activate, mm/vmscan.c inactive_is_low / shrink_active_list /
// shrink_inactive_list), exactly as MODEL.md section 3 defines them:
//  - a new page goes to the inactive head;
//  - a hit on the inactive list activates the page to the active head;
//  - a hit on the active list moves it to the active head;
//  - after every change, while inactive * ratio < active, the active tail is
//    deactivated to the inactive head;
//  - reclaim takes the inactive tail (victim()); a page that cannot go now is
//    rotated to the inactive head (rotate()).
// The ratio: Linux's inactive_is_low() computes gb = (inactive + active) in GiB
// and uses int_sqrt(10 * gb), or 1 under 1 GiB, from the *current* LRU size.
// kiosim takes it from the cache's *capacity* (MODEL.md: "1 GiB of cache"): in
// the steady state of a full cache the two agree, and a fixed ratio keeps
// hand-worked sequences simple and avoids a burst of deactivations at the
// moment a filling cache crosses 1 GiB. 1 GiB (262144 pages) already gives 3.
// Simplified: no referenced bit (Linux needs two accesses to activate an
// unmapped page; kiosim activates on the first hit, except the first read of a
// page readahead brought in: see first_use), no workingset refault detection, no per-folio LRU, one node
// and one memory cgroup, no batching of moves (per-CPU folio batches).
#pragma once
#include "model/replacement_policy.h"

namespace kiosim {

class TwoListPolicy final : public ReplacementPolicy {
 public:
  explicit TwoListPolicy(Observer* obs = nullptr, std::uint64_t capacity_pages = 0)
      : obs_(obs), ratio_(inactive_ratio(capacity_pages)) {}
  void insert(Slot s) override;
  void touch(Slot s) override;
  // folio_mark_accessed on a page's first access only sets PG_referenced: a page
  // that readahead brought in stays where it is when first read, so a single
  // sequential pass never activates (MODEL.md: "readahead pages are inserted on
  // the inactive list"; the used-once scan stays there).
  void first_use(Slot) override {}
  void remove(Slot s) override;
  Slot victim() const override;
  void rotate(Slot s) override;
  void rotate_reclaimable(Slot s) override;
  LruList list_of(Slot s) const override { return lists_.list_of(s); }
  std::size_t size(LruList l) const override { return lists_.size(l); }
  std::vector<Slot> order(LruList l) const override { return lists_.order(l); }

  // mm/vmscan.c inactive_is_low(): 1 under 1 GiB of pages, int_sqrt(10 * GiB) above.
  static std::uint64_t inactive_ratio(std::uint64_t pages);
  std::uint64_t ratio() const { return ratio_; }

 private:
  void balance();
  SlotLists lists_;
  Observer* obs_;
  std::uint64_t ratio_;
};

}  // namespace kiosim
