// The page-cache scenarios with the settings their `expect:` blocks cannot show:
// pollution.yaml under lru, readahead.yaml with readahead off, O_DIRECT and
// fadvise in small programs. The figures are the ones the descriptions state.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <map>

#include "sim/run/run.h"
#include "sim/scenario/scenario.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;
using json = nlohmann::ordered_json;

namespace {

json run_scenario(const std::string& path, std::vector<std::string> sets = {}) {
  LoadOptions lo;
  lo.sets = std::move(sets);
  lo.machines_dir = std::string(KIOSIM_SOURCE_DIR) + "/scenarios/machines";
  Scenario s = load_scenario(path, lo);
  auto results = simulate(s, s.runs());
  REQUIRE(results.size() == 1);
  return results.front();
}

json process(const json& run, const std::string& name) {
  for (const auto& p : run["processes"])
    if (p["name"] == name) return p["counters"];
  FAIL("no process " << name);
  return {};
}

std::string scenario(const std::string& name) { return std::string(KIOSIM_SOURCE_DIR) + "/scenarios/" + name; }

// A scenario written inline, simulated (its temporary file is removed after loading).
json run_text(const std::string& name, const std::string& text) {
  Scenario s = test::load_text(name, text);
  auto results = simulate(s, s.runs());
  REQUIRE(results.size() == 1);
  return results.front();
}

}  // namespace

TEST_CASE("pollution.yaml: the hot set survives the scan under linux and two_list, not under lru",
          "[scenario][pollution][slow]") {
  // 14 passes of 768 pages. linux (the default) and two_list: only the first pass misses.
  json lin = process(run_scenario(scenario("pollution.yaml")), "hot");
  CHECK(lin["page_cache_hits"] == 13 * 768);
  CHECK(lin["page_cache_misses"] == 768);
  json two = process(run_scenario(scenario("pollution.yaml"), {"page_cache.policy=two_list"}), "hot");
  CHECK(two["page_cache_hits"] == 13 * 768);
  CHECK(two["page_cache_misses"] == 768);
  // lru: passes 2-4 (before the scan has gone round the cache) hit; the 10 late
  // passes find nothing left.
  json lru = process(run_scenario(scenario("pollution.yaml"), {"page_cache.policy=lru"}), "hot");
  CHECK(lru["page_cache_hits"] == 3 * 768);
  CHECK(lru["page_cache_misses"] == 11 * 768);
  CHECK(lru["activations"] == 0);
}

TEST_CASE("readahead.yaml: off, every page waits for its own disk request (page_cache_sync_ra)",
          "[scenario][readahead]") {
  json on = run_scenario(scenario("readahead.yaml"));
  json off = run_scenario(scenario("readahead.yaml"), {"page_cache.readahead=0"});
  // 4096 pages in 64 KiB reads; with ra_pages 0, page_cache_sync_ra reads req_count = 1
  // page and filemap_read comes back for the next: 4096 requests, every page a miss.
  CHECK(off["counters"]["disk_requests"] == 4096);
  CHECK(off["counters"]["page_cache_misses"] == 4096);
  CHECK(off["counters"]["readahead_pages"] == 0);
  CHECK(on["counters"]["disk_requests"] == 128);
  // Fewer, larger requests that overlap the copies: faster.
  CHECK(on["counters"]["sim_time_ns"].get<double>() < 0.7 * off["counters"]["sim_time_ns"].get<double>());
}

TEST_CASE("O_DIRECT: DMA to the user buffer, no page cache, no CPU copy", "[direct]") {
  const std::string text = R"(kiosim: 1
files:
  - { name: d.bin, size: 1MiB }
processes:
  - name: p
    program:
      - open: { file: d.bin, as: f, flags: [direct] }
      - repeat: 4
        do: [ { read: { fd: f, bytes: 256KiB } } ]
      - pwrite: { fd: f, bytes: 4KiB, offset: 0 }
)";
  json r = run_text("direct", text);
  const json& c = r["counters"];
  // 4 reads + 1 write, each one disk DMA; no lookup, no copy.
  CHECK(c["disk_requests"] == 5);
  CHECK(c["dma_copies"] == 5);
  CHECK(c["cpu_copies"] == 0);
  CHECK(c["page_cache_hits"] == 0);
  CHECK(c["page_cache_misses"] == 0);
}

