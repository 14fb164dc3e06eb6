// The two-list page cache of MODEL.md section 3, walked through by hand.
// Lists are written head first: inactive [4 3 2 1] means 4 is the head (newest)
// and 1 the tail (the next reclaim candidate). All pages are of file 0; a number
// is the page index. Every cache here is far below 1 GiB, so ratio = 1: balance
// deactivates while inactive < active.
#include <catch2/catch.hpp>

#include <vector>

#include "model/page_cache.h"
#include "model/two_list_policy.h"

using namespace kiosim;

namespace {

PageKey P(std::uint64_t i) { return PageKey{0, i}; }

std::vector<std::uint64_t> list(const PageCache& c, LruList l) {
  std::vector<std::uint64_t> out;
  for (PageKey k : c.order(l)) out.push_back(k.index);
  return out;
}
using V = std::vector<std::uint64_t>;

PageCache two_list(std::uint64_t pages) { return PageCache(PageCacheParams{pages, CachePolicy::two_list}); }

}  // namespace

TEST_CASE("two_list: activation, deactivation by the ratio rule, eviction order", "[page_cache][two_list]") {
  PageCache c = two_list(6);

  // 1-4 miss: each is inserted at the inactive head.
  for (std::uint64_t p : {1, 2, 3, 4}) REQUIRE_FALSE(c.access(P(p)));
  CHECK(list(c, LruList::inactive) == V{4, 3, 2, 1});
  CHECK(list(c, LruList::active).empty());

  // Page 3 hits on inactive -> active head (activation 1).
  // inactive [4 2 1], active [3]; balance: 3 * 1 < 1? no.
  REQUIRE(c.access(P(3)));
  CHECK(list(c, LruList::inactive) == V{4, 2, 1});
  CHECK(list(c, LruList::active) == V{3});

  // Page 1 hits on inactive -> active head. inactive [4 2], active [1 3]; 2 < 2? no.
  REQUIRE(c.access(P(1)));
  CHECK(list(c, LruList::active) == V{1, 3});
  CHECK(c.stats().deactivations == 0);

  // Page 2 hits on inactive -> inactive [4], active [2 1 3].
  // Balance: 1 < 3, so the active tail (page 3) is deactivated to the inactive
  // head: inactive [3 4], active [2 1]; 2 < 2? no, stop.
  REQUIRE(c.access(P(2)));
  CHECK(list(c, LruList::inactive) == V{3, 4});
  CHECK(list(c, LruList::active) == V{2, 1});
  CHECK(c.stats().activations == 3);
  CHECK(c.stats().deactivations == 1);

  // Page 1 hits on active -> active head: active [1 2]. No activation counted.
  REQUIRE(c.access(P(1)));
  CHECK(list(c, LruList::active) == V{1, 2});
  CHECK(c.stats().activations == 3);

  // 5, 6 miss: inactive [6 5 3 4]; the cache now holds 6 pages = capacity.
  REQUIRE_FALSE(c.access(P(5)));
  REQUIRE_FALSE(c.access(P(6)));
  CHECK(list(c, LruList::inactive) == V{6, 5, 3, 4});
  CHECK(c.size() == 6);

  // 7 misses in a full cache: reclaim takes the inactive tail, page 4.
  REQUIRE_FALSE(c.access(P(7)));
  CHECK_FALSE(c.contains(P(4)));
  CHECK(list(c, LruList::inactive) == V{7, 6, 5, 3});
  CHECK(c.stats().evictions == 1);

  // 8 misses: page 3 (deactivated earlier, now the tail) goes.
  REQUIRE_FALSE(c.access(P(8)));
  CHECK_FALSE(c.contains(P(3)));
  CHECK(list(c, LruList::inactive) == V{8, 7, 6, 5});

  // 5 hits on inactive: inactive [8 7 6], active [5 1 2]; 3 < 3? no.
  REQUIRE(c.access(P(5)));
  CHECK(list(c, LruList::active) == V{5, 1, 2});
  // 6 hits on inactive: inactive [8 7], active [6 5 1 2]; 2 < 4: page 2 is
  // deactivated: inactive [2 8 7], active [6 5 1]; 3 < 3? no.
  REQUIRE(c.access(P(6)));
  CHECK(list(c, LruList::inactive) == V{2, 8, 7});
  CHECK(list(c, LruList::active) == V{6, 5, 1});
  CHECK(c.stats().activations == 5);
  CHECK(c.stats().deactivations == 2);

  // 9 misses: the inactive tail, page 7, goes: inactive [2 8], active [6 5 1].
  // The eviction is a change too: 2 < 3, so page 1 is deactivated: inactive
  // [1 2 8], active [6 5]. Then 9 goes in at the inactive head.
  REQUIRE_FALSE(c.access(P(9)));
  CHECK(list(c, LruList::inactive) == V{9, 1, 2, 8});
  CHECK(list(c, LruList::active) == V{6, 5});
  CHECK(c.stats().evictions == 3);
  CHECK(c.stats().deactivations == 3);
  CHECK(c.stats().hits == 6);
  CHECK(c.stats().misses == 9);
}

