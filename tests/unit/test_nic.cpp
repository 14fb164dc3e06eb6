// How the NIC's features cut a send into skbs (model/nic.h), worked out by hand.
#include <catch2/catch.hpp>

#include "model/nic.h"

using namespace kiosim;

namespace {
// The page pieces of the file range [offset, offset + bytes) of file 0.
std::vector<SkbFrag> pieces(std::uint64_t offset, std::uint64_t bytes) {
  std::vector<SkbFrag> out;
  while (bytes > 0) {
    std::uint32_t off = std::uint32_t(offset % kPageSize);
    std::uint32_t len = std::uint32_t(std::min<std::uint64_t>(bytes, kPageSize - off));
    out.push_back({PageKey{0, offset / kPageSize}, off, len});
    offset += len;
    bytes -= len;
  }
  return out;
}
}  // namespace

TEST_CASE("a page-aligned 64 KiB sendfile is one skb of 16 fragments, no copy", "[nic]") {
  // 64 KiB = pages 0..15, each a whole page: 16 fragments; TSO 64 KiB takes them all.
  Nic nic;
  Segmented s = nic.segment_pages(pieces(0, 65536));
  REQUIRE(s.skbs.size() == 1);
  CHECK(s.skbs[0].frags.size() == 16);
  CHECK(s.skbs[0].payload() == 65536);
  CHECK(s.cpu_copy_bytes == 0);
  CHECK(s.overflows == 0);
}

TEST_CASE("the same at file offset 100 spans 17 pages: 17 fragments", "[nic]") {
  // [100, 65636): page 0 from byte 100 (3996 bytes), pages 1..15 whole, page 16's first
  // 100 bytes. 17 <= MAX_SKB_FRAGS (17): still one skb, no copy.
  Nic nic;
  Segmented s = nic.segment_pages(pieces(100, 65536));
  REQUIRE(s.skbs.size() == 1);
  CHECK(s.skbs[0].frags.size() == 17);
  CHECK(s.skbs[0].frags.front().offset == 100);
  CHECK(s.skbs[0].frags.front().len == 3996);
  CHECK(s.skbs[0].frags.back().len == 100);
  CHECK(s.cpu_copy_bytes == 0);
}

TEST_CASE("max_frags 8: split makes 2 skbs without a copy, linearize copies 64 KiB", "[nic]") {
  NicParams p;
  p.max_frags = 8;
  SECTION("split: TCP starts a new skb after 8 fragments") {
    p.on_frag_overflow = FragOverflow::split;
    Segmented s = Nic(p).segment_pages(pieces(0, 65536));
    // pages 0..7 in the first skb (32 KiB), pages 8..15 in the second.
    REQUIRE(s.skbs.size() == 2);
    CHECK(s.skbs[0].frags.size() == 8);
    CHECK(s.skbs[1].frags.size() == 8);
    CHECK(s.cpu_copy_bytes == 0);
    CHECK(s.overflows == 1);
  }
  SECTION("linearize: one skb, the driver copies its 64 KiB") {
    p.on_frag_overflow = FragOverflow::linearize;
    Segmented s = Nic(p).segment_pages(pieces(0, 65536));
    REQUIRE(s.skbs.size() == 1);
    CHECK(s.skbs[0].linearized);
    CHECK(s.skbs[0].frags.empty());
    CHECK(s.skbs[0].linear == 65536);
    CHECK(s.cpu_copies == 1);
    CHECK(s.cpu_copy_bytes == 65536);
    CHECK(s.linearize_bytes == 65536);
    CHECK(s.overflows == 1);
  }
}

TEST_CASE("without scatter-gather every byte is copied once", "[nic]") {
  NicParams p;
  p.scatter_gather = false;
  // 256 KiB = 4 skbs of 64 KiB, each linearized: 4 copies, 256 KiB.
  Segmented s = Nic(p).segment_pages(pieces(0, 4 * 65536));
  REQUIRE(s.skbs.size() == 4);
  CHECK(s.cpu_copies == 4);
  CHECK(s.cpu_copy_bytes == 4 * 65536);
  CHECK(s.overflows == 0);  // not an overflow: the NIC takes no fragments at all
}

TEST_CASE("copied data fills linear skbs: one copy each", "[nic]") {
  Nic nic;
  // 150000 bytes with TSO 64 KiB: 65536 + 65536 + 18928.
  Segmented s = nic.segment_copy(150000);
  REQUIRE(s.skbs.size() == 3);
  CHECK(s.skbs[2].linear == 18928);
  CHECK(s.cpu_copies == 3);
  CHECK(s.cpu_copy_bytes == 150000);
  SECTION("without TSO an skb is one MSS: 1500 - 40 = 1460 bytes") {
    NicParams p;
    p.tso = false;
    Segmented m = Nic(p).segment_copy(2920);
    CHECK(m.skbs.size() == 2);
    CHECK(m.skbs[0].linear == 1460);
  }
}

TEST_CASE("with more data to come, an unfinished skb is handed back", "[nic]") {
  // 6 KiB of pages, more to follow: the skb is not full, so it stays open (SPLICE_F_MORE).
  Nic nic;
  Segmented s = nic.segment_pages(pieces(0, 6144), true);
  CHECK(s.skbs.empty());
  REQUIRE(s.tail.size() == 2);
  CHECK(s.tail[1].len == 2048);
}

TEST_CASE("contiguous pieces of one page merge into one fragment", "[nic]") {
  // Two pieces of page 3: [0, 1000) and [1000, 3000): one fragment of 3000 bytes.
  Nic nic;
  Segmented s = nic.segment_pages({{PageKey{0, 3}, 0, 1000}, {PageKey{0, 3}, 1000, 2000}});
  REQUIRE(s.skbs.size() == 1);
  REQUIRE(s.skbs[0].frags.size() == 1);
  CHECK(s.skbs[0].frags[0].len == 3000);
}
