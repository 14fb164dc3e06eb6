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
  // sendfile with gather DMA: page references only; the NIC reads the pages.
  row(t["sendfile"], 1, 2, 0, 2);
  CHECK(t["sendfile"]["skbs"] == 1);
  CHECK(t["sendfile"]["sg_frags"] == 16);  // 64 KiB = 16 pages, one fragment each
  // splice file -> pipe -> socket: two calls, no copy.
  row(t["splice"], 2, 4, 0, 2);
  CHECK(t["splice"]["syscalls_by_name"]["splice"] == 2);
}

TEST_CASE("the copy table, NIC without scatter-gather", "[copy-table]") {
  auto t = copy_table(false, false);
  row(t["read_write"], 2, 4, 2, 2);
  row(t["mmap_write"], 2, 4, 1, 2);
  // The NIC needs a linear buffer: sendfile and splice copy once (linearize).
  row(t["sendfile"], 1, 2, 1, 2);
  row(t["splice"], 2, 4, 1, 2);
  CHECK(t["sendfile"]["linearize_bytes"] == 65536);
  CHECK(t["sendfile"]["sg_frags"] == 0);
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
  CHECK(t["read_write"]["cpu_copies"] == 32);  // one copy per read and one per write
  // splice: a pipe holds 16 pages (64 KiB), so 16 fills and 16 drains = 32 splice calls.
  row(t["splice"], 32, 64, 0, 1);
  CHECK(t["splice"]["syscalls_by_name"]["splice"] == 32);
  // sendfile moves its whole count in one call; 16 skbs of 64 KiB (TSO), 256 fragments.
  row(t["sendfile"], 1, 2, 0, 1);
  CHECK(t["sendfile"]["skbs"] == 16);
  CHECK(t["sendfile"]["sg_frags"] == 256);
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
