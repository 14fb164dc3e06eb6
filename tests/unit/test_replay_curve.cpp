// Miss-ratio curves (cache-replay --sizes / --mrc): LRU's one pass over stack
// distances equals a replay at every size; the other policies' rows equal their
// single replays; the replay engine equals model/PageCache on the replay path.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "model/page_cache.h"
#include "sim/run/cache_replay.h"
#include "sim/run/lru_stack_distance.h"

using namespace kiosim;

namespace {
std::string random_trace(int n, std::uint64_t seed, int write_every = 0) {
  std::string s;
  std::uint64_t x = seed;
  for (int i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::uint64_t p = (x >> 33) % 3000;
    if (i % 4) p = (p * p) % 97;  // a skewed hot set
    s += "f" + std::to_string(p % 3) + " " + std::to_string(p);
    s += write_every && i % write_every == 0 ? " w\n" : "\n";
  }
  return s;
}

// Each row of an LRU curve equals an LRU replay of the trace at the row's size.
void check_rows_equal_replays(const std::string& t, const Curve& c) {
  ReplaySetup lru;
  lru.policy = CachePolicy::lru;
  for (const CurveRow& row : c.rows) {
    CAPTURE(row.pages);
    const ReplayResult r = replay_data(t, "t", lru, row.pages);
    CHECK(row.result.hits == r.hits);
    CHECK(row.result.misses == r.misses);
    CHECK(row.result.evictions == r.evictions);
    CHECK(row.result.accesses == r.accesses);
  }
}
}  // namespace

TEST_CASE("lru curve: one pass equals a replay at every size", "[replay_curve][lru]") {
  const std::string t = random_trace(40000, 5);
  ReplaySetup lru;
  lru.policy = CachePolicy::lru;
  std::vector<std::uint64_t> sizes;
  for (std::uint64_t s = 1; s <= 3200; s = s * 3 / 2 + 1) sizes.push_back(s);
  const Curve c = replay_curve(t, "t", lru, sizes, 0, 2);
  REQUIRE(c.one_pass);
  REQUIRE(c.rows.size() == sizes.size());
  check_rows_equal_replays(t, c);
  // --mrc: every size to the working set (the window grows; no mark is dropped).
  const Curve m = replay_curve(t, "t", lru, {}, 12, 2);
  REQUIRE(m.one_pass);
  CHECK(m.rows.back().pages == m.working_set);
  CHECK(m.rows.back().result.misses == m.working_set);  // only cold misses at full size
  for (const CurveRow& row : m.rows) CHECK(row.result.hits == replay_data(t, "t", lru, row.pages).hits);
}

TEST_CASE("lru curve: bounded at the largest size, it forgets pages and still equals each replay",
          "[replay_curve][lru]") {
  // 8 sizes 8 ... 1,024 over a trace of 120,000 accesses to about 3,000 pages plus a scan
  // of fresh pages: the pass holds only the 1,024 most recent pages (its window is
  // max(2 x 1,024, 1,024 + 4,096) = 5,120 positions: it compacts at 5,120 accesses and
  // then every 4,096, 29 times), forgets the
  // rest, and every row must still equal a replay of its own.
  std::string t = random_trace(100000, 17);
  for (int i = 0; i < 20000; ++i) t += "scan " + std::to_string(i) + "\n";  // each used once
  t += random_trace(20000, 23);
  ReplaySetup lru;
  lru.policy = CachePolicy::lru;
  const std::vector<std::uint64_t> sizes = {8, 16, 32, 64, 128, 256, 512, 1024};
  const Curve c = replay_curve(t, "t", lru, sizes, 0, 2);
  REQUIRE(c.one_pass);
  CHECK(c.working_set == 0);  // pages were forgotten: the working set is not counted
  REQUIRE(c.rows.size() == sizes.size());
  check_rows_equal_replays(t, c);
}

