// One core's TLB, after arch/x86/mm/tlb.c and the hardware it drives: `entries`
// translations in sets of `ways`, LRU within a set, each tagged by the address
// space (the PCID of x86), so a switch between address spaces needs no flush.
// A miss means a page walk; the walk then fills the entry (evicting the set's LRU).
// invalidate() is INVLPG (flush_tlb_one_user), flush() drops one address space's
// entries (flush_tlb_mm_range above tlb_single_page_flush_ceiling).
// Simplified: one level (no L1/L2 split, no huge-page entries), the set is the
// virtual page number modulo the number of sets, and the cost of a walk belongs
// to sim/, not here.
#pragma once
#include <cstdint>
#include <vector>

namespace kiosim {

struct TlbParams {
  std::uint32_t entries = 64;  // tlb.entries
  std::uint32_t ways = 4;      // tlb.ways (entries / ways sets)
  std::uint32_t sets() const { return ways ? (entries / ways ? entries / ways : 1) : 1; }
};

class Tlb {
 public:
  explicit Tlb(TlbParams p = {});

  // A translation of `vpage` in address space `asid`: true on a hit. A miss fills
  // the entry (the page walk's result), evicting the least recently used way.
  bool access(std::uint32_t asid, std::uint64_t vpage);
  // True if the translation is cached (no LRU change, no fill).
  bool holds(std::uint32_t asid, std::uint64_t vpage) const;
  // Drops one translation; true if it was cached (INVLPG).
  bool invalidate(std::uint32_t asid, std::uint64_t vpage);
  // Drops every translation of `asid`; returns how many were cached.
  std::uint32_t flush(std::uint32_t asid);
  std::uint32_t size() const;  // valid entries
  const TlbParams& params() const { return p_; }
  // What one way of one set holds (for a viewer of the TLB: the GUI's TLB view).
  struct Slot {
    bool valid = false;
    std::uint32_t asid = 0;
    std::uint64_t vpage = 0;
  };
  std::uint32_t sets() const { return sets_; }
  std::uint32_t ways() const { return ways_; }
  Slot slot(std::uint32_t set, std::uint32_t way) const {
    const Entry& e = e_[std::size_t(set % sets_) * ways_ + way % ways_];
    return {e.valid, e.asid, e.vpage};
  }

 private:
  struct Entry {
    bool valid = false;
    std::uint32_t asid = 0;
    std::uint64_t vpage = 0;
    std::uint64_t last_use = 0;
  };
  Entry* find(std::uint32_t asid, std::uint64_t vpage);
  std::uint32_t set_of(std::uint64_t vpage) const { return std::uint32_t(vpage % sets_); }

  TlbParams p_;
  std::uint32_t sets_ = 1, ways_ = 1;
  std::vector<Entry> e_;  // sets_ x ways_
  std::uint64_t clock_ = 0;
};

}  // namespace kiosim
