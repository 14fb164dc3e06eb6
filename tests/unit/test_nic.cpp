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

TEST_CASE("the GSO size goal is a whole number of MSS (tcp_xmit_size_goal)", "[nic][gso]") {
  // tcp_send_mss -> tcp_xmit_size_goal. MSS with timestamps = 1500 - 20 - 20 - 12 =
  // 1448. sk_setup_caps leaves gso_max_size - (MAX_TCP_HEADER + 1) = 65536 - 321 =
  // 65,215 B of room: 65215 / 1448 = 45.04, so 45 segments = 65,160 B.
  Nic nic;
  CHECK(nic.mss() == 1448);
  CHECK(nic.size_goal() == 45 * 1448);
  CHECK(nic.size_goal() == 65160);
  NicParams jumbo;
  jumbo.mtu = 9000;  // MSS 8948: 65215 / 8948 = 7.29 -> 7 x 8948 = 62,636
  CHECK(Nic(jumbo).size_goal() == 62636);
  NicParams tiny;
  tiny.tso_bytes = 1024;  // 1024 - 321 = 703 < one MSS: at least one MSS
  CHECK(Nic(tiny).size_goal() == 1448);
}

TEST_CASE("a page-aligned 64 KiB sendfile is two GSO skbs, 16 + 1 fragments, no copy", "[nic][gso]") {
  // 64 KiB = 65,536 B = 65,160 + 376. The first skb takes pages 0..14 whole
  // (61,440 B) and the first 3,720 B of page 15: 16 fragments; the second the last
  // 376 B of page 15 (offset 3,720): 1 fragment.
  Nic nic;
  Segmented s = nic.segment_pages(pieces(0, 65536));
  REQUIRE(s.skbs.size() == 2);
  CHECK(s.skbs[0].frags.size() == 16);
  CHECK(s.skbs[0].payload() == 65160);
  CHECK(s.skbs[0].frags.back().len == 3720);
  REQUIRE(s.skbs[1].frags.size() == 1);
  CHECK(s.skbs[1].frags[0].offset == 3720);
  CHECK(s.skbs[1].payload() == 376);
  CHECK(s.cpu_copy_bytes == 0);
  CHECK(s.overflows == 0);
}

TEST_CASE("the same at file offset 100: 16 + 2 fragments", "[nic][gso]") {
  // [100, 65636). First skb, 65,160 B: page 0 from byte 100 (3,996 B), pages 1..14
  // whole (57,344 B), then 65160 - 61340 = 3,820 B of page 15: 16 fragments. Second,
  // 376 B: the 276 B left of page 15, then 100 B of page 16: 2 fragments.
  Nic nic;
  Segmented s = nic.segment_pages(pieces(100, 65536));
  REQUIRE(s.skbs.size() == 2);
  CHECK(s.skbs[0].frags.size() == 16);
  CHECK(s.skbs[0].frags.front().offset == 100);
  CHECK(s.skbs[0].frags.front().len == 3996);
  CHECK(s.skbs[0].frags.back().len == 3820);
  REQUIRE(s.skbs[1].frags.size() == 2);
  CHECK(s.skbs[1].frags[0].len == 276);
  CHECK(s.skbs[1].frags[1].len == 100);
  CHECK(s.cpu_copy_bytes == 0);
}

TEST_CASE("max_frags 8: split makes 2 skbs without a copy, linearize copies the big one", "[nic]") {
  NicParams p;
  p.max_frags = 8;
  SECTION("split: TCP starts a new skb after 8 fragments") {
    p.on_frag_overflow = FragOverflow::split;
    Segmented s = Nic(p).segment_pages(pieces(0, 65536));
    // pages 0..7 in the first skb (32 KiB), the ninth fragment starts the second:
    // pages 8..15 (32 KiB, under the 65,160 B goal).
    REQUIRE(s.skbs.size() == 2);
    CHECK(s.skbs[0].frags.size() == 8);
    CHECK(s.skbs[1].frags.size() == 8);
    CHECK(s.cpu_copy_bytes == 0);
    CHECK(s.overflows == 1);
  }
  SECTION("linearize: the driver copies the 16-fragment skb (65,160 B), not the 1-fragment one") {
    p.on_frag_overflow = FragOverflow::linearize;
    Segmented s = Nic(p).segment_pages(pieces(0, 65536));
    REQUIRE(s.skbs.size() == 2);
    CHECK(s.skbs[0].linearized);
    CHECK(s.skbs[0].frags.empty());
    CHECK(s.skbs[0].linear == 65160);
    CHECK_FALSE(s.skbs[1].linearized);
    CHECK(s.cpu_copies == 1);
    CHECK(s.cpu_copy_bytes == 65160);
    CHECK(s.linearize_bytes == 65160);
    CHECK(s.overflows == 1);
  }
}

