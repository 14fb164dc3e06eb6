// A pipe's slots and partial reads (model/pipe.h).
#include <catch2/catch.hpp>

#include "model/pipe.h"

using namespace kiosim;

TEST_CASE("a pipe holds 16 page buffers and no more", "[pipe]") {
  Pipe p;
  for (std::uint64_t i = 0; i < 16; ++i) REQUIRE(p.push({PageKey{0, i}, true, 0, 4096}));
  CHECK(p.full());
  CHECK(p.bytes() == 65536);
  CHECK_FALSE(p.push({PageKey{0, 16}, true, 0, 4096}));  // the 17th page must wait
}

TEST_CASE("popping part of a buffer splits it, whole buffers are released", "[pipe]") {
  Pipe p;
  p.push({PageKey{0, 0}, true, 0, 4096});
  p.push({PageKey{0, 1}, true, 0, 4096});
  std::vector<PipeBuffer> released;
  // Take 6000 bytes: all of page 0 (released) and 1904 bytes of page 1 (kept, now at 1904).
  auto out = p.pop(6000, &released);
  REQUIRE(out.size() == 2);
  CHECK(out[1].len == 1904);
  REQUIRE(released.size() == 1);
  CHECK(released[0].page.index == 0);
  CHECK(p.bytes() == 4096 - 1904);
  CHECK(p.free_slots() == 15);
  auto rest = p.pop(100000, &released);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].offset == 1904);
  CHECK(rest[0].len == 2192);
  CHECK(p.empty());
  CHECK(released.size() == 2);
}
