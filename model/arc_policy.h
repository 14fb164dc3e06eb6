// ARC, the Adaptive Replacement Cache (N. Megiddo and D. S. Modha, "ARC: A
// Self-Tuning, Low Overhead Replacement Cache", FAST 2003, Figure 4): what a
// kernel could have chosen instead of the two lists (ZFS did). Four LRU lists:
// T1 (pages seen once lately) and T2 (seen at least twice) hold the cache's c
// pages; the ghost lists B1 and B2 remember the pages last evicted from each.
// A hit moves a page to T2's head (case I). A miss on a B1 ghost says T1 was
// too small: the target p grows by max(|B2|/|B1|, 1) (case II); on a B2 ghost
// it shrinks by max(|B1|/|B2|, 1) (case III); both fetch the page into T2. A
// miss on neither (case IV) trims the directory (B1's tail when |T1|+|B1| = c,
// or B2's when all four hold 2c) and fetches into T1. REPLACE evicts T1's tail
// into B1 when |T1| > p (or = p on a B2 hit), else T2's tail into B2.
// Mapping onto the cache: the cache calls before_insert(shadow) on every miss
// (cases II-IV and the trimming), then victim()/eviction_shadow() when it needs
// room (REPLACE), then insert_refault() with the ghost's shadow. The lists:
// T1 is LruList::inactive and T2 LruList::active. A ghost is a node in a pool
// of its own; its shadow is (generation << 32 | node), so a stale one is known.
#pragma once
#include <vector>

#include "model/replacement_policy.h"

namespace kiosim {

class ArcPolicy final : public ReplacementPolicy {
 public:
  explicit ArcPolicy(std::uint64_t capacity_pages) : c_(capacity_pages ? capacity_pages : 1) {}
  void before_insert(std::uint64_t shadow) override;
  void insert(Slot s) override { pages_.push_head(LruList::inactive, s); }  // case IV: T1
  void insert_refault(Slot s, std::uint64_t shadow) override;
  void touch(Slot s) override;
  // The miss that fetched the page is its first use, not a second: it stays in T1.
  void first_use(Slot) override {}
  void remove(Slot s) override { pages_.unlink(s); }
  Slot victim() const override;
  std::uint64_t eviction_shadow(Slot s) override;
  void rotate(Slot s) override;
  // A ghost lives until ARC trims it, however many evictions that takes.
  std::uint64_t shadow_limit(std::uint64_t) const override { return 0; }
  LruList list_of(Slot s) const override { return pages_.list_of(s); }
  std::size_t size(LruList l) const override { return pages_.size(l); }
  std::vector<Slot> order(LruList l) const override { return pages_.order(l); }

  double target() const { return p_; }  // p: T1's target size
  std::size_t ghosts_b1() const { return ghosts_.size(LruList::inactive); }
  std::size_t ghosts_b2() const { return ghosts_.size(LruList::active); }

 private:
  enum class Seen : std::uint8_t { none, b1, b2 };
  Seen ghost_of(std::uint64_t shadow) const;
  void drop_ghost_tail(LruList l);
  std::size_t t1() const { return pages_.size(LruList::inactive); }
  std::size_t t2() const { return pages_.size(LruList::active); }

  std::uint64_t c_;
  double p_ = 0;
  SlotLists pages_;                  // T1, T2 over cache slots
  SlotLists ghosts_;                 // B1 (inactive), B2 (active) over ghost nodes
  std::vector<std::uint32_t> gen_;   // ghost node -> generation
  std::vector<std::uint32_t> free_;  // free ghost nodes
  Seen pending_ = Seen::none;        // what before_insert found
  bool evict_t1_plain_ = false;      // case IV-A with |T1| = c: T1's tail goes, no ghost
};

}  // namespace kiosim