TEST_CASE("without scatter-gather the socket keeps its fragments; software GSO copies at transmit",
          "[nic][gso]") {
  // sk_setup_caps gives every TCP socket SG with GSO, so the skbs are built as on
  // any NIC (no copy at the socket); validate_xmit_skb -> skb_gso_segment ->
  // skb_segment then cuts each into linear MSS packets, copying every byte.
  NicParams p;
  p.scatter_gather = false;
  Nic nic(p);
  Segmented s = nic.segment_pages(pieces(0, 65536));
  REQUIRE(s.skbs.size() == 2);
  CHECK(s.skbs[0].frags.size() == 16);
  CHECK(s.cpu_copy_bytes == 0);
  CHECK(s.overflows == 0);
  // 65,160 B = 45 packets of 1,448 B, all copied; one descriptor each.
  XmitWork w = nic.xmit_work(s.skbs[0]);
  CHECK(w.segments == 45);
  CHECK(w.copy_bytes == 65160);
  CHECK(w.descriptors == 45);
  // 376 B: one packet.
  XmitWork w2 = nic.xmit_work(s.skbs[1]);
  CHECK(w2.segments == 1);
  CHECK(w2.copy_bytes == 376);
}

TEST_CASE("TSO: the NIC cuts the skb; without TSO, software GSO with SG copies nothing", "[nic][gso]") {
  Segmented s = Nic().segment_pages(pieces(0, 65536));
  // TSO: one descriptor per fragment, nothing done in software.
  XmitWork hw = Nic().xmit_work(s.skbs[0]);
  CHECK(hw.segments == 1);
  CHECK(hw.copy_bytes == 0);
  CHECK(hw.descriptors == 16);
  // No TSO: 45 packets share the 16 fragments: 45 headers + 16 fragment descriptors.
  NicParams p;
  p.tso = false;
  XmitWork sw = Nic(p).xmit_work(s.skbs[0]);
  CHECK(sw.segments == 45);
  CHECK(sw.copy_bytes == 0);
  CHECK(sw.descriptors == 45 + 16);
}

TEST_CASE("write() data goes into 32 KiB page frags that count as fragments (sk_page_frag)", "[nic][gso]") {
  // tcp_sendmsg_locked: each chunk is copied to the page frag's free space; a full
  // frag is replaced (sk_page_frag_refill); an skb closes at 65,160 B. 150,000 B:
  //  skb 1: frag page 1 [0, 32768) + page 2 [0, 32392)             = 65,160 B, 2 frags
  //  skb 2: page 2 [32392, 32768) 376 + page 3 32,768 + page 4 32,016 = 65,160 B, 3 frags
  //  skb 3: page 4 [32016, 32768) 752 + page 5 18,928                = 19,680 B, 2 frags
  Nic nic;
  PageFrag frag;
  Segmented s = nic.segment_copy(150000, frag, 7);
  REQUIRE(s.skbs.size() == 3);
  CHECK(s.skbs[0].frags.size() == 2);
  CHECK(s.skbs[1].frags.size() == 3);
  CHECK(s.skbs[2].frags.size() == 2);
  CHECK(s.skbs[0].payload() == 65160);
  CHECK(s.skbs[1].payload() == 65160);
  CHECK(s.skbs[2].payload() == 19680);
  CHECK(s.skbs[1].frags[0].len == 376);
  CHECK(s.skbs[0].frags[0].page == PageKey{7, 1});
  CHECK(s.skbs[0].copied);
  CHECK(s.cpu_copies == 3);
  CHECK(s.cpu_copy_bytes == 150000);
  CHECK(frag.page == 5);
  CHECK(frag.offset == 18928);
  SECTION("the next write continues in the same frag page") {
    // 20,000 B: 32768 - 18928 = 13,840 B left in page 5, then 6,160 B of page 6.
    Segmented n = nic.segment_copy(20000, frag, 7);
    REQUIRE(n.skbs.size() == 1);
    REQUIRE(n.skbs[0].frags.size() == 2);
    CHECK(n.skbs[0].frags[0].offset == 18928);
    CHECK(n.skbs[0].frags[0].len == 13840);
    CHECK(n.skbs[0].frags[1].len == 6160);
  }
  SECTION("max_frags 2: a third fragment starts a new skb") {
    // 100,000 B from a fresh frag: skb 1 as above (2 frags, 65,160 B); skb 2: 376 B
    // of page 2 and 32,768 B of page 3 (2 frags); page 4 would be a third: push, new
    // skb 3 with the last 100000 - 65160 - 33144 = 1,696 B.
    NicParams p;
    p.max_frags = 2;
    PageFrag f2;
    Segmented m = Nic(p).segment_copy(100000, f2, 7);
    REQUIRE(m.skbs.size() == 3);
    CHECK(m.skbs[1].payload() == 33144);
    CHECK(m.skbs[2].payload() == 1696);
    CHECK(m.overflows == 1);
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
