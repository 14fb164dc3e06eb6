// The `linux` policy (model/linux_policy.h) walked through by hand, rule by rule, each
// named after the Linux function it follows. Lists are written head first: inactive
// [4 3 2 1] means 4 is the head and 1 the tail (the next reclaim candidate). All pages
// are of file 0; a number is the page index. Every cache here is far below 1 GiB, so
// inactive_is_low's ratio is 1: low means inactive < active.
#include <catch2/catch.hpp>

#include <vector>

#include "model/linux_policy.h"
#include "model/page_cache.h"
#include "sim/run/cache_replay.h"

using namespace kiosim;

namespace {

PageKey P(std::uint64_t i) { return PageKey{0, i}; }
using V = std::vector<std::uint64_t>;

V list(const PageCache& c, LruList l) {
  V out;
  for (PageKey k : c.order(l)) out.push_back(k.index);
  return out;
}

PageCache linux_cache(std::uint64_t pages) { return PageCache(PageCacheParams{pages, CachePolicy::linux_lru}); }

}  // namespace

TEST_CASE("linux: folio_mark_accessed - the second mark activates, a hit on the active list only marks",
          "[linux_policy]") {
  PageCache c = linux_cache(8);
  // A miss brings the page in and marks it (the access uses it): PG_referenced, on the
  // inactive list. inactive [3 2 1].
  for (std::uint64_t p : {1, 2, 3}) c.access(P(p));
  CHECK(list(c, LruList::inactive) == V{3, 2, 1});
  CHECK(c.stats().activations == 0);
  // A page inserted without a mark (as a fault or a write brings one in) needs two hits.
  c.insert(P(4));  // inactive [4 3 2 1]
  c.access(P(4));
  CHECK(c.list_of(P(4)) == LruList::inactive);
  // Second mark of page 1: on the inactive list and referenced -> folio_activate,
  // PG_referenced cleared.
  c.access(P(1));
  CHECK(list(c, LruList::active) == V{1});
  CHECK(c.stats().activations == 1);
  // Page 2 the same way: active [2 1] (activation order).
  c.access(P(2));
  CHECK(list(c, LruList::active) == V{2, 1});
  // Hits on page 1, now active: the first sets PG_referenced, the later ones do nothing.
  // The active list keeps activation order ([2 1]; two_list would make it [1 2]).
  for (int i = 0; i < 3; ++i) c.access(P(1));
  CHECK(list(c, LruList::active) == V{2, 1});
  CHECK(c.stats().activations == 2);
  // Nothing is deactivated outside reclaim: inactive [4 3] against active [2 1].
  CHECK(c.stats().deactivations == 0);
}

TEST_CASE("linux: shrink_active_list deactivates in batches of SWAP_CLUSTER_MAX, only when inactive_is_low",
          "[linux_policy]") {
  PageCache c = linux_cache(40);
  // 40 pages, each accessed twice (the miss marks, the hit activates): all 40 active,
  // activated in order 0..39,
  // so active [39 ... 0] and the inactive list is empty.
  for (std::uint64_t p = 0; p < 40; ++p) {
    c.access(P(p));
    c.access(P(p));
  }
  REQUIRE(c.stats().activations == 40);
  REQUIRE(c.order(LruList::inactive).empty());
  // Page 40 misses in a full cache: reclaim. inactive_is_low: 0 * 1 < 40, so
  // shrink_active_list takes 32 from the active tail (0, 1, ..., 31; each to the
  // inactive head): inactive [31 ... 0], active [39 ... 32]. The inactive tail, 0,
  // is evicted; 40 goes to the inactive head.
  c.access(P(40));
  CHECK(c.stats().deactivations == LinuxPolicy::kSwapClusterMax);
  CHECK(c.stats().evictions == 1);
  CHECK(!c.contains(P(0)));
  CHECK(list(c, LruList::active) == V{39, 38, 37, 36, 35, 34, 33, 32});
  CHECK(c.order(LruList::inactive).front().index == 40);
  CHECK(c.order(LruList::inactive).back().index == 1);
  // Page 41: inactive 32 >= active 8, not low: no deactivation; 1 is evicted.
  c.access(P(41));
  CHECK(c.stats().deactivations == 32);
  CHECK(!c.contains(P(1)));
}

TEST_CASE("linux: workingset_refault - a refault within the distance is activated at once", "[linux_policy]") {
  PageCache c = linux_cache(4);
  // Pages 10 and 11 accessed twice (miss and mark, then activation): active [11 10];
  // each activation ages the lruvec by one (workingset_activation): nonresident age 2.
  for (std::uint64_t p : {10, 11}) {
    c.access(P(p));
    c.access(P(p));
  }
  c.access(P(0));
  c.access(P(1));  // inactive [1 0], active [11 10], full
  // 2 misses: not low (2 < 2 is false); the tail 0 is evicted with shadow 2 (the
  // age before workingset_eviction ages it to 3). inactive [2 1].
  c.access(P(2));
  CHECK(!c.contains(P(0)));
  // 0 refaults: 1 is evicted (shadow 3, age 4); 0's refault distance is
  // 4 - 2 = 2 <= 2 active pages: workingset_test_recent -> active at once (age 5).
  c.access(P(0));
  CHECK(c.stats().refaults == 1);
  CHECK(c.list_of(P(0)) == LruList::active);
  CHECK(c.stats().activations == 3);
  CHECK(list(c, LruList::active) == V{0, 11, 10});
  // 1 refaults: inactive [2] is low against active 3, so shrink_active_list moves all
  // three (tail first: 10, 11, 0): inactive [0 11 10 2]; 2 is evicted (shadow 5,
  // age 6). 1's distance is 6 - 3 = 3 > 0 active pages: it stays inactive.
  c.access(P(1));
  CHECK(c.stats().refaults == 2);
  CHECK(c.stats().deactivations == 3);
  CHECK(c.list_of(P(1)) == LruList::inactive);
  CHECK(c.stats().activations == 3);
  CHECK(list(c, LruList::inactive) == V{1, 0, 11, 10});
}

TEST_CASE("linux: an unmapped referenced page on the inactive tail is reclaimed (folio_check_references)",
          "[linux_policy]") {
  // FOLIOREF_RECLAIM_CLEAN: PG_referenced alone does not save an unmapped file page.
  PageCache d = linux_cache(2);
  d.access(P(1));
  d.access(P(2));  // both marked once: PG_referenced, inactive [2 1]
  d.access(P(3));  // 1 is the tail: evicted all the same
  CHECK(!d.contains(P(1)));
  CHECK(d.contains(P(2)));
  CHECK(d.stats().activations == 0);
}

TEST_CASE("cache-replay --policy linux comes from the same code", "[linux_policy][cache_replay]") {
  // Capacity 4, trace 1 2 1 3 4 5 1 6 (each miss marks its page once):
  // 1 2 miss; 1 hits: the second mark activates it (age 1): active [1]; 3 4 miss:
  // inactive [4 3 2], full. 5: not low (3 < 1 false); the tail 2 is evicted (shadow 1,
  // age 2). 1 hits on the active list: PG_referenced only. 6: 3 evicted.
  // 2 hits, 6 misses, 2 evictions, 1 activation.
  ReplayResult r = replay_text("1\n2\n1\n3\n4\n5\n1\n6\n", "t", CachePolicy::linux_lru, 4);
  CHECK(r.hits == 2);
  CHECK(r.misses == 6);
  CHECK(r.evictions == 2);
  CHECK(r.activations == 1);
  CHECK(*parse_cache_policy("linux") == CachePolicy::linux_lru);
  CHECK(to_string(CachePolicy::linux_lru) == "linux");
}
