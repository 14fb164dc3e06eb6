// Reclaim of mapped pages (mm/vmscan.c folio_check_references, mm/rmap.c
// folio_referenced and try_to_unmap), first on the model with a walker written
// here, then in a simulation: a page that a PTE maps is never evicted while the PTE
// survives, so a write through the mapping after memory pressure is not lost.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "model/address_space.h"
#include "model/page_cache.h"
#include "model/rmap.h"
#include "sim/run/run.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {

PageKey P(std::uint64_t i) { return PageKey{0, i}; }

// One PTE per mapped page; `young` is its accessed bit.
struct OnePteWalker final : RmapWalker {
  PageCache* cache = nullptr;
  std::map<std::uint64_t, bool> young;  // mapped pages
  std::vector<std::uint64_t> unmapped;
  bool can_unmap = true;
  int referenced(PageKey k) override {
    auto it = young.find(k.index);
    if (it == young.end() || !it->second) return 0;
    it->second = false;  // folio_referenced clears what it tests
    return 1;
  }
  void unmap(PageKey k) override {
    if (!can_unmap || !young.count(k.index)) return;
    young.erase(k.index);
    unmapped.push_back(k.index);
    cache->unmap(k);
  }
};

}  // namespace

TEST_CASE("folio_check_references: a mapped page is looked at twice, then activated or unmapped", "[rmap]") {
  PageCache c(PageCacheParams{2, CachePolicy::linux_lru});
  OnePteWalker w;
  w.cache = &c;
  c.set_rmap(&w);
  c.insert(P(0));  // brought in by a fault: no folio_mark_accessed
  c.insert(P(1));  // inactive [1 0]
  c.map(P(0));
  w.young[0] = true;  // the fault that mapped it set the accessed bit
  REQUIRE(c.mapcount(P(0)) == 1);
  // 2 misses. Tail 0: referenced_ptes 1, PG_referenced clear -> PG_referenced set,
  // FOLIOREF_KEEP (back to the inactive head). Tail 1, unmapped: evicted.
  c.access(P(2));
  CHECK(c.contains(P(0)));
  CHECK(!c.contains(P(1)));
  CHECK(c.stats().activations == 0);
  // The program touches page 0 again (accessed bit set). 3 misses: tail 0 has one
  // referenced PTE and PG_referenced -> FOLIOREF_ACTIVATE. Tail 2 (marked by its miss,
  // but not mapped) is evicted.
  w.young[0] = true;
  c.access(P(3));
  CHECK(c.list_of(P(0)) == LruList::active);
  CHECK(c.stats().activations == 1);
  CHECK(!c.contains(P(2)));
  CHECK(w.unmapped.empty());
}

TEST_CASE("try_to_unmap: an unreferenced mapped page is unmapped before it is evicted", "[rmap]") {
  for (CachePolicy p : {CachePolicy::linux_lru, CachePolicy::two_list, CachePolicy::lru}) {
    PageCache c(PageCacheParams{1, p});
    OnePteWalker w;
    w.cache = &c;
    c.set_rmap(&w);
    c.access(P(0));
    c.map(P(0));
    w.young[0] = false;  // not touched since the last look
    // 1 misses: the only candidate, 0, has no referenced PTE and no PG_referenced:
    // try_to_unmap, then evicted.
    c.access(P(1));
    CHECK(w.unmapped == std::vector<std::uint64_t>{0});
    CHECK(c.stats().unmapped == 1);
    CHECK(!c.contains(P(0)));
  }
}