TEST_CASE("O_DIRECT: misaligned sizes are refused when the scenario is loaded", "[direct]") {
  const std::string text = R"(kiosim: 1
files:
  - { name: d.bin, size: 1MiB }
processes:
  - program:
      - open: { file: d.bin, as: f, flags: [direct] }
      - read: { fd: f, bytes: 1000 }
)";
  try {
    run_text("direct-bad", text);
    FAIL("a misaligned O_DIRECT read was accepted");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains(":7:") && Catch::Contains("multiple of 512") && Catch::Contains("EINVAL"));
  }
  const std::string flag = R"(kiosim: 1
files:
  - { name: d.bin, size: 1MiB }
processes:
  - program:
      - open: { file: d.bin, as: f, flags: [drect] }
)";
  CHECK_THROWS_WITH(run_text("flag-bad", flag), Catch::Contains("did you mean `direct`?"));
}

TEST_CASE("posix_fadvise: WILLNEED reads ahead, DONTNEED drops clean pages", "[fadvise]") {
  // WILLNEED on 1 MiB (256 pages) reads it in the background; the reads then hit.
  const std::string willneed = R"(kiosim: 1
files:
  - { name: d.bin, size: 1MiB }
processes:
  - program:
      - open: { file: d.bin, as: f }
      - fadvise: { fd: f, advice: willneed }
      - sleep: 5ms
      - repeat: 16
        do: [ { read: { fd: f, bytes: 64KiB } } ]
)";
  json w = run_text("willneed", willneed);
  CHECK(w["counters"]["readahead_pages"] == 256);
  CHECK(w["counters"]["page_cache_hits"] == 256);
  CHECK(w["counters"]["page_cache_misses"] == 0);
  CHECK(w["counters"]["syscalls_by_name"]["fadvise64"] == 1);

  // DONTNEED after reading a cached file: the second read misses again.
  const std::string dontneed = R"(kiosim: 1
set:
  page_cache.readahead: 0
files:
  - { name: d.bin, size: 64KiB, cached: true }
processes:
  - program:
      - open: { file: d.bin, as: f }
      - pread: { fd: f, bytes: 64KiB, offset: 0 }
      - fadvise: { fd: f, advice: dontneed }
      - pread: { fd: f, bytes: 64KiB, offset: 0 }
)";
  json d = run_text("dontneed", dontneed);
  CHECK(d["counters"]["page_cache_hits"] == 16);
  CHECK(d["counters"]["page_cache_misses"] == 16);
  // Readahead off: page_cache_sync_ra reads one page per request (req_count = 1).
  CHECK(d["counters"]["disk_requests"] == 16);
}

TEST_CASE("writeback: the flusher writes pages older than dirty_expire", "[writeback]") {
  // 1 MiB (256 pages) dirtied at t = 0 stays far under the background ratio of a
  // 1 GiB cache. The flusher looks every 5 s; at 30 s the pages have expired and
  // go to the disk. A writer that sleeps only 20 s ends first. (journal.mode:
  // writeback, so that the journal's 5 s commits do not write the data first, as
  // data=ordered does.)
  auto text = [](const std::string& sleep) {
    return "kiosim: 1\nset:\n  journal.mode: writeback\nfiles:\n  - { name: o.bin, size: 0 }\n"
           "processes:\n  - program:\n"
           "      - open: { file: o.bin, as: f }\n      - write: { fd: f, bytes: 1MiB }\n      - sleep: " +
           sleep + "\n";
  };
  json late = run_text("expire-late", text("40s"));
  CHECK(late["counters"]["writeback_pages"] == 256);
  CHECK(late["counters"]["dirty_throttle_ns"] == 0);
  json early = run_text("expire-early", text("20s"));
  CHECK(early["counters"]["writeback_pages"] == 0);
}
