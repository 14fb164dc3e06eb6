#include "sim/host/cache_cells.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/host/measure.h"

namespace kiosim::host {

namespace {

// Only reads of files: every page the files' cache took in was one a lookup missed.
bool reads_files_only(const nlohmann::ordered_json& counters) {
  return calls_only(counters, {"open", "close", "read", "pread"});
}

double inserted(const Sample& s) {
  const CacheStat &a = *s.cache_before.stat, &b = *s.cache_after.stat;
  double d = double(b.nr_cache) - double(a.nr_cache) + double(b.nr_evicted) - double(a.nr_evicted);
  return std::max(0.0, d);
}

}  // namespace

CacheCells cache_cells(const nlohmann::ordered_json& counters, const std::vector<Sample>& samples) {
  CacheCells out;
  if (samples.empty()) {
    out.skipped = "cache states: nothing was measured";
    return out;
  }
  for (const auto& s : samples)
    if (!s.cache_before.stat || !s.cache_after.stat) {
      const std::string& why = s.cache_before.stat ? s.cache_after.why_not : s.cache_before.why_not;
      out.skipped = "cache states: " + why;
      return out;
    }
  std::vector<double> nr_cache, nr_evicted, resident, ins, ratio;
  for (const auto& s : samples) {
    nr_cache.push_back(double(s.cache_after.stat->nr_cache));
    nr_evicted.push_back(double(s.cache_after.stat->nr_evicted) - double(s.cache_before.stat->nr_evicted));
    resident.push_back(double(s.cache_after.resident));
    ins.push_back(inserted(s));
  }
  out.host = {{"nr_cache_after", median(nr_cache)},
              {"nr_evicted_during", median(nr_evicted)},
              {"mincore_resident_after", median(resident)}};
  if (!reads_files_only(counters)) {
    out.skipped = "cache states: only for a process that only reads its files (open, close, read, pread)";
    return out;
  }
  const double hits = counter_of(counters, "page_cache_hits"), misses = counter_of(counters, "page_cache_misses");
  const double brought_in = misses + counter_of(counters, "readahead_pages");
  out.cells.push_back(cell_of("pages_inserted", Family::cache, brought_in, ins));
  const double lookups = hits + misses;
  bool rchar = std::all_of(samples.begin(), samples.end(), [](const Sample& s) { return s.io.ok && s.io.rchar > 0; });
  if (lookups > 0 && rchar) {
    for (const auto& s : samples) {
      const double read_pages = double(s.io.rchar / 4096);
      ratio.push_back(read_pages > 0 ? std::clamp(1.0 - inserted(s) / read_pages, 0.0, 1.0) : 0.0);
    }
    out.cells.push_back(
        cell_of("page_cache_hit_ratio", Family::cache, std::clamp(1.0 - brought_in / lookups, 0.0, 1.0), ratio));
  }
  return out;
}

std::string cache_cells_line(const std::string& process, const CacheCells& c) {
  if (c.cells.empty()) return c.skipped.empty() ? "" : fmt::format("SKIP {}: {}\n", process, c.skipped);
  std::string line = fmt::format("cache {:<22}", process);
  for (const auto& cell : c.cells) {
    if (cell.figure == "page_cache_hit_ratio")
      line += fmt::format(" | hit ratio pred {:.3f} meas {:.3f}", cell.predicted, cell.measured);
    else
      line += fmt::format(" | {} pred {:.0f} meas {:.0f}", cell.figure, cell.predicted, cell.measured);
  }
  if (c.host.contains("nr_cache_after"))
    line += fmt::format(" | host after: nr_cache {:.0f}, mincore {:.0f}, nr_evicted +{:.0f}",
                        c.host["nr_cache_after"].get<double>(), c.host["mincore_resident_after"].get<double>(),
                        c.host["nr_evicted_during"].get<double>());
  return line + "\n";
}

}  // namespace kiosim::host
