// kiosim check's page-cache state cells (issue 14, item 2; the "cache states" family):
// what the host's kernel says about the scenario's files around a process's timed run
// (cachestat(2) and mincore(2), Sample::cache_before/after) beside the simulated
// process's counters.
//  - pages_inserted: pages the files' cache took in during the run, Δnr_cache +
//    Δnr_evicted (a page evicted during the run was inserted first), against the pages
//    the simulated process brought in, page_cache_misses + readahead_pages.
//    Simplified: a refault consumes its shadow entry (workingset_refault), which
//    lowers nr_evicted; real mode's private files have no shadows (their cold state is
//    POSIX_FADV_DONTNEED, which leaves none) unless the host reclaims them mid-run.
//  - page_cache_hit_ratio: of the pages the process read(), the share found cached:
//    1 - pages inserted / pages read, the pages read being /proc/self/io rchar / 4 KiB;
//    predicted 1 - (misses + readahead pages) / (hits + misses), which is hits /
//    (hits + misses) with readahead off (scenarios/pollution.yaml). Both count a page
//    read ahead as a miss of the lookup that read it in, and later lookups of it as hits.
// Only for a process whose system calls are open, close, read and pread (a write
// inserts pages that no lookup missed; a fault's lookups are not in rchar).
// Pure numbers: no I/O.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/host/check_cells.h"
#include "sim/host/runner.h"

namespace kiosim::host {

struct CacheCells {
  std::vector<Cell> cells;
  std::string skipped;         // one line: why there are no cells ("" when there are)
  nlohmann::ordered_json host;  // the host's figures, median of the repeats (nr_cache after, nr_evicted, mincore)
};

// `counters` are the simulated process's (page_cache_hits, ..., syscalls_by_name).
CacheCells cache_cells(const nlohmann::ordered_json& counters, const std::vector<Sample>& samples);

// One line per process for check's table: "cache  NAME  hit ratio 0.929 0.929 ...", or its skip reason.
std::string cache_cells_line(const std::string& process, const CacheCells& c);

}  // namespace kiosim::host