TEST_CASE("two_list: reclaim rotates pinned pages and marks dirty ones PG_reclaim, writing nothing", "[page_cache][two_list][pinning]") {
  // mm/vmscan.c shrink_folio_list: a dirty file folio gets folio_set_reclaim and goes
  // to activate_locked; no pageout() from reclaim. folio_end_writeback ->
  // folio_rotate_reclaimable moves it to the inactive tail once it is clean.
  PageCache c = two_list(4);
  for (std::uint64_t p : {1, 2, 3, 4}) c.access(P(p));
  CHECK(list(c, LruList::inactive) == V{4, 3, 2, 1});
  c.get(P(1));         // pinned (a pipe holds it)
  c.mark_dirty(P(2));  // written, not yet on disk
  CHECK(c.pinned_pages() == 1);
  CHECK(c.dirty_pages() == 1);

  // 5 misses. Tail 1 is pinned: rotated to the head [1 4 3 2]. Tail 2 is dirty:
  // PG_reclaim, activated (two_list: to the active head; inactive 3 >= active 1, no
  // deactivation). Tail 3 is clean: evicted. 5 goes in at the head: [5 1 4], active [2].
  REQUIRE(c.insert(P(5)) == PageCache::Insert::inserted);
  CHECK(list(c, LruList::inactive) == V{5, 1, 4});
  CHECK(list(c, LruList::active) == V{2});
  CHECK_FALSE(c.contains(P(3)));
  CHECK(c.is_dirty(P(2)));  // reclaim wrote nothing
  CHECK_FALSE(c.under_writeback(P(2)));
  CHECK(c.writeback_pages() == 0);
  CHECK(c.marked_for_reclaim(P(2)));
  CHECK(c.stats().rotations == 1);
  CHECK(c.stats().reclaim_marked == 1);
  CHECK(c.stats().activations == 1);
  CHECK_FALSE(c.take_flusher_wakeup());  // 3 pages taken, 1 of them dirty: not a batch of dirty ones

  // 6: tail 4 is clean: evicted. [6 5 1]. Then the flusher puts 2 under writeback.
  c.insert(P(6));
  CHECK(list(c, LruList::inactive) == V{6, 5, 1});
  CHECK(c.start_writeback(P(2)));
  // 7: tail 1 pinned -> [1 6 5]; tail 5 evicted; [7 1 6]. 2, on the active list, is not looked at.
  c.insert(P(7));
  CHECK(list(c, LruList::inactive) == V{7, 1, 6});

  // 2's write ends: clean and PG_reclaim, it moves to the inactive tail [7 1 6 2];
  // the pipe lets go of page 1.
  CHECK(c.end_writeback(P(2)));
  CHECK_FALSE(c.marked_for_reclaim(P(2)));
  CHECK(list(c, LruList::inactive) == V{7, 1, 6, 2});
  CHECK(c.order(LruList::active).empty());
  CHECK(c.stats().rotated_reclaimable == 1);
  c.put(P(1));
  CHECK(c.pinned_pages() == 0);
  // 8 evicts 2 (reclaimed right after its writeback), 9 evicts 6, 10 evicts 1.
  c.insert(P(8));
  CHECK_FALSE(c.contains(P(2)));
  c.insert(P(9));
  c.insert(P(10));
  CHECK_FALSE(c.contains(P(1)));
  CHECK(list(c, LruList::inactive) == V{10, 9, 8, 7});
  CHECK(c.stats().evictions == 6);  // 3, 4, 5, 2, 6, 1
}

TEST_CASE("two_list: a cache full of pinned pages has no room (the caller stalls)", "[page_cache][pinning]") {
  PageCache c = two_list(2);
  c.insert(P(1));
  c.insert(P(2));
  c.get(P(1));
  c.get(P(2));
  CHECK(c.insert(P(3)) == PageCache::Insert::no_room);
  CHECK(c.stats().stalls == 1);
  CHECK(c.contains(P(1)));
  CHECK(c.contains(P(2)));
  CHECK_FALSE(c.remove(P(1)));  // fadvise DONTNEED cannot drop a pinned page
  c.put(P(2));
  CHECK(c.insert(P(3)) == PageCache::Insert::inserted);
  CHECK_FALSE(c.contains(P(2)));
}

