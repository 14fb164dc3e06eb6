// kiosim cache-replay: the trace format, its errors, and the counters, by hand.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <list>
#include <string>

#include "sim/run/cache_replay.h"
#include "sim/scenario/scenario.h"

using namespace kiosim;

namespace {
std::string tmp_file(const std::string& name, const std::string& text) {
  std::string path = "/tmp/kiosim-replay-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}
std::string error_of(const std::string& text) {
  try {
    replay_text(text, "t.trace", CachePolicy::two_list, 4);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("cache-replay: a plain list, two_list, by hand", "[cache_replay]") {
  // Capacity 4, accesses 1 2 1 3 4 5 1 6 (one unnamed file):
  //  1 miss: inactive [1]          2 miss: inactive [2 1]
  //  1 hit on inactive: activation: inactive [2], active [1]; 1 < 1? no
  //  3 miss: [3 2]   4 miss: [4 3 2] (4 pages in all: full)
  //  5 miss: reclaim evicts the inactive tail 2: [5 4 3], active [1]
  //  1 hit on active: stays at the active head
  //  6 miss: evicts 3: [6 5 4]
  ReplayResult r = replay_text("1\n2\n1\n3\n4\n5\n1\n6\n", "t", CachePolicy::two_list, 4);
  CHECK(r.accesses == 8);
  CHECK(r.hits == 2);
  CHECK(r.misses == 6);
  CHECK(r.activations == 1);
  CHECK(r.deactivations == 0);
  CHECK(r.evictions == 2);
  CHECK(r.hit_ratio() == Approx(0.25));
  CHECK(r.files == 1);
}

TEST_CASE("cache-replay: a scan evicts the hot pages under lru, not under two_list", "[cache_replay]") {
  // Capacity 4. Pages 1 and 2 are read twice, then 10-14 are scanned once, then 1 and 2 again.
  const std::string trace =
      "# a hot pair, a scan, the hot pair again\n"
      "f 1\nf 1\nf 2\nf 2\n"
      "f 10\nf 11\nf 12\nf 13\nf 14\n"
      "f 1\nf 2\n";
  // two_list: 1 miss [1]; 1 hit: active [1], inactive [] and 0 < 1, so 1 is
  // deactivated back: inactive [1]. 2 miss: [2 1]; 2 hit: inactive [1], active [2].
  // The scan fills the inactive list: 10 [10 1], 11 [11 10 1] (4 pages with
  // the active 2: full); 12 evicts 1, 13 evicts 10, 14 evicts 11. Then 1 misses
  // (evicts 12) and 2 hits: it was on the active list all along. Hits: 1, 2, 2 = 3.
  ReplayResult two = replay_text(trace, "t", CachePolicy::two_list, 4);
  CHECK(two.hits == 3);
  CHECK(two.activations == 2);
  CHECK(two.deactivations == 1);
  CHECK(two.evictions == 4);
  // lru: [2 1] after the pair; 10 11 fill it, 12 evicts 1, 13 evicts 2, 14 evicts
  // 10; then 1 and 2 both miss. Hits: 1, 2 = 2.
  ReplayResult lru = replay_text(trace, "t", CachePolicy::lru, 4);
  CHECK(lru.hits == 2);
  CHECK(lru.activations == 0);
  CHECK(lru.evictions == 5);
}

TEST_CASE("cache-replay: a trace without re-use gives identical results for both policies", "[cache_replay]") {
  std::string trace;
  for (int i = 0; i < 5000; ++i) trace += "file" + std::to_string(i % 3) + " " + std::to_string(i) + "\n";
  ReplayResult a = replay_text(trace, "t", CachePolicy::two_list, 100);
  ReplayResult b = replay_text(trace, "t", CachePolicy::lru, 100);
  CHECK(a.hits == 0);
  CHECK(a.misses == 5000);
  CHECK(a.evictions == 4900);
  CHECK(a.files == 3);
  CHECK(a.hits == b.hits);
  CHECK(a.misses == b.misses);
  CHECK(a.evictions == b.evictions);
  CHECK(a.activations == b.activations);
  CHECK(a.deactivations == b.deactivations);
}

TEST_CASE("cache-replay: lru hits equal a textbook LRU of the same size", "[cache_replay][lru]") {
  std::string trace;
  std::vector<std::uint64_t> pages;
  std::uint64_t x = 7;
  for (int i = 0; i < 30000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::uint64_t p = (x >> 33) % 200;
    if (i % 3) p %= 30;  // a hot set
    pages.push_back(p);
    trace += std::to_string(p) + "\n";
  }
  for (std::size_t cap : {8u, 32u, 100u}) {
    std::list<std::uint64_t> l;
    std::uint64_t hits = 0;
    for (auto p : pages) {
      auto it = std::find(l.begin(), l.end(), p);
      if (it != l.end()) {
        ++hits;
        l.erase(it);
      } else if (l.size() == cap) {
        l.pop_back();
      }
      l.push_front(p);
    }
    CHECK(replay_text(trace, "t", CachePolicy::lru, cap).hits == hits);
  }
}

TEST_CASE("cache-replay: reclaim writes no dirty page; the flusher it wakes does, then they go first", "[cache_replay]") {
  // Capacity 2, lru. `f 1 w`: 1 misses and is dirtied; 2 misses: [2 1]. 3 misses: the
  // tail 1 is dirty: PG_reclaim, to the head, not written: [1 2]; the tail 2 is clean:
  // evicted; [3 1]. Then 1 hits (it survived the reclaim): nothing was written.
  ReplayResult r = replay_text("f 1 w\nf 2 r\nf 3\nf 1\n", "t", CachePolicy::lru, 2);
  CHECK(r.writes == 1);
  CHECK(r.reads == 3);
  CHECK(r.writebacks == 0);
  CHECK(r.evictions == 1);
  CHECK(r.hits == 1);

  // Both pages dirty: 3 finds 1 and 2 dirty, marks both ([2 1] after two moves to the
  // head) and meets 1 again: no room. The flusher writes 1 and 2 (2 writebacks); each
  // moves to the tail as its write ends: [1 2]; 3 then evicts 2: [3 1], and 1 hits.
  r = replay_text("f 1 w\nf 2 w\nf 3\nf 1\n", "t", CachePolicy::lru, 2);
  CHECK(r.writebacks == 2);
  CHECK(r.evictions == 1);
  CHECK(r.hits == 1);
}

TEST_CASE("cache-replay: bad lines are reported with file:line:column", "[cache_replay]") {
  CHECK_THAT(error_of("a 1\na x\n"), Catch::Contains("t.trace:2:3: error") && Catch::Contains("`x`"));
  CHECK_THAT(error_of("a 1 q\n"), Catch::Contains("t.trace:1:5") && Catch::Contains("`r` or `w`"));
  CHECK_THAT(error_of("# ok\na 1 r extra\n"), Catch::Contains("t.trace:2:") && Catch::Contains("too many fields"));
  CHECK_THAT(error_of("-3\n"), Catch::Contains("t.trace:1:1") && Catch::Contains("non-negative"));
  CHECK_THAT(error_of("a 99999999999999999999\n"), Catch::Contains("too large"));
  CHECK_THAT(error_of(std::string(5000, 'x') + " 1\n"), Catch::Contains("longer than 4096"));
  CHECK_THAT(error_of("a r\n"), Catch::Contains("page number is missing"));
  CHECK(error_of("a 1 # comment\n\n   \n7\n") == "");
}

TEST_CASE("cache-replay: files are read in blocks, the last line may lack a newline", "[cache_replay]") {
  std::string text;
  for (int i = 0; i < 300000; ++i) text += "data.bin " + std::to_string(i % 1000) + (i % 10 ? " r\n" : " w\n");
  text += "data.bin 5";  // no newline
  std::string path = tmp_file("big.trace", text);
  ReplayResult r = replay_file(path, CachePolicy::two_list, 2000);
  // 1000 distinct pages in a 2000-page cache: 1000 misses, then every access hits.
  CHECK(r.accesses == 300001);
  CHECK(r.misses == 1000);
  CHECK(r.hits == 299001);
  CHECK(r.writes == 30000);
  CHECK(r.evictions == 0);
  ::unlink(path.c_str());

  std::string bad = tmp_file("bad.trace", "a 1\n" + std::string(2'000'000, 'y'));
  CHECK_THROWS_AS(replay_file(bad, CachePolicy::two_list, 10), InputError);
  ::unlink(bad.c_str());
  CHECK_THROWS_AS(replay_file("/nonexistent/x.trace", CachePolicy::two_list, 10), InputError);
  CHECK_THROWS_AS(replay_text("1\n", "t", CachePolicy::two_list, 0), InputError);
  CHECK_THROWS_AS(replay_text("1\n", "t", CachePolicy::two_list, kMaxReplayPages + 1), InputError);
}
