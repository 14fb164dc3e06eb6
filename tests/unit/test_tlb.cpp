// The per-core TLB (model/tlb.h): set-associative, LRU within a set, tagged by address space.
#include <catch2/catch.hpp>

#include "model/tlb.h"

using namespace kiosim;

namespace {
// Scans pages 0..n-1 of address space 1 once; returns the misses.
int scan(Tlb& tlb, int n) {
  int misses = 0;
  for (int p = 0; p < n; ++p) misses += !tlb.access(1, std::uint64_t(p));
  return misses;
}
}  // namespace

TEST_CASE("a 64-entry 4-way TLB: 128 pages scanned twice miss every time", "[tlb]") {
  // 64 entries / 4 ways = 16 sets; page p goes to set p % 16. 128 pages put 8 pages
  // in each set, twice its 4 ways. Scanning in order, each set sees p, p+16, ..., p+112:
  // the 5th evicts the 1st (LRU), and so on, so when the second scan comes back to p
  // it was evicted 4 fills ago. 128 + 128 = 256 misses, 0 hits.
  Tlb tlb(TlbParams{64, 4});
  CHECK(scan(tlb, 128) == 128);
  CHECK(scan(tlb, 128) == 128);
  CHECK(tlb.size() == 64);
}

TEST_CASE("a 64-entry 4-way TLB: 32 pages scanned twice miss only the first time", "[tlb]") {
  // 32 pages: 2 per set, within the 4 ways. First scan: 32 misses (fills);
  // second scan: 32 hits.
  Tlb tlb(TlbParams{64, 4});
  CHECK(scan(tlb, 32) == 32);
  CHECK(scan(tlb, 32) == 0);
  CHECK(tlb.size() == 32);
}

TEST_CASE("LRU within a set keeps the recently used way", "[tlb]") {
  // 2 sets of 2 ways: pages 0, 2, 4 all go to set 0.
  Tlb tlb(TlbParams{4, 2});
  CHECK_FALSE(tlb.access(1, 0));  // set 0: {0}
  CHECK_FALSE(tlb.access(1, 2));  // set 0: {0, 2}
  CHECK(tlb.access(1, 0));        // 0 is now the most recent; 2 the least
  CHECK_FALSE(tlb.access(1, 4));  // evicts 2
  CHECK(tlb.holds(1, 0));
  CHECK_FALSE(tlb.holds(1, 2));
  CHECK(tlb.holds(1, 4));
}

TEST_CASE("entries are tagged by address space, invalidate and flush act on one", "[tlb]") {
  Tlb tlb(TlbParams{64, 4});
  tlb.access(1, 7);
  CHECK_FALSE(tlb.access(2, 7));  // the same virtual page of another address space misses
  CHECK(tlb.access(1, 7));        // and did not evict the first (4 ways)
  CHECK(tlb.invalidate(1, 7));
  CHECK_FALSE(tlb.invalidate(1, 7));  // already gone
  CHECK(tlb.holds(2, 7));
  tlb.access(2, 8);
  tlb.access(1, 9);
  CHECK(tlb.flush(2) == 2);  // pages 7 and 8 of address space 2
  CHECK(tlb.holds(1, 9));
  CHECK(tlb.size() == 1);
}