TEST_CASE("a mapped page that cannot be unmapped is never evicted, nor dropped", "[rmap]") {
  PageCache c(PageCacheParams{1, CachePolicy::linux_lru});
  OnePteWalker w;
  w.cache = &c;
  w.can_unmap = false;
  c.set_rmap(&w);
  c.access(P(0));
  c.map(P(0));
  w.young[0] = false;
  CHECK(c.insert(P(1)) == PageCache::Insert::no_room);
  CHECK(c.contains(P(0)));
  CHECK_FALSE(c.remove(P(0)));  // mapping_evict_folio: a mapped folio stays
  // Without a walker at all, the same.
  PageCache d(PageCacheParams{1, CachePolicy::two_list});
  d.access(P(0));
  d.map(P(0));
  CHECK(d.insert(P(1)) == PageCache::Insert::no_room);
  d.unmap(P(0));
  CHECK(d.insert(P(1)) == PageCache::Insert::inserted);
}

TEST_CASE("FileRmap walks the PTEs of one page in every address space that maps it", "[rmap]") {
  AddressSpace a, b;
  Vma v;
  v.kind = VmaKind::file_shared;
  v.file = 3;
  v.pages = 8;
  v.file_first_page = 4;  // maps file pages 4..11
  std::uint64_t sa = a.map(v), sb = b.map(v);
  FileRmap r;
  r.add(&a, sa);
  r.add(&b, sb);
  a.set_pte(sa + 2, Pte{PageKey{3, 6}, false});  // file page 6 in a
  b.set_pte(sb + 2, Pte{PageKey{3, 6}, false});  // and in b
  b.set_pte(sb + 3, Pte{PageKey{3, 7}, false});
  int found = 0;
  r.walk(PageKey{3, 6}, [&](AddressSpace&, std::uint64_t) { ++found; });
  CHECK(found == 2);
  r.remove(&a, sa);
  found = 0;
  r.walk(PageKey{3, 6}, [&](AddressSpace& as, std::uint64_t vp) {
    ++found;
    CHECK(&as == &b);
    CHECK(vp == sb + 2);
  });
  CHECK(found == 1);
  r.walk(PageKey{3, 12}, [&](AddressSpace&, std::uint64_t) { FAIL("page 12 is not mapped"); });
}

// The bug this replaces: reclaim took a mapped page while its PTE survived, and the
// write through that PTE went to a page no longer in the cache (lost). By hand:
//  - touch(write) page 0 of m.bin: a major fault (m.bin is not cached), the page dirty;
//    fsync writes it (writeback 1);
//  - reading big.bin (1024 pages) through a 256-page cache reclaims 768+ pages; page 0
//    of m.bin reaches the inactive tail: first with its accessed bit (kept, PG_referenced),
//    then without (RECLAIM_CLEAN): try_to_unmap (1 TLB invalidation), then evicted;
//  - touch(write) page 0 again: it faults again (major: evicted), and is dirty;
//    fsync writes it (writeback 2 in all).
// Before the fix: 1 fault and 1 page written back (the second write was lost).
TEST_CASE("a write through a mapping after reclaim faults the page back and is written back", "[rmap][scenario]") {
  const std::string text = R"(kiosim: 1
set:
  page_cache.size: 1MiB
  page_cache.readahead: 0
  mm.fault_around: 4KiB
files:
  - { name: m.bin, size: 4KiB }
  - { name: big.bin, size: 4MiB }
processes:
  - name: p
    program:
      - open: { file: m.bin, as: m }
      - mmap: { fd: m, as: map, offset: 0, length: 4KiB, shared: true, write: true }
      - touch: { map: map, offset: 0, bytes: 4KiB, write: true }
      - fsync: { fd: m }
      - open: { file: big.bin, as: b }
      - repeat: 64
        do: [ { read: { fd: b, bytes: 64KiB } } ]
      - touch: { map: map, offset: 0, bytes: 4KiB, write: true }
      - fsync: { fd: m }
)";
  auto results = test::simulate_text("rmap-write", text);
  REQUIRE(results.size() == 1);
  const auto& c = results.front()["counters"];
  CHECK(c["page_faults_major"] == 2);
  CHECK(c["page_faults_minor"] == 0);
  CHECK(c["writeback_pages"] == 2);
  CHECK(c["tlb_invalidations"].get<int>() >= 1);
}
