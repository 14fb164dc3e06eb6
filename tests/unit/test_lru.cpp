// The one-list `lru` policy: by hand, and against a textbook LRU.
#include <catch2/catch.hpp>

#include <algorithm>
#include <list>
#include <vector>

#include "model/page_cache.h"

using namespace kiosim;

namespace {
PageKey P(std::uint64_t i) { return PageKey{0, i}; }
std::vector<std::uint64_t> list(const PageCache& c) {
  std::vector<std::uint64_t> out;
  for (PageKey k : c.order(LruList::inactive)) out.push_back(k.index);
  return out;
}
using V = std::vector<std::uint64_t>;

// The textbook LRU: a list, most recent first; returns the hits.
std::uint64_t textbook_lru_hits(const std::vector<std::uint64_t>& trace, std::size_t capacity) {
  std::list<std::uint64_t> l;
  std::uint64_t hits = 0;
  for (auto p : trace) {
    auto it = std::find(l.begin(), l.end(), p);
    if (it != l.end()) {
      ++hits;
      l.erase(it);
    } else if (l.size() == capacity) {
      l.pop_back();
    }
    l.push_front(p);
  }
  return hits;
}
}  // namespace

TEST_CASE("lru: one list, a hit moves to the head, the tail goes", "[page_cache][lru]") {
  PageCache c(PageCacheParams{3, CachePolicy::lru});
  // 1 2 3 miss: [3 2 1].
  for (std::uint64_t p : {1, 2, 3}) REQUIRE_FALSE(c.access(P(p)));
  CHECK(list(c) == V{3, 2, 1});
  // 1 hits: [1 3 2]. No activation: lru has one list.
  REQUIRE(c.access(P(1)));
  CHECK(list(c) == V{1, 3, 2});
  // 4 misses: the tail 2 goes: [4 1 3].
  REQUIRE_FALSE(c.access(P(4)));
  CHECK(list(c) == V{4, 1, 3});
  // 2 misses again: 3 goes: [2 4 1].
  REQUIRE_FALSE(c.access(P(2)));
  CHECK(list(c) == V{2, 4, 1});
  CHECK(c.stats().activations == 0);
  CHECK(c.stats().deactivations == 0);
  CHECK(c.stats().evictions == 2);
  CHECK(c.order(LruList::active).empty());
}

TEST_CASE("lru: pinned and dirty pages are skipped", "[page_cache][lru][pinning]") {
  PageCache c(PageCacheParams{3, CachePolicy::lru});
  for (std::uint64_t p : {1, 2, 3}) c.access(P(p));  // [3 2 1]
  c.get(P(1));
  c.mark_dirty(P(2));
  // 4: tail 1 pinned -> [1 3 2]; tail 2 dirty -> PG_reclaim, to the head (lru's
  // activate is a touch), [2 1 3], not written; 3 evicted; [4 2 1].
  c.access(P(4));
  CHECK(list(c) == V{4, 2, 1});
  CHECK(c.is_dirty(P(2)));
  CHECK(c.marked_for_reclaim(P(2)));
  CHECK(c.writeback_pages() == 0);
}

TEST_CASE("lru: hit count equals a textbook LRU of the same size", "[page_cache][lru]") {
  // A deterministic pseudo-random trace over 64 pages with a hot subset.
  std::vector<std::uint64_t> trace;
  std::uint64_t x = 12345;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::uint64_t r = x >> 33;
    trace.push_back(r % 4 == 0 ? r % 64 : r % 12);
  }
  for (std::size_t cap : {1u, 4u, 16u, 40u}) {
    PageCache c(PageCacheParams{cap, CachePolicy::lru});
    for (auto p : trace) c.access(P(p));
    CHECK(c.stats().hits == textbook_lru_hits(trace, cap));
    CHECK(c.stats().hits + c.stats().misses == trace.size());
  }
}