TEST_CASE("lru stack distances by hand", "[replay_curve][lru]") {
  // a b c a b d a: distances -, -, -, 3 (b c since), 3 (c a), -, 3 (b d).
  // So 3 hits with >= 3 pages, 0 with 2.
  LruStackDistance sd({4, 2, 3});
  for (std::uint64_t p : {1, 2, 3, 1, 2, 4, 1}) sd.access(PageKey{0, p});
  CHECK(sd.hits(2) == 0);
  CHECK(sd.hits(3) == 3);
  CHECK(sd.hits(4) == 3);
  CHECK(sd.distinct() == 4);
  CHECK_THROWS_AS(sd.hits(5), std::invalid_argument);  // not a size asked about
  // Past the window (4 + 4096 positions, rounded to 4160), compaction keeps the counts
  // right: a loop over 5 pages, 10,000 times: every distance is 5, so 4 pages hit
  // nothing (LRU's worst case) and 5 pages hit all but the first 5 accesses.
  LruStackDistance loop({4});
  for (int i = 0; i < 50000; ++i) loop.access(PageKey{0, std::uint64_t(i % 5)});
  CHECK(loop.hits(4) == 0);
  LruStackDistance all;
  for (int i = 0; i < 50000; ++i) all.access(PageKey{0, std::uint64_t(i % 5)});
  CHECK(all.hits(4) == 0);
  CHECK(all.hits(5) == 50000 - 5);
}

TEST_CASE("other policies: each row equals its single replay; writes turn lru's one pass down", "[replay_curve]") {
  const std::string t = random_trace(20000, 11, 9);
  for (CachePolicy p : {CachePolicy::lru, CachePolicy::fifo, CachePolicy::clock, CachePolicy::opt, CachePolicy::arc,
                        CachePolicy::rand, CachePolicy::linux_lru}) {
    ReplaySetup s;
    s.policy = p;
    const Curve c = replay_curve(t, "t", s, {64, 8, 512}, 0, 2);
    CHECK_FALSE(c.one_pass);  // the trace has writes
    REQUIRE(c.rows.size() == 3);
    CHECK(c.rows[0].pages == 8);  // sorted
    for (const CurveRow& row : c.rows) {
      CAPTURE(to_string(p), row.pages);
      const ReplayResult r = replay_data(t, "t", s, row.pages);
      CHECK(row.result.hits == r.hits);
      CHECK(row.result.writebacks == r.writebacks);
      CHECK(row.result.writes == r.writes);
    }
  }
}

TEST_CASE("mrc sizes: log-spaced from 1 to the working set, distinct", "[replay_curve]") {
  CHECK(mrc_sizes(1000, 4) == std::vector<std::uint64_t>{1, 10, 100, 1000});
  CHECK(mrc_sizes(4, 10) == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(mrc_sizes(0, 5).empty());
  CHECK(mrc_sizes(50, 1) == std::vector<std::uint64_t>{50});
}

namespace {
// model/PageCache on the replay path, reads only: the reference the engine is checked
// against. With writes the two differ on purpose: PageCache's reclaim marks a dirty page
// PG_reclaim and wakes the flusher (shrink_folio_list), the engine writes it at once.
ReplayResult page_cache_replay(const std::string& text, CachePolicy policy, std::uint64_t cap) {
  PageCache cache(PageCacheParams{cap, policy});
  parse_trace(text, "t", TraceSpec{}, [&](PageKey k, bool, std::uint64_t) { cache.access(k); });
  ReplayResult r;
  r.hits = cache.stats().hits;
  r.misses = cache.stats().misses;
  r.activations = cache.stats().activations;
  r.deactivations = cache.stats().deactivations;
  r.evictions = cache.stats().evictions;
  return r;
}
}  // namespace

TEST_CASE("the replay engine equals model/PageCache on the replay path", "[replay_curve][engine]") {
  // Reads only: with writes the engine writes a dirty victim back at once, where the page
  // cache marks it PG_reclaim (README, "kiosim cache-replay").
  const std::string t = random_trace(30000, 3);
  for (CachePolicy p : {CachePolicy::two_list, CachePolicy::lru, CachePolicy::linux_lru}) {
    for (std::uint64_t cap : {16u, 100u, 1000u}) {
      CAPTURE(to_string(p), cap);
      const ReplayResult a = replay_text(t, "t", p, cap), b = page_cache_replay(t, p, cap);
      CHECK(a.hits == b.hits);
      CHECK(a.misses == b.misses);
      CHECK(a.activations == b.activations);
      CHECK(a.deactivations == b.deactivations);
      CHECK(a.evictions == b.evictions);
    }
  }
}
