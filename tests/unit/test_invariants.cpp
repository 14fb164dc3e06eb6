// The model invariants (sim/kernel/invariants.h) hold on a sound model, and each
// check fails on a deliberately broken one: a reference dropped twice, an eviction
// of a dirty or pinned page, counters that do not add up.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sim/kernel/invariants.h"

using namespace kiosim;

namespace {
PageKey P(std::uint64_t i) { return PageKey{0, i}; }
}  // namespace

TEST_CASE("invariants: a sound page cache passes", "[invariants]") {
  PageCache c(PageCacheParams{8, CachePolicy::two_list});
  for (std::uint64_t i = 0; i < 12; ++i) c.access(P(i));  // 4 evictions of clean pages
  c.get(P(11));
  c.put(P(11));
  CHECK(page_cache_problem(c).empty());
  CHECK(eviction_problem(c, P(10)).empty());
}

TEST_CASE("invariants: a reference dropped twice is a count below zero", "[invariants]") {
  // The broken model: a path that puts a page it never got (say, an skb freed twice).
  PageCache c(PageCacheParams{8, CachePolicy::two_list});
  c.insert(P(1));
  c.get(P(1));
  c.put(P(1));
  c.put(P(1));
  CHECK_THAT(page_cache_problem(c), Catch::Contains("below zero"));
}

TEST_CASE("invariants: evicting a pinned, dirty or writeback page is caught", "[invariants]") {
  // What a broken reclaim would report: each of these pages must not go.
  PageCache c(PageCacheParams{8, CachePolicy::two_list});
  c.insert(P(1));
  c.get(P(1));
  CHECK_THAT(eviction_problem(c, P(1)), Catch::Contains("held it"));
  c.insert(P(2));
  c.mark_dirty(P(2));
  CHECK_THAT(eviction_problem(c, P(2)), Catch::Contains("dirty"));
  c.start_writeback(P(2));
  CHECK_THAT(eviction_problem(c, P(2)), Catch::Contains("being written"));
}

TEST_CASE("invariants: counter identities", "[invariants]") {
  // read+write of 64 KiB, cold (MODEL.md section 2): 2 calls, 4 mode switches, two
  // CPU copies of 64 KiB, two DMAs of 64 KiB; the bus carries 2 x 128 KiB + 128 KiB.
  Counters c;
  c.syscalls = 2;
  c.syscalls_by_name = {{"read", 1}, {"write", 1}};
  c.mode_switches = 4;
  c.cpu_copies = 2;
  c.cpu_copy_bytes = 131072;
  c.dma_copies = 2;
  c.dma_bytes = 131072;
  c.memory_bus_bytes = 393216;
  c.payload_bytes = 65536;
  CHECK(counters_problem(c).empty());
  CHECK(counters_json_problem(c.to_json()).empty());

  Counters bus = c;
  bus.memory_bus_bytes = 262144;  // a DMA the bus did not see
  CHECK_THAT(counters_problem(bus), Catch::Contains("memory_bus_bytes"));
  Counters names = c;
  names.syscalls_by_name["read"] = 2;
  CHECK_THAT(counters_problem(names), Catch::Contains("by name"));
  Counters modes = c;
  modes.mode_switches = 6;  // a crossing with no call and no fault
  CHECK_THAT(counters_problem(modes), Catch::Contains("mode switches"));

  auto j = c.to_json();
  j["cpu_copies_per_byte"] = 1.0;  // the ratio must be cpu_copy_bytes / payload_bytes = 2
  CHECK_THAT(counters_json_problem(j), Catch::Contains("cpu_copies_per_byte"));
}
