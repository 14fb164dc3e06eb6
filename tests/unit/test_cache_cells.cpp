// check's cache-state cells (sim/host/cache_cells.h) from hand-made samples, and
// files_cache's reason when the kernel has no cachestat(2), by its seam.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "sim/host/cache_cells.h"
#include "sim/host/private_dir.h"

using kiosim::host::cache_cells;
using kiosim::host::CacheStat;
using kiosim::host::Family;
using kiosim::host::FilesCache;
using kiosim::host::Sample;

namespace {

// The pollution scenario's hot process as the simulator counts it (scenarios/pollution.yaml).
nlohmann::ordered_json hot_counters() {
  return {{"page_cache_hits", 9984},
          {"page_cache_misses", 768},
          {"readahead_pages", 0},
          {"syscalls_by_name", {{"close", 14}, {"open", 14}, {"read", 672}}}};
}

// A cold 768-page file read 14 times: 768 pages come in (readahead or not), nothing is
// evicted; /proc/self/io rchar is 14 x 3 MiB plus the 4095 bytes that do not make a page.
Sample hot_sample(std::uint64_t inserted, std::uint64_t evicted = 0) {
  Sample s;
  s.cache_before.stat = CacheStat{0, 0, 0, 5, 0};  // 5 shadows from before: only the change counts
  s.cache_after.stat = CacheStat{inserted - evicted, 0, 0, 5 + evicted, 0};
  s.cache_after.resident = inserted - evicted;
  s.io.ok = true;
  s.io.rchar = 14 * (3 << 20) + 4095;
  return s;
}

const kiosim::host::Cell& cell(const kiosim::host::CacheCells& c, const std::string& figure) {
  for (const auto& x : c.cells)
    if (x.figure == figure) return x;
  FAIL("no cell " << figure);
  return c.cells.front();
}

}  // namespace

TEST_CASE("cache cells: the hot set's hit ratio and the pages inserted", "[host][cache-cells]") {
  auto c = cache_cells(hot_counters(), {hot_sample(768), hot_sample(768), hot_sample(800, 32)});
  REQUIRE(c.skipped.empty());
  // Predicted 1 - 768 / (9984 + 768) = 0.92857; measured 1 - 768 / 10752 pages read (rchar / 4096).
  const auto& ratio = cell(c, "page_cache_hit_ratio");
  REQUIRE(ratio.family == Family::cache);
  REQUIRE(ratio.predicted == Approx(9984.0 / 10752));
  REQUIRE(ratio.measured == Approx(9984.0 / 10752));
  // The third repeat took 800 in and lost 32 (Δnr_cache 768, Δnr_evicted 32): 800 inserted.
  const auto& ins = cell(c, "pages_inserted");
  REQUIRE(ins.predicted == 768);
  REQUIRE(ins.measured == 768);  // median of 768, 768, 800
  REQUIRE(ins.hi == 800);
  REQUIRE(c.host["nr_evicted_during"].get<double>() == 0);
}

TEST_CASE("cache cells: a wrong prediction is a miss", "[host][cache-cells]") {
  // The one-list LRU's prediction for the same hot process: 2304 hits, 8448 misses.
  auto counters = hot_counters();
  counters["page_cache_hits"] = 2304;
  counters["page_cache_misses"] = 8448;
  auto c = cache_cells(counters, {hot_sample(768)});
  REQUIRE(cell(c, "page_cache_hit_ratio").error() > 0.7);  // 0.214 / 0.929 - 1
  REQUIRE(cell(c, "pages_inserted").ratio() == Approx(8448.0 / 768));
}

TEST_CASE("cache cells: skipped with a reason", "[host][cache-cells]") {
  Sample no_cachestat;
  no_cachestat.cache_before.why_not = no_cachestat.cache_after.why_not = "no cachestat(2) on this kernel (Linux 6.5+)";
  auto c = cache_cells(hot_counters(), {no_cachestat});
  REQUIRE(c.cells.empty());
  REQUIRE(c.skipped == "cache states: no cachestat(2) on this kernel (Linux 6.5+)");
  REQUIRE(kiosim::host::cache_cells_line("hot", c) ==
          "SKIP hot: cache states: no cachestat(2) on this kernel (Linux 6.5+)\n");

  auto writer = hot_counters();
  writer["syscalls_by_name"]["write"] = 1;  // a write inserts pages no lookup missed
  c = cache_cells(writer, {hot_sample(768)});
  REQUIRE(c.cells.empty());
  REQUIRE(c.skipped.find("only reads its files") != std::string::npos);
}

TEST_CASE("files_cache: a kernel without cachestat gives the reason, mincore still counts", "[host][cache-cells]") {
  kiosim::host::PrivateDir dir;
  const std::string path = dir.file("f.bin");
  { std::ofstream(path) << std::string(8192, 'x'); }  // two pages, just written: cached
  auto enosys = [](int) -> std::optional<CacheStat> {
    errno = ENOSYS;
    return std::nullopt;
  };
  FilesCache fc = kiosim::host::files_cache({{path, 8192}}, enosys);
  REQUIRE_FALSE(fc.stat);
  REQUIRE(fc.why_not == "no cachestat(2) on this kernel (Linux 6.5+)");
  REQUIRE(fc.resident == 2);
  auto eperm = [](int) -> std::optional<CacheStat> {
    errno = EPERM;
    return std::nullopt;
  };
  REQUIRE(kiosim::host::files_cache({{path, 8192}}, eperm).why_not.rfind("cachestat(2) refused: ", 0) == 0);
  auto fake = [](int) -> std::optional<CacheStat> { return CacheStat{2, 2, 0, 0, 0}; };
  fc = kiosim::host::files_cache({{path, 8192}, {path, 8192}}, fake);  // summed over the files
  REQUIRE(fc.stat->nr_cache == 4);
  REQUIRE(fc.stat->nr_dirty == 4);
  dir.remove();
}
