// cache-replay: a page-access trace through a cache and a replacement policy
// alone (sim/run/replay_engine.h, which follows model/PageCache's rules), with no
// engine, no readahead and no time. For studying policies (OSTEP's paging
// homework, Linux's lists against what a kernel could have chosen) and for
// checking the model against other cache simulators (libCacheSim).
//
// The trace formats are in trace_formats.h. In kiosim's text format a `w` access
// also dirties the page; a dirty page that reaches the reclaim end is written
// back at once (there is no disk here: counted as a writeback) and goes around
// the list once more, as in Linux, where it is rotated while its writeback runs.
// Limits (so no input can make the replay allocate without bound beyond the
// trace's own pages): lines of at most 4096 characters, file names of at most
// 255, at most 1,000,000 distinct files, pages below 2^52, a cache of at most
// kMaxReplayPages pages.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/replacement_policy.h"
#include "sim/run/replay_engine.h"
#include "sim/run/trace_formats.h"

namespace kiosim {

inline constexpr std::uint64_t kMaxReplayPages = 1ULL << 24;  // 16,777,216 pages: a 64 GiB cache

struct ReplaySetup {
  CachePolicy policy = CachePolicy::two_list;
  TraceSpec trace;
  std::uint64_t seed = 1;  // rand's
};

// Replays `data` (the trace's bytes, named `name` in errors) at one size. Throws
// InputError with name:line (or the record) for a bad record.
ReplayResult replay_data(std::string_view data, const std::string& name, const ReplaySetup& setup,
                         std::uint64_t capacity_pages);
// The same for a file, which is mapped, not read.
ReplayResult replay_file(const std::string& path, const ReplaySetup& setup, std::uint64_t capacity_pages);

// kiosim's text format: the short forms the tests and the fuzz target use.
inline ReplayResult replay_text(std::string_view text, const std::string& name, CachePolicy policy,
                                std::uint64_t capacity_pages) {
  ReplaySetup s;
  s.policy = policy;
  return replay_data(text, name, s, capacity_pages);
}
inline ReplayResult replay_file(const std::string& path, CachePolicy policy, std::uint64_t capacity_pages) {
  ReplaySetup s;
  s.policy = policy;
  return replay_file(path, s, capacity_pages);
}

// One row of a miss-ratio curve.
struct CurveRow {
  std::uint64_t pages = 0;
  ReplayResult result;
};
struct Curve {
  std::vector<CurveRow> rows;    // by size, smallest first
  std::uint64_t working_set = 0;  // distinct pages in the trace (0: not counted, see replay_curve)
  bool one_pass = false;          // from LRU stack distances (else one replay per size)
};

// `n` sizes from 1 page to `working_set`, spaced evenly on a log scale, distinct.
std::vector<std::uint64_t> mrc_sizes(std::uint64_t working_set, unsigned n);

// The trace at several sizes: `sizes`, or when it is empty `mrc_points` sizes from
// mrc_sizes(). LRU on a trace without writes takes one pass (lru_stack_distance.h);
// the other policies, and LRU with writes (a dirty page goes round once more, which
// is not a stack algorithm), replay once per size on up to `threads` threads.
// LRU's pass with `sizes` forgets pages beyond the largest size, so it counts the
// working set only when it forgot none.
Curve replay_curve(std::string_view data, const std::string& name, const ReplaySetup& setup,
                   std::vector<std::uint64_t> sizes, unsigned mrc_points, unsigned threads);

}  // namespace kiosim