TEST_CASE("two_list: the inactive ratio follows the cache size (mm/vmscan.c inactive_is_low)", "[two_list]") {
  // Pages per GiB: 2^30 / 2^12 = 262144.
  CHECK(TwoListPolicy::inactive_ratio(262143) == 1);   // just under 1 GiB
  CHECK(TwoListPolicy::inactive_ratio(262144) == 3);   // int_sqrt(10 * 1) = 3
  CHECK(TwoListPolicy::inactive_ratio(4 * 262144) == 6);    // int_sqrt(40) = 6
  CHECK(TwoListPolicy::inactive_ratio(10 * 262144) == 10);  // int_sqrt(100) = 10

  // A 1 GiB cache (ratio 3) lets the active list grow to 3x the inactive one.
  // Slots 0-3 inserted: inactive [3 2 1 0]. Touch 0, 1, 2: inactive [3],
  // active [2 1 0]; 1 * 3 < 3? no. Touch 3: inactive [], active [3 2 1 0];
  // 0 * 3 < 4: slot 0 is deactivated: inactive [0], active [3 2 1]; 3 < 3? no.
  TwoListPolicy p(nullptr, 262144);
  for (Slot s : {0u, 1u, 2u, 3u}) p.insert(s);
  for (Slot s : {0u, 1u, 2u}) p.touch(s);
  CHECK(p.order(LruList::active) == std::vector<Slot>{2, 1, 0});
  CHECK(p.order(LruList::inactive) == std::vector<Slot>{3});
  p.touch(3);
  CHECK(p.order(LruList::active) == std::vector<Slot>{3, 2, 1});
  CHECK(p.order(LruList::inactive) == std::vector<Slot>{0});
}

TEST_CASE("page cache: dirty pages are written oldest first, re-dirtied pages stay dirty", "[page_cache][writeback]") {
  PageCache c = two_list(8);
  for (std::uint64_t p : {1, 2, 3}) c.insert(P(p));
  // Dirtied at t = 10, 20, 30 (the caller's clock).
  CHECK(c.mark_dirty(P(1), 10));
  CHECK(c.mark_dirty(P(2), 20));
  CHECK(c.mark_dirty(P(3), 30));
  CHECK_FALSE(c.mark_dirty(P(3), 35));  // already dirty: keeps its first time
  CHECK(c.oldest_dirty_stamp() == 10);

  // The flusher takes two, oldest first: 1 and 2 go under writeback.
  CHECK(c.start_writeback_oldest(2) == std::vector<PageKey>{P(1), P(2)});
  CHECK(c.dirty_pages() == 1);
  CHECK(c.writeback_pages() == 2);
  // Only pages dirtied before 30 have expired: none left.
  CHECK(c.start_writeback_oldest(10, 30).empty());
  CHECK(c.start_writeback_oldest(10, 31) == std::vector<PageKey>{P(3)});
  CHECK(c.oldest_dirty_stamp() == ~0ULL);

  // Page 1 is written to again while its writeback runs (t = 40).
  CHECK(c.mark_dirty(P(1), 40));
  c.end_writeback(P(1));
  CHECK(c.is_dirty(P(1)));  // still dirty: the new data is not on disk
  CHECK_FALSE(c.remove(P(1)));
  c.end_writeback(P(2));
  CHECK(c.remove(P(2)));  // clean: fadvise DONTNEED drops it
  CHECK_FALSE(c.contains(P(2)));
  CHECK(c.start_writeback_oldest(10) == std::vector<PageKey>{P(1)});
}

TEST_CASE("two_list: the first read of a readahead page does not activate it", "[page_cache][two_list][readahead]") {
  PageCache c = two_list(8);
  // A read of page 1 misses; the read brings 1 in, and 2, 3 ahead of use: [3 2 1].
  c.insert(P(1));
  c.insert(P(2), true);
  c.insert(P(3), true);
  // The reader reaches page 2: a hit, but its first use: like a page that just
  // missed, it stays where it is (Linux only sets PG_referenced).
  REQUIRE(c.lookup(P(2)));
  CHECK(list(c, LruList::inactive) == V{3, 2, 1});
  CHECK(c.stats().activations == 0);
  // A second read of page 2 is a re-use: activation. inactive [3 1], active [2].
  REQUIRE(c.lookup(P(2)));
  CHECK(list(c, LruList::active) == V{2});
  CHECK(c.stats().activations == 1);
  // Page 1 came in as requested (not ahead): its next hit activates at once:
  // inactive [3], active [1 2]; balance: 1 < 2, so 2 is deactivated:
  // inactive [2 3], active [1].
  REQUIRE(c.lookup(P(1)));
  CHECK(list(c, LruList::active) == V{1});
  CHECK(list(c, LruList::inactive) == V{2, 3});

  // lru knows no lists to protect: the first use moves the page to the head.
  PageCache l(PageCacheParams{8, CachePolicy::lru});
  l.insert(P(1));
  l.insert(P(2), true);
  REQUIRE(l.lookup(P(1)));
  CHECK(list(l, LruList::inactive) == V{1, 2});
  REQUIRE(l.lookup(P(2)));
  CHECK(list(l, LruList::inactive) == V{2, 1});
}
