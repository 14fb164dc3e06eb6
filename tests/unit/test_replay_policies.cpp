// The cache-replay policies (fifo, rand, clock, opt, arc) on short traces worked
// by hand, OSTEP's reference string among them, and relations where a count is
// the simulator's alone (rand).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "model/policy_registry.h"
#include "sim/run/cache_replay.h"
#include "sim/run/replay_engine.h"

using namespace kiosim;

namespace {
std::string plain(const std::vector<int>& pages) {
  std::string s;
  for (int p : pages) s += std::to_string(p) + "\n";
  return s;
}
ReplayResult run(CachePolicy p, const std::vector<int>& pages, std::uint64_t cap) {
  return replay_text(plain(pages), "t", p, cap);
}
// OSTEP ch. 22 (Paging: Policies), the reference string of figures 22.1-22.4, 3 pages.
const std::vector<int> kOstep = {0, 1, 2, 0, 1, 3, 0, 3, 1, 2, 1};
}  // namespace

TEST_CASE("opt on OSTEP's reference string: 6 hits", "[replay_policy][opt]") {
  // 0 1 2 miss (cold): [0 1 2]. 0 hit, 1 hit. 3 miss: next uses after it are
  // 0 at 6, 1 at 8, 2 at 9: 2 is farthest, evicted: [0 1 3]. 0 hit, 3 hit, 1 hit.
  // 2 miss: 1 is used at 10, 0 and 3 never again: one of them goes. 1 hit.
  // Hits: 0 1 0 3 1 1 = 6; misses 5 (OSTEP figure 22.1: hit rate 6/11).
  ReplayResult r = run(CachePolicy::opt, kOstep, 3);
  CHECK(r.hits == 6);
  CHECK(r.misses == 5);
  CHECK(r.evictions == 2);
}

TEST_CASE("fifo on OSTEP's reference string: 4 hits", "[replay_policy][fifo]") {
  // Oldest first: 0 1 2 miss [0 1 2]; 0 hit, 1 hit (no change); 3 evicts 0 [1 2 3];
  // 0 evicts 1 [2 3 0]; 3 hit; 1 evicts 2 [3 0 1]; 2 evicts 3 [0 1 2]; 1 hit.
  // Hits: 0 1 3 1 = 4 (OSTEP figure 22.2); misses 7, evictions 4.
  ReplayResult r = run(CachePolicy::fifo, kOstep, 3);
  CHECK(r.hits == 4);
  CHECK(r.misses == 7);
  CHECK(r.evictions == 4);
}

TEST_CASE("lru on OSTEP's reference string: 6 hits", "[replay_policy][lru]") {
  // LRU -> MRU: 0 1 2 miss [0 1 2]; 0 hit [1 2 0]; 1 hit [2 0 1]; 3 evicts 2 [0 1 3];
  // 0 hit [1 3 0]; 3 hit [1 0 3]; 1 hit [0 3 1]; 2 evicts 0 [3 1 2]; 1 hit.
  // Hits: 0 1 0 3 1 1 = 6 (OSTEP figure 22.4), as OPT on this string.
  ReplayResult r = run(CachePolicy::lru, kOstep, 3);
  CHECK(r.hits == 6);
  CHECK(r.evictions == 2);
}

TEST_CASE("clock on OSTEP's reference string: 6 hits, second chances by hand", "[replay_policy][clock]") {
  // Head ... tail (the hand), bit in ( ). 0 1 2 miss: [2(0) 1(0) 0(0)].
  // 0 hit, 1 hit: bits of 0 and 1 set. 3 misses: the hand finds 0(1): cleared, to
  // the head [0 2 1]; 1(1): cleared [1 0 2]; 2(0): the victim. [3 1 0], bits clear.
  // 0 hit, 3 hit, 1 hit: all three bits set. 2 misses: 0, 3, 1 each lose their bit
  // and go round; 0 comes back to the tail with its bit clear: the victim. [2 3 1].
  // 1 hit. Hits: 0 1 0 3 1 1 = 6; evictions 2.
  ReplayResult r = run(CachePolicy::clock, kOstep, 3);
  CHECK(r.hits == 6);
  CHECK(r.evictions == 2);
}

