// The copy table of MODEL.md section 2 as a golden test: each method run by the
// simulator (each in its own child process), counted exactly.
#include <catch2/catch.hpp>

#include <map>

#include "sim/run/run.h"
#include "sim/scenario/scenario.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;
using json = nlohmann::ordered_json;

namespace {

// A file of `size` sent with every method in chunks of `chunk`.
std::map<std::string, json> copy_table(bool sg, bool cached, const std::string& size = "64KiB",
                                       const std::string& chunk = "64KiB") {
  std::string text = "kiosim: 1\nset:\n  nic.scatter_gather: " + std::string(sg ? "true" : "false") +
                     "\nfiles:\n  - { name: data.bin, size: " + size + ", cached: " + (cached ? "true" : "false") +
                     " }\ncompare:\n  transfer: { file: data.bin, chunk: " + chunk +
                     " }\n  methods: [read_write, mmap_write, sendfile, splice]\n";
  std::map<std::string, json> by_method;
  for (auto& r : test::simulate_text("copy-table", text)) by_method[r["name"].get<std::string>()] = r["counters"];
  return by_method;
}

void row(const json& c, int syscalls, int mode_switches, double cpu_per_byte, double dma_per_byte) {
  INFO(c.dump());
  CHECK(c["syscalls"] == syscalls);
  CHECK(c["mode_switches"] == mode_switches);
  CHECK(c["cpu_copies_per_byte"].get<double>() == Approx(cpu_per_byte));
  CHECK(c["dma_copies_per_byte"].get<double>() == Approx(dma_per_byte));
}

}  // namespace

TEST_CASE("the copy table, NIC with scatter-gather, cold cache", "[copy-table]") {
  auto t = copy_table(true, false);
  // read+write: read() and write(), 2 crossings each; the CPU copies page cache -> user
  // and user -> socket buffer; DMA disk -> page cache and socket buffer -> NIC.
  row(t["read_write"], 2, 4, 2, 2);
  // mmap+write: mmap() and write(); the faults happen inside write() (no crossings);
  // one CPU copy mapping -> socket buffer.
  row(t["mmap_write"], 2, 4, 1, 2);
  CHECK(t["mmap_write"]["page_faults_major"] == 1);  // the first touch of a cold page
  // sendfile with gather DMA: page references only; the NIC reads the pages. TCP's
  // GSO size goal is 45 x 1448 = 65,160 B (tcp_xmit_size_goal): 64 KiB is two skbs,
  // 65,160 B (pages 0..14 and part of 15: 16 fragments) and 376 B (page 15: 1).
  row(t["sendfile"], 1, 2, 0, 2);
  CHECK(t["sendfile"]["skbs"] == 2);
  CHECK(t["sendfile"]["sg_frags"] == 17);
  // write() copies into 32 KiB page frags (sk_page_frag), one copy per skb: 1 + 2.
  CHECK(t["read_write"]["cpu_copies"] == 3);
  CHECK(t["read_write"]["sg_frags"] == 3);
  // splice file -> pipe -> socket: two calls, no copy.
  row(t["splice"], 2, 4, 0, 2);
  CHECK(t["splice"]["syscalls_by_name"]["splice"] == 2);
}

TEST_CASE("the copy table, NIC without scatter-gather", "[copy-table][gso]") {
  auto t = copy_table(false, false);
  // The socket builds the same skbs (sk_setup_caps gives TCP SG with GSO); software
  // GSO at transmit (validate_xmit_skb -> skb_segment) copies every byte into linear
  // MSS packets: one copy per byte more than with gather, for every method.
  row(t["read_write"], 2, 4, 3, 2);
  row(t["mmap_write"], 2, 4, 2, 2);
  row(t["sendfile"], 1, 2, 1, 2);
  row(t["splice"], 2, 4, 1, 2);
  CHECK(t["sendfile"]["linearize_bytes"] == 65536);
  CHECK(t["sendfile"]["sg_frags"] == 17);
  CHECK(t["sendfile"]["cpu_copies"] == 2);     // one skb_segment copy per GSO skb
  CHECK(t["sendfile"]["gso_segments"] == 46);  // 65,160 / 1448 = 45, and 376 B: 1
}

TEST_CASE("a warm cache drops the disk DMA", "[copy-table]") {
  auto t = copy_table(true, true);
  // Only the NIC's DMA is left: 1 DMA copy per byte.
  row(t["read_write"], 2, 4, 2, 1);
  row(t["mmap_write"], 2, 4, 1, 1);
  row(t["sendfile"], 1, 2, 0, 1);
  row(t["splice"], 2, 4, 0, 1);
  CHECK(t["read_write"]["disk_requests"] == 0);
  // The pages are cached: the mmap fault is minor and fault-around maps all 16 pages.
  CHECK(t["mmap_write"]["page_faults_minor"] == 1);
  CHECK(t["mmap_write"]["page_faults_major"] == 0);
  CHECK(t["mmap_write"]["pages_mapped"] == 16);
}

TEST_CASE("1 MiB in 64 KiB chunks: the counts scale with calls, copies per byte do not", "[copy-table]") {
  auto t = copy_table(true, true, "1MiB", "64KiB");
  // 1 MiB / 64 KiB = 16 chunks: 16 reads + 16 writes = 32 syscalls, 64 mode switches.
  row(t["read_write"], 32, 64, 2, 1);
  // one copy per read, and one per skb of a write: 64 KiB = 65,160 + 376 B, 2 skbs.
  CHECK(t["read_write"]["cpu_copies"] == 16 + 32);
  // splice: a pipe holds 16 pages (64 KiB), so 16 fills and 16 drains = 32 splice calls.
  row(t["splice"], 32, 64, 0, 1);
  CHECK(t["splice"]["syscalls_by_name"]["splice"] == 32);
  // sendfile moves its whole count in one call; its skbs run on across rounds:
  // 1 MiB = 16 x 65,160 + 6,016: 17 skbs; 256 pages plus the 16 skb boundaries that
  // fall inside a page (65,160k is page-aligned only for k a multiple of 512): 272.
  row(t["sendfile"], 1, 2, 0, 1);
  CHECK(t["sendfile"]["skbs"] == 17);
  CHECK(t["sendfile"]["sg_frags"] == 272);
  // mmap once, then 16 writes from the mapping: 17 syscalls; 1 MiB / 64 KiB fault-around
  // = 16 minor faults, all inside write().
  row(t["mmap_write"], 17, 34, 1, 1);
  CHECK(t["mmap_write"]["page_faults_minor"] == 16);
}

TEST_CASE("the same scenario twice gives byte-identical JSON", "[determinism]") {
  std::string text =
      "kiosim: 1\nfiles:\n  - { name: d, size: 2MiB }\ncompare:\n  transfer: { file: d, chunk: 32KiB }\n"
      "  methods: [read_write, mmap_write, sendfile, splice]\n";
  Scenario s = test::load_text("determinism", text);
  RunOptions ro;
  ro.trace = true;
  auto a = simulate(s, s.runs(), ro);
  auto b = simulate(s, s.runs(), ro);
  REQUIRE(a.size() == 4);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].dump() == b[i].dump());
}
