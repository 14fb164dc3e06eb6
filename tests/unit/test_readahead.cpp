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

TEST_CASE("get_init_ra_size: 4x up to max/32, 2x up to max/4, else the maximum", "[readahead]") {
  // max 32 pages (128 KiB): max/32 = 1, max/4 = 8.
  CHECK(ReadaheadState::init_size(1, 32) == 4);    // 1 <= 1: 4x
  CHECK(ReadaheadState::init_size(2, 32) == 4);    // 2 <= 8: 2x
  CHECK(ReadaheadState::init_size(3, 32) == 8);    // rounded up to 4, <= 8: 2x
  CHECK(ReadaheadState::init_size(8, 32) == 16);   // 32 KiB first read: 64 KiB (4x would be 128 KiB)
  CHECK(ReadaheadState::init_size(16, 32) == 32);  // 64 KiB first read: 16 > 8: the maximum, 128 KiB
  // max 512 pages (2 MiB): max/32 = 16, max/4 = 128.
  CHECK(ReadaheadState::init_size(16, 512) == 64);
  CHECK(ReadaheadState::init_size(64, 512) == 128);
  CHECK(ReadaheadState::init_size(256, 512) == 512);
  // A 32 KiB first read with the 128 KiB maximum reads [0,16): 2x.
  ReadaheadState ra(ReadaheadParams{32});
  check(ra.on_miss(0, 8, 1000), 0, 16);
  CHECK(ra.marker() == 8);
}

TEST_CASE("get_next_ra_size: 4x below max/16, 2x up to max/2, then the maximum", "[readahead]") {
  // max 512: max/16 = 32, max/2 = 256.
  CHECK(ReadaheadState::next_size(4, 512) == 16);    // 4 < 32: 4x
  CHECK(ReadaheadState::next_size(16, 512) == 64);   // 16 < 32: 4x
  CHECK(ReadaheadState::next_size(64, 512) == 128);  // 64 <= 256: 2x
  CHECK(ReadaheadState::next_size(256, 512) == 512);
  CHECK(ReadaheadState::next_size(512, 512) == 512);
  // A reader of 1 page at a time with a 2 MiB maximum: windows 4, 16, 64, 128, 256, 512.
  ReadaheadState ra(ReadaheadParams{512});
  check(ra.on_miss(0, 1, 100000), 0, 4);    // marker 1
  check(ra.on_hit(1, 1, 100000), 4, 16);    // marker 4
  check(ra.on_hit(4, 1, 100000), 20, 64);   // marker 20
  check(ra.on_hit(20, 1, 100000), 84, 128);
  check(ra.on_hit(84, 1, 100000), 212, 256);
  check(ra.on_hit(212, 1, 100000), 468, 512);
}

TEST_CASE("readahead: a sequential miss starts a new initial window (page_cache_sync_ra)", "[readahead]") {
  ReadaheadState ra(ReadaheadParams{32});
  check(ra.on_miss(0, 16, 1000), 0, 32);
  // The reader skipped the marker's hit and misses right after its last read, at 16:
  // index - prev_index <= 1, so get_init_ra_size(16, 32) = 32 again, not a ramp-up.
  check(ra.on_miss(16, 16, 1000), 16, 32);
}

TEST_CASE("mmap read-around and do_async_mmap_readahead at the PG_readahead page", "[readahead][mmap]") {
  ReadaheadState ra(ReadaheadParams{32});
  // A major fault at 40: start 40 - 16 = 24, 32 pages: [24,56); async_size 32/4 = 8,
  // so the marker is 24 + 32 - 8 = 48.
  check(ra.on_mmap_miss(40, 1000), 24, 32);
  CHECK(ra.marker() == 48);
  // A fault on a cached page that is not the marker starts nothing; on 48, the next
  // window [56,88) (get_next_ra_size(32, 32) = 32), marked on its first page.
  CHECK(ra.on_mmap_hit(47, 1000).empty());
  check(ra.on_mmap_hit(48, 1000), 56, 32);
  CHECK(ra.marker() == 56);
  // Readahead off: a major fault reads its page alone, and no window follows.
  ReadaheadState off(ReadaheadParams{0});
  check(off.on_mmap_miss(40, 1000), 40, 1);
  CHECK(off.on_mmap_hit(48, 1000).empty());
}