TEST_CASE("clock gives a second chance where fifo does not", "[replay_policy][clock]") {
  // 2 pages: 1 2 1 3 1. fifo: 1 2 miss [1 2]; 1 hit; 3 evicts 1 (oldest) [2 3]; 1
  // misses. Hits 1. clock: 1 hit sets 1's bit; 3: the hand clears 1's bit and moves
  // it round, evicts 2; 1 then hits. Hits 2.
  const std::vector<int> t = {1, 2, 1, 3, 1};
  CHECK(run(CachePolicy::fifo, t, 2).hits == 1);
  CHECK(run(CachePolicy::clock, t, 2).hits == 2);
  // A check that can fail: clock's bit cleared on the sweep, so a page referenced
  // once is not kept forever: 1 2 1 3 4 1 with 2 pages: 3 evicts 2 (1's bit is
  // cleared on the way), 4 evicts 1 (bit clear now), 1 misses: hits 1.
  CHECK(run(CachePolicy::clock, {1, 2, 1, 3, 4, 1}, 2).hits == 1);
}

TEST_CASE("opt: the farthest next use goes, not the oldest or the least recent", "[replay_policy][opt]") {
  // 2 pages, trace 1 2 3 1 2 1 (indexes 0-5). 3 comes when 1 is next used at 3 and
  // 2 at 4: 2 goes [1 3]. 1 hits. 2 misses: 1 is next used at 5, 3 never: 3 goes
  // [1 2]. The last 1 hits. Hits 2.
  CHECK(run(CachePolicy::opt, {1, 2, 3, 1, 2, 1}, 2).hits == 2);
  // lru on the same: [1 2] 3 evicts 1, 1 evicts 2, 2 evicts 3, 1 hits: 1 hit.
  CHECK(run(CachePolicy::lru, {1, 2, 3, 1, 2, 1}, 2).hits == 1);
}

TEST_CASE("opt never does worse than the others, at any size", "[replay_policy][opt]") {
  std::vector<int> t;
  std::uint64_t x = 99;
  for (int i = 0; i < 4000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    t.push_back(int((x >> 33) % (i % 4 ? 40 : 300)));
  }
  for (std::uint64_t cap : {4u, 16u, 64u}) {
    const std::uint64_t best = run(CachePolicy::opt, t, cap).hits;
    for (CachePolicy p : {CachePolicy::lru, CachePolicy::fifo, CachePolicy::clock, CachePolicy::rand,
                          CachePolicy::arc, CachePolicy::two_list, CachePolicy::linux_lru})
      CHECK(run(p, t, cap).hits <= best);
  }
}

TEST_CASE("rand: seeded, repeatable, uniform over the residents", "[replay_policy][rand]") {
  std::vector<int> t;
  for (int i = 0; i < 3000; ++i) t.push_back((i * 7) % 13);
  ReplaySetup a;
  a.policy = CachePolicy::rand;
  const ReplayResult r1 = replay_data(plain(t), "t", a, 5), r2 = replay_data(plain(t), "t", a, 5);
  CHECK(r1.hits == r2.hits);  // same seed, same replay
  bool differs = false;
  for (std::uint64_t seed = 2; seed < 12 && !differs; ++seed) {
    ReplaySetup b = a;
    b.seed = seed;
    differs = replay_data(plain(t), "t", b, 5).hits != r1.hits;
  }
  CHECK(differs);  // the seed matters
  // A cache of 1 page leaves no choice: rand equals lru.
  CHECK(run(CachePolicy::rand, t, 1).hits == run(CachePolicy::lru, t, 1).hits);

  // Each of 4 residents is drawn about a quarter of the time (20,000 draws).
  RandPolicy p(7);
  for (Slot s = 0; s < 4; ++s) p.insert(s);
  int count[4] = {0, 0, 0, 0};
  for (int i = 0; i < 20000; ++i) {
    p.age_active();
    ++count[p.victim()];
  }
  for (int c : count) CHECK((c > 4500 && c < 5500));
  p.remove(1);  // the last resident fills its place
  CHECK(p.size(LruList::inactive) == 3);
  CHECK(p.list_of(1) == LruList::none);
  CHECK(p.list_of(3) == LruList::inactive);
}

