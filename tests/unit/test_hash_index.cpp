// model/hash_index.h: the one open-addressing index that the page cache, the replay
// loop and the one-pass curve share, for both key types it is used with.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>

#include "model/hash_index.h"

using namespace kiosim;

namespace {
// Random inserts, erases and finds against std::map, on keys from a small range so
// that probe runs collide, wrap around the table's end and are shifted back on erase.
template <class Key, unsigned kLoad, class MakeKey>
void against_map(MakeKey make, std::uint64_t range) {
  HashIndex<Key, kLoad> idx;
  std::map<std::uint64_t, std::uint32_t> ref;
  std::uint64_t x = 7;
  for (std::uint32_t step = 0; step < 200000; ++step) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::uint64_t v = (x >> 33) % range;
    const Key k = make(v);
    const auto it = ref.find(v);
    const std::uint32_t got = idx.find(k);
    REQUIRE(got == (it == ref.end() ? HashIndex<Key, kLoad>::kNone : it->second));
    if ((x >> 20) % 3 == 0) {  // erase (present or not)
      idx.erase(k);
      ref.erase(v);
    } else if (it == ref.end()) {
      idx.insert(k, step);
      ref[v] = step;
    }
    REQUIRE(idx.size() == ref.size());
    REQUIRE(idx.size() * kLoad <= idx.buckets());
  }
  for (const auto& [v, slot] : ref) REQUIRE(idx.find(make(v)) == slot);
}
}  // namespace

TEST_CASE("hash index: pages and integers, against std::map", "[hash_index]") {
  against_map<PageKey, 2>([](std::uint64_t v) { return PageKey{FileId(v % 3), v / 3}; }, 3000);
  against_map<PageKey, 4>([](std::uint64_t v) { return PageKey{FileId(v % 3), v / 3}; }, 3000);
  against_map<std::uint64_t, 2>([](std::uint64_t v) { return v << 32; }, 5000);  // high bits only
}

TEST_CASE("hash index: grows when the next key would pass 1/kLoad full", "[hash_index]") {
  // 64 buckets at first. A quarter-full table takes 16 keys in 64 buckets; the 17th
  // would make (16 + 1) * 4 = 68 > 64, so it doubles first. Half full: 32, then 128.
  HashIndex<PageKey, 4> q;
  for (std::uint64_t i = 0; i < 16; ++i) q.insert(PageKey{0, i}, std::uint32_t(i));
  CHECK(q.buckets() == 64);
  q.insert(PageKey{0, 16}, 16);
  CHECK(q.buckets() == 128);
  HashIndex<PageKey, 2> h;
  for (std::uint64_t i = 0; i < 32; ++i) h.insert(PageKey{1, i}, std::uint32_t(i));
  CHECK(h.buckets() == 64);
  h.insert(PageKey{1, 32}, 32);
  CHECK(h.buckets() == 128);
  for (std::uint64_t i = 0; i <= 32; ++i) CHECK(h.find(PageKey{1, i}) == i);
  CHECK(h.find(PageKey{0, 0}) == HashIndex<PageKey, 2>::kNone);  // another file
  h.erase(PageKey{2, 0});  // absent: nothing happens
  CHECK(h.size() == 33);
}
