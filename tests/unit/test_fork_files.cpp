// fork's child shares the parent's open files (kernel/fork.c dup_fd copies the fd
// table, not the struct file): one offset, one readahead state. Run by the simulator.
#include <catch2/catch.hpp>

#include "tests/unit/scenario_support.h"

using namespace kiosim;
using json = nlohmann::ordered_json;

TEST_CASE("fork: parent and child share the open file's offset (struct file, dup_fd)", "[fork][sim]") {
  auto r = test::simulate_text("fork-fpos", R"(kiosim: 1
set: { page_cache.readahead: 0 }
files:
  - { name: data.bin, size: 128KiB }
processes:
  - name: parent
    program:
      - open: { file: data.bin, as: f }
      - fork: { as: child, do: [ { read: { fd: f, bytes: 64KiB } } ] }
      - sleep: 10ms
      - read: { fd: f, bytes: 64KiB }
)");
  json c = r.at(0)["counters"];
  // The child reads pages 0..15 (16 misses, readahead off: one request each, about
  // 1.3 ms, well within the parent's 10 ms sleep) and moves the shared offset to
  // 64 KiB: the parent's read is of pages 16..31, 16 more misses, no hit. With a copy
  // of the offset the parent would read pages 0..15 again: 16 hits.
  CHECK(c["page_cache_misses"] == 32);
  CHECK(c["page_cache_hits"] == 0);
  CHECK(c["disk_requests"] == 32);
}
