// Readahead windows (mm/readahead.c as MODEL.md section 3 states it), by hand.
// max_pages = 32 is the default readahead of 128 KiB.
#include <catch2/catch.hpp>

#include "model/readahead.h"

using namespace kiosim;

namespace {
void check(PageRange r, std::uint64_t start, std::uint64_t count) {
  CHECK(r.start == start);
  CHECK(r.count == count);
}
}  // namespace

TEST_CASE("readahead: a sequential reader gets a 4x window, then async windows that double to the cap",
          "[readahead]") {
  ReadaheadState ra(ReadaheadParams{32});
  // read(64 KiB) = pages [0,16) at the start of the file: 4 * 16 = 64, a power of
  // two, capped at 32: window [0,32). The marker (PG_readahead) goes on page 16,
  // the first page beyond the request.
  check(ra.on_miss(0, 16, 1000), 0, 32);
  CHECK(ra.marker() == 16);
  // The next read [16,32) hits and crosses the marker: async window [32,64),
  // twice 32 capped at 32; its first page carries the marker.
  check(ra.on_hit(16, 16, 1000), 32, 32);
  CHECK(ra.marker() == 32);
  // [32,48) crosses 32: [64,96). [48,64) crosses nothing: no readahead.
  check(ra.on_hit(32, 16, 1000), 64, 32);
  CHECK(ra.on_hit(48, 16, 1000).empty());
}

TEST_CASE("readahead: small reads ramp up by doubling", "[readahead]") {
  ReadaheadState ra(ReadaheadParams{32});
  // read 1 page at 0: 4 * 1 = 4: window [0,4), marker 1.
  check(ra.on_miss(0, 1, 1000), 0, 4);
  CHECK(ra.marker() == 1);
  // Page 1 crosses the marker: the next window starts where [0,4) ends and is
  // twice as large: [4,12), marker on 4.
  check(ra.on_hit(1, 1, 1000), 4, 8);
  // pages 2, 3 hit without a marker; page 4 is the marker: [12,28) (16 pages).
  CHECK(ra.on_hit(2, 1, 1000).empty());
  CHECK(ra.on_hit(3, 1, 1000).empty());
  check(ra.on_hit(4, 1, 1000), 12, 16);
  // Page 12 is the next marker: [28,60), 32 pages: the cap.
  for (std::uint64_t p = 5; p < 12; ++p) CHECK(ra.on_hit(p, 1, 1000).empty());
  check(ra.on_hit(12, 1, 1000), 28, 32);
  // At the cap it stays 32: the window after [28,60) is [60,92).
  for (std::uint64_t p = 13; p < 28; ++p) CHECK(ra.on_hit(p, 1, 1000).empty());
  check(ra.on_hit(28, 1, 1000), 60, 32);
}

TEST_CASE("readahead: a random read is read as is, continuing it starts a window", "[readahead]") {
  ReadaheadState ra(ReadaheadParams{32});
  // Page 500 in a fresh file: not at the start, not after a previous read: 1 page.
  check(ra.on_miss(500, 1, 1000), 500, 1);
  CHECK(ra.window_size() == 0);
  // Page 501 continues it: an initial window of 4, marker on 502.
  check(ra.on_miss(501, 1, 1000), 501, 4);
  CHECK(ra.marker() == 502);
  // A jump to 900 is random again.
  check(ra.on_miss(900, 2, 1000), 900, 2);
}

TEST_CASE("readahead: off, end of file, and requests larger than the cap", "[readahead]") {
  ReadaheadState off(ReadaheadParams{0});  // readahead: 0
  check(off.on_miss(0, 16, 1000), 0, 16);
  CHECK(off.on_hit(16, 16, 1000).empty());
  check(off.on_miss(16, 16, 1000), 16, 16);

  ReadaheadState small(ReadaheadParams{32});
  check(small.on_miss(0, 16, 20), 0, 20);  // a 20-page file: the window stops at its end

  ReadaheadState big(ReadaheadParams{32});
  check(big.on_miss(0, 64, 1000), 0, 64);  // 64 pages asked: all 64 read, no marker
  CHECK(big.marker() == ~0ULL);
}
