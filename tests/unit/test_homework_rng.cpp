// kiosim's homework generator (sim/homework/rng.h): the reference values of the published
// algorithms, so that a template and a seed give the same problem everywhere, forever.
#include <catch2/catch.hpp>

#include <set>

#include "sim/homework/problem.h"
#include "sim/homework/rng.h"

using namespace kiosim::homework;

TEST_CASE("homework rng: SplitMix64 gives the reference outputs") {
  // Vigna's splitmix64.c seeded with 0: the first three outputs (worked out with its
  // three lines of arithmetic, mod 2^64).
  SplitMix64 r(0);
  CHECK(r.next() == 0xe220a8397b1dcdafULL);
  CHECK(r.next() == 0x6e789e6aa1b965f4ULL);
  CHECK(r.next() == 0x06c45d188009454fULL);
}

TEST_CASE("homework rng: FNV-1a 64 gives the reference hashes") {
  CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);   // the offset basis
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);  // FNV's published test vector
}

TEST_CASE("homework rng: draws stay in their ranges and reach every value") {
  ParamSpec pow2{"size", ParamSpec::Kind::pow2, {}, {}, 64 * 1024, 1024 * 1024, 1, 0};
  ParamSpec ints{"n", ParamSpec::Kind::integer, {}, {}, 6, 9, 1, 0};
  ParamSpec sizes{"heap", ParamSpec::Kind::size, {}, {}, 1 << 20, 4 << 20, 1 << 20, 0};
  SplitMix64 r(42);
  std::set<std::string> seen_pow2, seen_int, seen_size;
  for (int i = 0; i < 200; ++i) {
    seen_pow2.insert(draw(pow2, r)[0].second);
    seen_int.insert(draw(ints, r)[0].second);
    seen_size.insert(draw(sizes, r)[0].second);
  }
  CHECK(seen_pow2 == std::set<std::string>{"64KiB", "128KiB", "256KiB", "512KiB", "1MiB"});
  CHECK(seen_int == std::set<std::string>{"6", "7", "8", "9"});
  CHECK(seen_size == std::set<std::string>{"1MiB", "2MiB", "3MiB", "4MiB"});
}

TEST_CASE("homework rng: a choose of maps draws a row, named NAME.KEY") {
  ParamSpec shape{"shape", ParamSpec::Kind::choose, {}, {{{"depth", "4"}, {"read", "16KiB"}}}, 0, 0, 1, 0};
  SplitMix64 r(1);
  auto v = draw(shape, r);
  REQUIRE(v.size() == 2);
  CHECK(v[0] == std::pair<std::string, std::string>{"shape.depth", "4"});
  CHECK(v[1] == std::pair<std::string, std::string>{"shape.read", "16KiB"});
}
