// The LRU as Linux 6.x runs it on the file lists (CONFIG_LRU_GEN off), the default
// policy of simulations (`linux`; two_list_policy.h is the textbook version):
//  - a new folio goes to the inactive head (folio_add_lru);
//  - a hit is folio_mark_accessed (mm/swap.c): the first sets PG_referenced, the
//    second (on the inactive list) activates to the active head and clears it; a hit
//    on the active list only sets PG_referenced: the active list keeps activation order;
//  - deactivation happens only in reclaim (age_active, called before each victim is
//    taken): when inactive_is_low() holds for the lists' *current* size, a batch of
//    up to SWAP_CLUSTER_MAX (32) folios moves from the active tail to the inactive
//    head (shrink_active_list); PG_referenced is left as it is;
//  - shadow entries (mm/workingset.c): eviction returns the lruvec's nonresident
//    age (workingset_eviction), which ages by one per eviction and per activation
//    (workingset_age_nonresident); a refault whose distance (age now - age then) is
//    at most the active list's size goes straight to the active head
//    (workingset_refault / workingset_test_recent, file pages, no swap).
// Simplified: one lruvec (one node, no memory cgroups), per-page folios, no per-CPU
// folio batches (a move happens at once), shrink_active_list does not look at PTEs
// (Linux keeps referenced VM_EXEC file folios active), no PG_workingset restore.
#pragma once
#include <vector>

#include "model/replacement_policy.h"

namespace kiosim {

class LinuxPolicy final : public ReplacementPolicy {
 public:
  static constexpr std::size_t kSwapClusterMax = 32;  // include/linux/swap.h SWAP_CLUSTER_MAX

  explicit LinuxPolicy(Observer* obs = nullptr) : obs_(obs) {}
  void insert(Slot s) override;
  void insert_refault(Slot s, std::uint64_t shadow) override;
  void touch(Slot s) override;  // folio_mark_accessed
  void remove(Slot s) override;
  Slot victim() const override;
  void rotate(Slot s) override;
  void rotate_reclaimable(Slot s) override;
  void activate(Slot s) override;
  bool test_clear_referenced(Slot s) override;
  void set_referenced(Slot s) override;
  void age_active() override;
  std::uint64_t eviction_shadow(Slot s) override;
  LruList list_of(Slot s) const override { return lists_.list_of(s); }
  std::size_t size(LruList l) const override { return lists_.size(l); }
  std::vector<Slot> order(LruList l) const override { return lists_.order(l); }

  // mm/vmscan.c inactive_is_low() on the current list sizes.
  bool inactive_is_low() const;
  bool referenced(Slot s) const { return s < ref_.size() && ref_[s]; }
  std::uint64_t nonresident_age() const { return age_; }

 private:
  void to_active(Slot s);
  std::uint8_t& ref(Slot s);
  SlotLists lists_;
  std::vector<std::uint8_t> ref_;  // PG_referenced, by slot
  std::uint64_t age_ = 0;          // lruvec->nonresident_age
  Observer* obs_;
};

}  // namespace kiosim