TEST_CASE("arc by hand: adaptation on ghost hits (Megiddo and Modha, Figure 4)", "[replay_policy][arc]") {
  // c = 2, trace 1 1 2 3 1 2 1 (slots: 1 -> 0, 2 -> 1, then reused).
  //  1 miss (case IV, nothing to trim): T1 [1].    1 hit (case I): T2 [1], T1 [].
  //  2 miss: T1 [2]; the cache is full.
  //  3 miss (IV: |T1|+|B1| = 1 < c, all four hold 2 < 2c): REPLACE with p = 0:
  //    |T1| = 1 > p: T1's tail 2 goes to B1. T1 [3], T2 [1], B1 [2].
  //  1 hit: T2 [1].
  //  2 miss on a B1 ghost (case II): p = min(c, 0 + max(|B2|/|B1|, 1)) = 1. REPLACE:
  //    |T1| = 1 is not > p: T2's tail 1 goes to B2. 2 is fetched into T2: T2 [2], T1 [3].
  //  1 miss on a B2 ghost (case III): p = max(0, 1 - max(|B1|/|B2|, 1)) = 0 (B1 is
  //    empty now). REPLACE: |T1| = 1 > 0: T1's tail 3 goes to B1. T2 [1 2], T1 [].
  // Hits 2, misses 5, evictions 3; at the end p = 0, |B1| = 1, |B2| = 0.
  MoveCounter moves;
  ArcPolicy arc(2);
  ReplayEngine engine(arc, moves, 2);
  auto step = [&](int page) { engine.access(PageKey{0, std::uint64_t(page)}, false); };
  for (int p : {1, 1, 2, 3}) step(p);
  CHECK(arc.ghosts_b1() == 1);
  CHECK(arc.target() == 0.0);
  step(1);
  step(2);
  CHECK(arc.target() == 1.0);
  CHECK(arc.ghosts_b1() == 0);
  CHECK(arc.ghosts_b2() == 1);
  CHECK(arc.size(LruList::active) == 1);
  CHECK(arc.size(LruList::inactive) == 1);
  step(1);
  CHECK(arc.target() == 0.0);
  CHECK(arc.ghosts_b1() == 1);
  CHECK(arc.ghosts_b2() == 0);
  CHECK(arc.size(LruList::active) == 2);
  CHECK(arc.size(LruList::inactive) == 0);
  const ReplayResult r = engine.result();
  CHECK(r.hits == 2);
  CHECK(r.misses == 5);
  CHECK(r.evictions == 3);
}

TEST_CASE("arc keeps a re-used set through a scan that flushes lru", "[replay_policy][arc]") {
  // 8 pages; pages 0-5 used twice each (T2), then a scan of 100 fresh pages, then
  // 0-5 again. lru: the scan pushes 0-5 out: the last six miss. arc: the scan's
  // pages enter T1 and leave from T1 while |T1| > p (p stays 0: no ghost is hit),
  // so T2 keeps 0-5: the last six hit.
  std::vector<int> t;
  for (int rep = 0; rep < 2; ++rep)
    for (int p = 0; p < 6; ++p) t.push_back(p);
  for (int p = 100; p < 200; ++p) t.push_back(p);
  for (int p = 0; p < 6; ++p) t.push_back(p);
  CHECK(run(CachePolicy::lru, t, 8).hits == 6);
  CHECK(run(CachePolicy::arc, t, 8).hits == 12);
}

TEST_CASE("every policy: hits + misses = accesses, nothing evicted while the trace fits", "[replay_policy]") {
  std::vector<int> t;
  for (int i = 0; i < 500; ++i) t.push_back((i * 31) % 50);
  for (auto name : cache_policy_names()) {
    const CachePolicy p = *parse_cache_policy(name);
    CAPTURE(name);
    const ReplayResult fit = run(p, t, 50);
    CHECK(fit.misses == 50);
    CHECK(fit.evictions == 0);
    const ReplayResult small = run(p, t, 10);
    CHECK(small.hits + small.misses == 500);
    CHECK(small.evictions == small.misses - 10);
    CHECK(to_string(p) == name);
  }
  CHECK_FALSE(parse_cache_policy("lfu"));
}
